import { GetExecutionHistoryCommand, ListExecutionsCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { errorMessage, errorName } from '../shared/aws-errors';
import { logger } from '../shared/logger';
import { stepFunctions } from '../shared/stepfunctions-client';
import { approvalTimeoutFromInput, approvalWaitIn, pastHalfDeadline, waitedSeconds, type ApprovalWait } from '../shared/approval-wait';
import { ApprovalCheckConfigurationError, ApprovalCheckIncompleteError } from './errors';
import { metricDocument, publishMetric, STATE_MACHINE_ARN_ENV } from './metric';

/** ListExecutions page size. */
export const LIST_PAGE_SIZE = 100;
/**
 * The most running executions one check reads (the newest, as ListExecutions returns them). With
 * one deployment per stack at a time there are far fewer; the bound keeps a run inside its timeout
 * and under GetExecutionHistory's throttling bucket.
 */
export const MAX_EXECUTIONS_CHECKED = 200;
/** History events per page: an execution waiting for approval shows it in its newest four. */
export const HISTORY_PAGE_SIZE = 25;
/**
 * Pages of one history read, newest first. Await Approval retries its Lambda at most 19 times, a
 * few events each: 100 events reach back to the state's entry.
 */
export const MAX_HISTORY_PAGES = 4;

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^\s:]{1,80}$/;

export interface ApprovalCheckSummary {
  /** Running executions read. */
  executionsChecked: number;
  /** More executions were running than one check reads. */
  executionsLeftOut: boolean;
  /** Executions waiting in Await Approval now. */
  approvalsWaiting: number;
  /** Those waiting longer than half their deadline: the metric. */
  approvalsPastHalfDeadline: number;
  /** Executions whose history did not say, within the pages read, whether they wait. */
  undetermined: number;
  /** Executions whose history could not be read. */
  unreadable: number;
  /** The longest approval wait, in seconds. */
  longestWaitSeconds?: number;
}

/**
 * Run by an EventBridge schedule: counts the approvals (Await Approval, onUnsafe: approve) that
 * have waited longer than half their deadline and publishes the count, which an alarm watches.
 * Step Functions has no metric for how long a running task has waited, so the check reads it from
 * each running execution's newest history events.
 */
export const handler = async (): Promise<ApprovalCheckSummary> => {
  const stateMachineArn = configuredStateMachineArn();
  const now = new Date();
  const { executionArns, leftOut } = await runningExecutions(stateMachineArn);
  const summary: ApprovalCheckSummary = {
    executionsChecked: executionArns.length,
    executionsLeftOut: leftOut,
    approvalsWaiting: 0,
    approvalsPastHalfDeadline: 0,
    undetermined: 0,
    unreadable: 0,
  };
  const failures: string[] = [];
  for (const executionArn of executionArns) {
    try {
      const wait = await approvalWaitOf(executionArn);
      if (wait.kind !== 'waiting') {
        if (wait.kind === 'undetermined') {
          summary.undetermined += 1;
          logger.warn('Could not tell whether the execution waits for approval', { executionArn, reason: wait.reason });
        }
        continue;
      }
      summary.approvalsWaiting += 1;
      const waited = waitedSeconds(wait.since, now);
      summary.longestWaitSeconds = Math.max(summary.longestWaitSeconds ?? 0, waited);
      const timeoutSeconds = wait.timeoutSeconds ?? (await approvalTimeoutOf(executionArn));
      if (timeoutSeconds === undefined) {
        summary.undetermined += 1;
        logger.warn('The execution waits for approval, but its deadline could not be read', { executionArn, waitedSeconds: waited });
      } else if (pastHalfDeadline(wait.since, timeoutSeconds, now)) {
        summary.approvalsPastHalfDeadline += 1;
        logger.info('An approval has waited longer than half its deadline', { executionArn, waitedSeconds: waited, approvalTimeoutSeconds: timeoutSeconds });
      }
    } catch (error) {
      summary.unreadable += 1;
      failures.push(`${executionArn} (${errorName(error)}: ${errorMessage(error)})`);
    }
  }

  publishMetric(metricDocument(stateMachineArn, summary.approvalsPastHalfDeadline, { message: 'Waiting approvals checked', ...summary }, now));
  if (leftOut) logger.warn(`More than ${MAX_EXECUTIONS_CHECKED} executions are running; only the newest ${MAX_EXECUTIONS_CHECKED} were checked`);
  if (failures.length > 0) {
    throw new ApprovalCheckIncompleteError(
      `Could not read the history of ${failures.length} of ${executionArns.length} running executions, so the count of approvals past half their deadline (${summary.approvalsPastHalfDeadline}) may be low: ${failures.slice(0, 3).join('; ')}${failures.length > 3 ? '; …' : ''}. The function's role needs states:GetExecutionHistory on the state machine's executions.`,
    );
  }
  return summary;
};

function configuredStateMachineArn(): string {
  const value = process.env[STATE_MACHINE_ARN_ENV];
  if (!value || !STATE_MACHINE_ARN.test(value)) {
    throw new ApprovalCheckConfigurationError(
      `The waiting-approvals check is misconfigured: its ${STATE_MACHINE_ARN_ENV} environment variable ${value ? `"${value}" is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)` : 'is not set'}. Redeploy the orchestrator stack.`,
    );
  }
  return value;
}

/** The newest running executions, at most MAX_EXECUTIONS_CHECKED. */
async function runningExecutions(stateMachineArn: string): Promise<{ executionArns: string[]; leftOut: boolean }> {
  const executionArns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await stepFunctions.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: LIST_PAGE_SIZE, nextToken }));
    for (const execution of page.executions ?? []) if (execution.executionArn) executionArns.push(execution.executionArn);
    nextToken = page.nextToken;
  } while (nextToken && executionArns.length < MAX_EXECUTIONS_CHECKED);
  return { executionArns: executionArns.slice(0, MAX_EXECUTIONS_CHECKED), leftOut: executionArns.length > MAX_EXECUTIONS_CHECKED || nextToken !== undefined };
}

/** Whether the execution waits for approval, from its newest events, read without their data. */
async function approvalWaitOf(executionArn: string): Promise<ApprovalWait> {
  const events: HistoryEvent[] = [];
  for await (const page of newestEvents(executionArn, false)) {
    events.push(...page);
    const wait = approvalWaitIn(events);
    if (wait.kind !== 'read-further') return wait;
  }
  return { kind: 'undetermined', reason: `no state entry among its newest ${events.length} events` };
}

/**
 * The deadline from the state's input, read with the events' data: only when the attempt's own
 * event did not carry its resolved timeout.
 */
async function approvalTimeoutOf(executionArn: string): Promise<number | undefined> {
  for await (const page of newestEvents(executionArn, true)) {
    const timeout = approvalTimeoutFromInput(page);
    if (timeout !== undefined) return timeout;
  }
  return undefined;
}

async function* newestEvents(executionArn: string, includeExecutionData: boolean): AsyncGenerator<HistoryEvent[]> {
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const history = await stepFunctions.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, includeExecutionData, maxResults: HISTORY_PAGE_SIZE, nextToken }),
    );
    yield history.events ?? [];
    nextToken = history.nextToken;
    if (!nextToken) return;
  }
}
