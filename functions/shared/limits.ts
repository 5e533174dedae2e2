/** Named limits and defaults. The AWS ones are quoted from the service quotas and API references. */

/** CloudFormation accepts at most this many bytes in `TemplateBody`; larger templates go through `TemplateURL`. */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;
/** CloudFormation's limit for a template passed by `TemplateURL`. */
export const MAX_TEMPLATE_URL_BYTES = 1_000_000;
/** A template configuration file is a few parameters and tags; anything larger is a mistake. */
export const MAX_TEMPLATE_CONFIGURATION_BYTES = 100_000;
/** Largest artifact zip read into memory. CodePipeline artifacts that carry a whole application can be large. */
export const MAX_ARTIFACT_BYTES = 256 * 1024 * 1024;
/** Stack names: 128 characters, a letter first, then letters, digits and hyphens. */
export const MAX_STACK_NAME_LENGTH = 128;
/** Change set names: same alphabet as stack names, 128 characters. */
export const MAX_CHANGE_SET_NAME_LENGTH = 128;
/** `ClientRequestToken`: 128 characters of `[a-zA-Z0-9][-a-zA-Z0-9]*`. */
export const MAX_CLIENT_REQUEST_TOKEN_LENGTH = 128;

/** First wait between two polls of a stack or change set, in seconds. */
export const FIRST_POLL_WAIT_SECONDS = 5;
/** Each wait is this many times the last one ... */
export const POLL_BACKOFF_RATE = 2;
/** ... up to this cap, so a long update costs a few state transitions a minute and no more. */
export const MAX_POLL_WAIT_SECONDS = 30;
/** Default limit on the total time one wait loop may take before the deployment fails. */
export const DEFAULT_MAX_WAIT_SECONDS = 3600;
/** Bounds on the limit an input document may set. */
export const MIN_MAX_WAIT_SECONDS = 60;
export const MAX_MAX_WAIT_SECONDS = 86_400;

/** How many resource changes the inspection keeps in the execution's data (the 256 KiB payload limit). */
export const MAX_CHANGES_IN_OUTPUT = 200;
/**
 * Bytes of JSON the decision record may take in the execution's data. Step Functions refuses a
 * state's data above 256 KiB, and the record shares it with the deployment, the stack outputs and
 * the rest; changes past this budget are left out of the list (the counts still count them).
 */
export const MAX_DECISION_RECORD_BYTES = 96 * 1024;
/** How many stack events are read to find the first failure of an operation. */
export const MAX_STACK_EVENT_PAGES = 10;
