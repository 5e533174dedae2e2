/**
 * Event mode's fixed facts, in a module of its own (no SDK client), so that the CDK app and
 * Prepare Deployment can read them without bundling DynamoDB or Step Functions.
 */

/** The wait table's name, in the task functions' environment; set only where the orchestrator has event mode. */
export const STACK_WAIT_TABLE_ENV = 'STACK_WAIT_TABLE';

export const STACK_STATUS_CHANGE = { source: 'aws.cloudformation', detailType: 'CloudFormation Stack Status Change' } as const;

/**
 * The statuses that end a create or an update, and the deletion someone may make under a
 * deployment: what the rule lets through. Every `*_IN_PROGRESS` status stays out, so a
 * deployment's completion function runs about once per stack operation, not once per status.
 */
export const SETTLED_STACK_STATUSES = [
  'CREATE_COMPLETE',
  'CREATE_FAILED',
  'ROLLBACK_COMPLETE',
  'ROLLBACK_FAILED',
  'UPDATE_COMPLETE',
  'UPDATE_FAILED',
  'UPDATE_ROLLBACK_COMPLETE',
  'UPDATE_ROLLBACK_FAILED',
  'DELETE_COMPLETE',
  'DELETE_FAILED',
] as const;

/** The EventBridge rule's pattern, as tight as the event allows (stack names are the users', not ours). */
export const STACK_STATUS_EVENT_PATTERN = {
  source: [STACK_STATUS_CHANGE.source],
  'detail-type': [STACK_STATUS_CHANGE.detailType],
  detail: { 'status-details': { status: [...SETTLED_STACK_STATUSES] } },
};

/**
 * The wait's fallback (the Await Stack Event state's TimeoutSeconds): with no answer after this
 * long, the wait times out, and its retrier runs the task again, which reads the stack once more
 * and waits again. A lost event costs this much delay, never the deployment; a stack that outlasts
 * the budget is noticed at the first such check after the deadline.
 */
export const EVENT_FALLBACK_SECONDS = 1800;

