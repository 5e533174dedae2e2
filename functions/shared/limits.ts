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

/** First wait between two polls of a stack or change set, in seconds (the Wait states before a loop). */
export const FIRST_POLL_WAIT_SECONDS = 5;
/** Each wait of a Wait-state loop (Wait For Stack To Be Free, failed stack deletion) is this many times the last one ... */
export const POLL_BACKOFF_RATE = 2;
/** ... up to this cap. */
export const MAX_POLL_WAIT_SECONDS = 30;

/**
 * The pacing of a status task's own polling: the `StillInProgressError` retrier of its Retry block.
 * The delay before retry n is `intervalSeconds × backoffRate^(n-1)`, capped at `maxDelaySeconds`
 * (no jitter, so the handler can count the waits from `$$.State.RetryCount`). A test holds the
 * definition's retriers to these figures.
 */
export interface PollSchedule {
  /** The Wait state before the status task's first attempt. */
  firstWaitSeconds: number;
  intervalSeconds: number;
  backoffRate: number;
  maxDelaySeconds: number;
  maxAttempts: number;
}

/**
 * Stacks: the cap keeps detection within 20 s of the end (the p95 of a uniform end time is 19 s),
 * and a poll is one transition and one Lambda call, three times fewer than a Wait/Task/Choice loop.
 */
export const STACK_POLL: PollSchedule = { firstWaitSeconds: 5, intervalSeconds: 5, backoffRate: 1.5, maxDelaySeconds: 20, maxAttempts: 99_999 };
/** Change sets take seconds to create: poll early and often. */
export const CHANGE_SET_POLL: PollSchedule = { firstWaitSeconds: 3, intervalSeconds: 2, backoffRate: 1.5, maxDelaySeconds: 10, maxAttempts: 99_999 };

/** Default budget of one whole deployment, counted from the execution's start. */
export const DEFAULT_MAX_WAIT_SECONDS = 3600;
/** Bounds on the budget an input document may set. */
export const MIN_MAX_WAIT_SECONDS = 60;
/**
 * CodePipeline fails a Lambda invoke action after 24 hours; the budget stops an hour short, so the
 * clean-up after a missed deadline and the trigger's report still reach the pipeline in time.
 */
export const MAX_MAX_WAIT_SECONDS = 82_800;
/** The state machine's own TimeoutSeconds: the largest budget plus time to clean up and report. */
export const EXECUTION_TIMEOUT_SECONDS = 84_600;

/** How many resource changes the inspection keeps in the execution's data (the 256 KiB payload limit). */
export const MAX_CHANGES_IN_OUTPUT = 200;
/**
 * Bytes of JSON the inspection's lists of changes (the decision record and the offending changes)
 * may take in the execution's data. Step Functions refuses a state's data above 256 KiB, and the
 * lists share it with the deployment, the stack outputs and the rest; past this budget, changes are
 * left out of the lists (the counts still count them all).
 */
export const MAX_INSPECTION_LIST_BYTES = 96 * 1024;
/** How many stack events are read to find the first failure of an operation. */
export const MAX_STACK_EVENT_PAGES = 10;

/** Pages of ListChangeSets read to find other deployments' lock records (a stack rarely has more than a few). */
export const MAX_CHANGE_SET_LIST_PAGES = 10;
/** A lock record this long past its deployment's deadline belongs to a deployment that is no longer running. */
export const STALE_LOCK_GRACE_SECONDS = 900;
/** Arrays and mappings nested deeper than this are no template (real ones nest a dozen levels at most). */
export const MAX_TEMPLATE_NESTING = 100;

/** `-<8 hex digits>`: what a new generation (onUnsafe new-stack) adds to the stack's name (names.ts generationSuffix). */
export const GENERATION_SUFFIX_LENGTH = 9;
/** The most generations of one stack a deployment's maxStacks may allow. */
export const MAX_MAX_STACKS = 10;
/** Generations of one stack allowed by default: the live one and one beside it. */
export const DEFAULT_MAX_STACKS = 2;
