/**
 * Every error a task Lambda throws on purpose. Step Functions matches `ErrorEquals` against the
 * Lambda error's name, so each class sets `name` to a string literal (it survives minification)
 * and the ASL's Retry and Catch blocks name these literals.
 */

export abstract class DeploymentError extends Error {
  /** Whether the ASL retries this error (transient) or routes it straight to "Deployment Failed". */
  abstract readonly retryable: boolean;
}

/** The deployment's input document, artifact or template is wrong. Nothing was created or changed. */
export class InvalidInputError extends DeploymentError {
  override readonly name = 'InvalidInputError' as const;
  readonly retryable = false;
}

/** The stack is in a status that cannot take a change; the message says what the operator must do. */
export class StackNotReadyError extends DeploymentError {
  override readonly name = 'StackNotReadyError' as const;
  readonly retryable = false;
}

/** A stack create ended in a failed status. */
export class StackCreateFailedError extends DeploymentError {
  override readonly name = 'StackCreateFailedError' as const;
  readonly retryable = false;
}

/** An executed change set did not reach a complete status (it rolled back or failed). */
export class StackUpdateFailedError extends DeploymentError {
  override readonly name = 'StackUpdateFailedError' as const;
  readonly retryable = false;
}

/** Deleting a stack left over from a failed first create did not finish. */
export class StackDeleteFailedError extends DeploymentError {
  override readonly name = 'StackDeleteFailedError' as const;
  readonly retryable = false;
}

/** CloudFormation could not create the change set for a reason other than "no changes". */
export class ChangeSetFailedError extends DeploymentError {
  override readonly name = 'ChangeSetFailedError' as const;
  readonly retryable = false;
}

/**
 * The deployment's one budget (`maxWaitSeconds`, counted from the execution's start) ran out before
 * anything was executed: nothing was changed, and the change set (if any) is cleaned up.
 */
export class DeadlineExceededError extends DeploymentError {
  override readonly name = 'DeadlineExceededError' as const;
  readonly retryable = false;
}

/**
 * After CloudFormation accepted the create or the execute, the stack's final status could not be
 * learned (the deadline passed, or its status could not be read): it may still be changing.
 */
export class StackOutcomeUnknownError extends DeploymentError {
  override readonly name = 'StackOutcomeUnknownError' as const;
  readonly retryable = false;
}

/** Another deployment holds the stack (its change set is older, or the stack is mid-operation). */
export class StackBusyError extends DeploymentError {
  override readonly name = 'StackBusyError' as const;
  readonly retryable = false;
}

/**
 * Lost the race for the stack to an older deployment, with `"onBusy": "wait"`: its own change set
 * is already deleted, and the ASL goes back to Check Stack Existence, which waits for the stack.
 */
export class StackBusyWaitError extends DeploymentError {
  override readonly name = 'StackBusyWaitError' as const;
  readonly retryable = false;
}

/**
 * This deployment's change set disappeared before it was executed: CloudFormation deletes a stack's
 * other change sets when one is executed, so someone else changed the stack meanwhile.
 */
export class ChangeSetSupersededError extends DeploymentError {
  override readonly name = 'ChangeSetSupersededError' as const;
  readonly retryable = false;
}

/**
 * The operation a status task polls is still running. Not a failure: the status task's first
 * retrier waits and polls again (a retry is one state transition, where a Wait, Task and Choice loop
 * is three), until the deployment's budget runs out.
 */
export class StillInProgressError extends DeploymentError {
  override readonly name = 'StillInProgressError' as const;
  readonly retryable = true;
}

/** The deployment's targetRoleArn could not be assumed (its trust policy, or the orchestrator's policy, says no). */
export class TargetAccessDeniedError extends DeploymentError {
  override readonly name = 'TargetAccessDeniedError' as const;
  readonly retryable = false;
}

/**
 * A person approved an unsafe change set, and it is no longer the one they reviewed: it is gone, or
 * no longer AVAILABLE (the stack changed since), or the approval names another change set. Nothing
 * is executed.
 */
export class ApprovalStaleError extends DeploymentError {
  override readonly name = 'ApprovalStaleError' as const;
  readonly retryable = false;
}

/** Throttling or a server-side fault from an AWS API: the ASL retries the state with backoff. */
export class AwsTransientError extends DeploymentError {
  override readonly name = 'AwsTransientError' as const;
  readonly retryable = true;
}

/** Any other error from an AWS API (access denied, validation): not retried, reported with the call that failed. */
export class AwsCallError extends DeploymentError {
  override readonly name = 'AwsCallError' as const;
  readonly retryable = false;
}

/** The handler was deployed without a setting it needs (an environment variable). */
export class ConfigurationError extends DeploymentError {
  override readonly name = 'ConfigurationError' as const;
  readonly retryable = false;
}

/** Error names the ASL retries with backoff, besides the Lambda service's own transient errors. */
export const RETRYABLE_ERROR_NAMES = ['AwsTransientError'] as const;

/**
 * onUnsafe new-stack: the new generation would take names the live stack holds (fixed physical
 * names, export names). Nothing was created; the live stack is untouched.
 */
export class NameCollisionError extends DeploymentError {
  override readonly name = 'NameCollisionError' as const;
  readonly retryable = false;
}

/** onUnsafe new-stack: a new generation would make more than maxStacks of them. Nothing was created. */
export class TooManyStacksError extends DeploymentError {
  override readonly name = 'TooManyStacksError' as const;
  readonly retryable = false;
}
