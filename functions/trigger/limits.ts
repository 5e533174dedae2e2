/**
 * Limits of the APIs the trigger talks to, quoted from their references, and the trigger's own bounds.
 * Every size the trigger sends is checked against one of these before the call, so a long
 * message is trimmed instead of turning into a ValidationException that leaves the job hanging.
 */

/** `PutJobSuccessResult.continuationToken`: 1 to 2048 characters. */
export const MAX_CONTINUATION_TOKEN_LENGTH = 2048;
/** `ExecutionDetails.summary`: at most 2048 characters. */
export const MAX_EXECUTION_SUMMARY_LENGTH = 2048;
/** `ExecutionDetails.externalExecutionId` and `FailureDetails.externalExecutionId`: at most 1500 characters. */
export const MAX_EXTERNAL_EXECUTION_ID_LENGTH = 1500;
/** `FailureDetails.message`: 1 to 5000 characters. */
export const MAX_FAILURE_MESSAGE_LENGTH = 5000;
/** `ExecutionDetails.percentComplete`: 0 to 100. */
export const MIN_PERCENT_COMPLETE = 0;
export const MAX_PERCENT_COMPLETE = 100;
/** While an execution runs, progress never claims to be done: only a SUCCEEDED execution reports 100. */
export const MAX_RUNNING_PERCENT_COMPLETE = 99;

/**
 * CodePipeline quota: "a maximum size limit of 122880 bytes for all output variables combined
 * for a particular action". The trigger counts the JSON encoding of the whole map, which is larger
 * than the keys and values alone, so staying under it keeps a margin.
 */
export const MAX_OUTPUT_VARIABLES_BYTES = 122_880;
/**
 * How much of a free-text reason (an approver's, or why a new stack was deployed) the success
 * summary quotes, so the summary's other parts still fit in its 2048 characters. The whole reason
 * is in the execution's output.
 */
export const MAX_REASON_IN_SUMMARY_LENGTH = 500;
/** Output variable keys: `[A-Za-z0-9@\-_]+` (`OutputVariablesKey` in the CodePipeline API model). */
export const OUTPUT_VARIABLE_KEY_PATTERN = /^[A-Za-z0-9@_-]+$/;

/**
 * How many invocations may try to start a deployment that meets throttling or a service fault
 * (each after the SDK's own retries) before the job fails. CodePipeline re-invokes a continued
 * job about once a minute, so this rides out a few minutes of throttling.
 */
export const MAX_START_ATTEMPTS = 6;

/** Step Functions execution names: 1 to 80 characters; the trigger keeps to `[A-Za-z0-9_-]` (safe for CloudWatch Logs too). */
export const MAX_EXECUTION_NAME_LENGTH = 80;
/** Step Functions' limit on an execution's input (256 KiB of UTF-8); the input document cannot be larger. */
export const MAX_EXECUTION_INPUT_BYTES = 262_144;

/**
 * How many of the newest history events are read (newest first, without execution data) to find
 * the state the execution is in. A Task state writes three events per Lambda attempt after its
 * `TaskStateEntered`; the ASL allows 6 + 6 retries, so 50 covers a state retried to its limit.
 */
export const HISTORY_EVENTS_FOR_CURRENT_STATE = 50;

/**
 * How far back (newest first) the Await Approval state may have been entered for the trigger to
 * read its data (the blocked changes, for the summary). Waiting normally takes four events
 * (entered, scheduled, started, submitted) and each retry of its Lambda three more; every
 * scheduled event repeats the inspection, so a deeper read would fetch it many times over.
 */
export const MAX_APPROVAL_HISTORY_EVENTS = 20;

/**
 * Attempts at recording one job result (each after the SDK's own retries) when CodePipeline
 * answers with throttling or a service fault. Bounded well inside the trigger's one-minute
 * timeout: the waits between attempts add up to at most a few seconds.
 */
export const MAX_RESULT_ATTEMPTS = 4;
/** First wait before recording a refused result again; doubled per attempt, with full jitter. */
export const RESULT_RETRY_BASE_DELAY_MS = 500;
export const MAX_RESULT_RETRY_DELAY_MS = 4_000;

/** Hex characters of the SHA-256 that binds a continuation token to its pipeline action (128 bits). */
export const ACTION_BINDING_LENGTH = 32;

/**
 * How long DescribeExecution may keep failing with throttling or service faults, measured from
 * the first failure (recorded in the continuation token), before the trigger stops following
 * and fails the job, saying the deployment may still be running.
 */
export const STATUS_UNREADABLE_LIMIT_MS = 5 * 60_000;
/**
 * How long past its whole-deployment deadline (start + the input document's `maxWaitSeconds`)
 * an execution may still run before the trigger fails the job. The state machine enforces the
 * deadline itself and cleans up first; this grace lets its own, more precise failure arrive.
 */
export const DEADLINE_GRACE_MS = 15 * 60_000;
/** GetExecutionHistory's largest page. */
export const HISTORY_PAGE_SIZE = 1000;
/** A Standard execution's history holds at most 25,000 events: this many pages read all of it. */
export const MAX_HISTORY_PAGES = 25;
