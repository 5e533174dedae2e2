import { DescribeExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { DEFAULT_MAX_WAIT_SECONDS, MAX_MAX_WAIT_SECONDS, MIN_MAX_WAIT_SECONDS } from '../shared/limits';
import { logger } from '../shared/logger';
import { changeSetNameFor } from '../shared/names';
import { stepFunctions } from './clients';
import { describeError, errorName, isAccessDenied, isTransient } from './aws-call-errors';
import { executionConsoleUrl, stackConsoleUrl, withLink } from '../shared/console-links';
import { encodeContinuationToken, type ContinuationToken } from './continuation-token';
import { ContinuationTokenError, ExecutionMissingError, ExecutionOverdueError, ExecutionStatusUnknownError, TriggerAwsCallError, TriggerPermissionError } from './errors';
import { failureReport } from './execution-failure';
import { successReport } from './execution-output';
import { AWAIT_APPROVAL_STATE } from '../shared/approval-wait';
import { approvalWaitSummary, blockedChangesAwaitingApproval } from './approval-summary';
import type { JobOutcome } from './job-result';
import { DEADLINE_GRACE_MS, STATUS_UNREADABLE_LIMIT_MS } from './limits';
import { currentStateOf, percentCompleteFor } from './progress';
import { findingsFrom, readHistory, stoppedExecutionNotes } from './stopped-execution';

const ENDED_WITHOUT_SUCCESS = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);
const STOPPED = new Set(['TIMED_OUT', 'ABORTED']);
const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60_000;

/** What the trigger knows about the execution it follows: the continuation token without its version. */
export type Following = Omit<ContinuationToken, 'v'>;

/**
 * Where the deployment stands, as a job outcome: still running (continue), succeeded (summary and
 * output variables) or ended otherwise (the execution's error and cause). The following is
 * bounded: status reads that keep failing, or an execution running past its deadline, fail the job.
 */
export async function followDeployment(token: Following): Promise<JobOutcome> {
  // A start time ahead of the clock (an edited token) would put the deadline off for ever: it counts from now.
  const following = { ...token, startedAt: Math.min(token.startedAt, Date.now()) };
  let execution: DescribeExecutionCommandOutput;
  try {
    execution = await stepFunctions.send(new DescribeExecutionCommand({ executionArn: following.executionArn }));
  } catch (error) {
    if (isTransient(error)) return statusUnreadable(following, error);
    throw followError(error, following.executionArn);
  }
  return outcomeOfExecution(execution, { ...following, failingSince: undefined });
}

/** The job outcome for an execution just described. */
export async function outcomeOfExecution(execution: DescribeExecutionCommandOutput, following: Following): Promise<JobOutcome> {
  const { executionArn } = following;
  const executionName = nameOf(executionArn);
  const status = execution.status ?? 'UNKNOWN';
  logger.info('Execution status', { status });

  if (status === 'SUCCEEDED') {
    const report = successReport(execution.output, executionName);
    if (report.leftOut.length) logger.warn('Stack outputs left out of the output variables', { leftOut: report.leftOut });
    return { kind: 'succeed', summary: report.summary, executionArn, outputVariables: report.outputVariables, ...(report.decision ? { decision: report.decision } : {}) };
  }
  if (ENDED_WITHOUT_SUCCESS.has(status)) {
    const report = failureReport(status, execution.error, execution.cause, executionName);
    const notes = STOPPED.has(status) ? await stoppedNotes(execution, executionArn, executionName) : [];
    return { kind: 'fail', type: report.type, message: [report.message, ...notes].join(' '), executionArn };
  }
  if (status !== 'RUNNING' && status !== 'PENDING_REDRIVE') {
    // A status this trigger does not know yet: keep following rather than fail a live deployment;
    // the deadline below bounds the wait.
    logger.warn('Unknown execution status; treating it as still running', { status });
  }
  checkDeadline(execution, following);
  const current = await currentStateOf(executionArn);
  const state = current?.name;
  if (current && state === AWAIT_APPROVAL_STATE) {
    // One more read, with the states' data, only now: what the person is asked to approve.
    const blocked = await blockedChangesAwaitingApproval(executionArn, current.eventsSinceEntered);
    return continueLater(following, approvalWaitSummary(blocked, executionArn, executionName), percentCompleteFor(state));
  }
  const where = state ? `: in "${state}"` : status === 'RUNNING' ? '' : `, status ${status}`;
  return continueLater(following, `Deployment running${where} (execution ${executionName}).`, percentCompleteFor(state));
}

function continueLater(following: Following, summary: string, percentComplete?: number): JobOutcome {
  return { kind: 'continue', continuationToken: encodeContinuationToken(following), summary, executionArn: following.executionArn, percentComplete };
}

function nameOf(executionArn: string): string {
  return executionArn.slice(executionArn.lastIndexOf(':') + 1);
}

/**
 * A status read that failed for now. The deployment itself is unaffected, so the job continues,
 * remembering when the reads began to fail; once they have failed for longer than the limit, the
 * job fails rather than stay in progress for ever, saying the deployment may still be running.
 */
function statusUnreadable(following: Following, error: unknown): JobOutcome {
  const now = Date.now();
  const failingSince = Math.min(following.failingSince ?? now, now);
  const executionName = nameOf(following.executionArn);
  if (now - failingSince >= STATUS_UNREADABLE_LIMIT_MS) {
    throw new ExecutionStatusUnknownError(
      `The status of the deployment's execution ${following.executionArn} could not be read for ${minutes(now - failingSince)} minutes (last answer: ${describeError(error)}), so the trigger stops following it. The deployment may still be running, and the stack may still be changing: look at the execution in the Step Functions console${linkSuffix(executionConsoleUrl(following.executionArn))} and at the stack in the CloudFormation console before retrying the stage.`,
      { cause: error },
    );
  }
  logger.warn('Could not read the execution status; checking again on the next invocation', { reason: describeError(error), failingSince });
  return continueLater(
    { ...following, failingSince },
    `Deployment running (execution ${executionName}); its status could not be read this time (${errorName(error)}), checking again.`,
  );
}

/**
 * The whole-deployment deadline: the input document's `maxWaitSeconds` from the execution's start,
 * which the state machine enforces itself. The trigger gives it a grace period to report its own
 * failure (after cleaning up), then stops following. The start is the trigger's own reading when
 * it started the execution (by its clock, as `now` is).
 */
function checkDeadline(execution: DescribeExecutionCommandOutput, following: Following): void {
  const now = Date.now();
  const maxWaitSeconds = maxWaitSecondsOf(execution.input);
  const { startedAt } = following;
  const deadline = startedAt + maxWaitSeconds * MS_PER_SECOND + DEADLINE_GRACE_MS;
  if (now <= deadline) return;
  const stackName = stackNameOf(execution.input);
  throw new ExecutionOverdueError(
    `The deployment's execution ${following.executionArn} is still running ${minutes(now - startedAt)} minutes after it started, past its deadline (maxWaitSeconds ${maxWaitSeconds} in the input document, plus ${minutes(DEADLINE_GRACE_MS)} minutes for its own clean-up), so the trigger stops following it. The execution was not stopped: the deployment may still be running and ${stackName ? `stack ${stackName}` : 'the stack'} may still be changing. Look at the execution in the Step Functions console${linkSuffix(executionConsoleUrl(following.executionArn))}${stackName ? ` and at the stack in the CloudFormation console${linkSuffix(stackConsoleUrl(stackName, following.executionArn))}` : ''} before retrying the stage; raise maxWaitSeconds if the stack is only slow.`,
  );
}

async function stoppedNotes(execution: DescribeExecutionCommandOutput, executionArn: string, executionName: string): Promise<string[]> {
  const history = await readHistory(executionArn);
  const stackName = stackNameOf(execution.input);
  return stoppedExecutionNotes(history && findingsFrom(history), {
    stackName,
    changeSetName: changeSetNameFor(executionName),
    stackUrl: stackName ? stackConsoleUrl(stackName, executionArn) : undefined,
  });
}

/** The execution input as far as the trigger reads it: leniently, since a missing field only loses detail. */
function inputOf(input: string | undefined): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(input ?? '');
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function maxWaitSecondsOf(input: string | undefined): number {
  const value = inputOf(input).maxWaitSeconds;
  return typeof value === 'number' && Number.isInteger(value) && value >= MIN_MAX_WAIT_SECONDS && value <= MAX_MAX_WAIT_SECONDS ? value : DEFAULT_MAX_WAIT_SECONDS;
}

/** `<environmentName>-<stackName>`, the stack the deployment changes. */
function stackNameOf(input: string | undefined): string | undefined {
  const { environmentName, stackName } = inputOf(input);
  return typeof environmentName === 'string' && typeof stackName === 'string' ? `${environmentName}-${stackName}` : undefined;
}

function minutes(ms: number): number {
  return Math.round(ms / MS_PER_MINUTE);
}

function linkSuffix(url: string | undefined): string {
  return url ? ` (${url})` : '';
}

function followError(error: unknown, executionArn: string): Error {
  const name = errorName(error);
  if (name === 'ExecutionDoesNotExist') {
    return new ExecutionMissingError(
      `The deployment's execution ${executionArn} no longer exists (${describeError(error)}), so its result cannot be known. Check the stack in the CloudFormation console, then retry the pipeline stage to start a fresh deployment.`,
      { cause: error },
    );
  }
  if (name === 'InvalidArn') {
    return new ContinuationTokenError(`The continuation token's execution ARN is not valid (${describeError(error)}). Retry the pipeline stage to start a fresh deployment.`, { cause: error });
  }
  if (isAccessDenied(error)) {
    return new TriggerPermissionError(`The trigger may not read the execution ${executionArn} (${describeError(error)}). Grant its role states:DescribeExecution and states:GetExecutionHistory on the state machine's executions.`, { cause: error });
  }
  return new TriggerAwsCallError(
    `Could not read the deployment's execution ${executionArn}: ${describeError(error)}. The deployment may still be running: look at ${withLink('the execution', executionConsoleUrl(executionArn))} before retrying the stage.`,
    { cause: error },
  );
}
