import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { errorName } from '../functions/shared/aws-errors';
import { APPROVAL_REJECTED, approvalOutput, rejectionCause } from '../functions/shared/approvals';
import { approvalWaitIn } from '../functions/shared/approval-wait';
import { UsageError } from './errors';

/** A person's answer to an execution waiting in Await Approval. */
export interface ApprovalAnswer {
  approve: boolean;
  reason?: string;
}

export interface AnsweredApproval {
  approver: string;
  changeSetName: string;
  stackName: string;
}

interface WaitingApproval {
  token: string;
  changeSetId: string;
  changeSetName: string;
  stackName: string;
}

const HISTORY_PAGES = 20;

/**
 * Answers an execution's approval request through the Step Functions API, as a console user would:
 * the task token is read from the execution's history (the TaskScheduled event of Await
 * Approval), and the answer names who gave it. Only principals that IAM lets call
 * SendTaskSuccess / SendTaskFailure on the state machine can answer.
 */
export async function answerApproval(executionArn: string, answer: ApprovalAnswer, sfn = new SFNClient({}), sts = new STSClient({})): Promise<AnsweredApproval> {
  const execution = await sfn.send(new DescribeExecutionCommand({ executionArn })).catch((error: unknown) => {
    throw new UsageError(`Cannot read the execution ${executionArn}: ${(error as Error).message}`);
  });
  if (execution.status !== 'RUNNING') throw new UsageError(`The execution ${executionArn} is ${execution.status}: nothing is waiting for an answer.`);
  const waiting = await waitingApproval(sfn, executionArn);
  if (!waiting) throw new UsageError(`The execution ${executionArn} is not waiting for an approval (no Await Approval step is open).`);
  const approver = await sts
    .send(new GetCallerIdentityCommand({}))
    .then((identity) => identity.Arn ?? 'an unnamed principal (GetCallerIdentity gave no ARN)')
    // Said as unverified, never passed off as an ARN: CloudTrail's SendTask* record names the caller for sure.
    .catch((error: unknown) => `unverified local user ${process.env.USER ?? '(unknown)'} (GetCallerIdentity failed: ${errorName(error)})`);
  try {
    if (answer.approve) {
      const output = approvalOutput(approver, waiting.changeSetId, answer.reason);
      await sfn.send(new SendTaskSuccessCommand({ taskToken: waiting.token, output: JSON.stringify(output) }));
    } else {
      await sfn.send(new SendTaskFailureCommand({ taskToken: waiting.token, error: APPROVAL_REJECTED, cause: rejectionCause(approver, answer.reason) }));
    }
  } catch (error) {
    const name = errorName(error);
    if (name === 'TaskTimedOut' || name === 'TaskDoesNotExist') throw new UsageError(`The approval request of ${executionArn} is no longer waiting: it was answered, or it timed out.`);
    if (/AccessDenied/.test(name)) {
      throw new UsageError(`${approver} may not answer this state machine's approvals: attach the orchestrator's approver policy (stack output ApproverPolicyArn) to answer.`);
    }
    throw error;
  }
  return { approver, changeSetName: waiting.changeSetName, stackName: waiting.stackName };
}

/**
 * The open Await Approval attempt of the execution, if it waits in that state now: read newest
 * first (approval-wait.ts), so an attempt that already ended (answered, timed out) is not taken.
 */
async function waitingApproval(sfn: SFNClient, executionArn: string): Promise<WaitingApproval | undefined> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < HISTORY_PAGES; page++) {
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, includeExecutionData: true, nextToken }));
    events.push(...(history.events ?? []));
    const wait = approvalWaitIn(events);
    if (wait.kind === 'waiting') return approvalTask(wait.scheduled);
    if (wait.kind !== 'read-further') return undefined;
    nextToken = history.nextToken;
    if (!nextToken) return undefined;
  }
  return undefined;
}

function approvalTask(event: HistoryEvent): WaitingApproval | undefined {
  if (event.type !== 'TaskScheduled' || event.taskScheduledEventDetails?.resource !== 'invoke.waitForTaskToken') return undefined;
  try {
    const parameters = JSON.parse(event.taskScheduledEventDetails.parameters ?? '{}') as {
      Payload?: { taskToken?: string; inspection?: unknown; changeSet?: { id?: string; name?: string }; deployment?: { stackName?: string } };
    };
    const payload = parameters.Payload;
    if (!payload?.taskToken || !payload.inspection || !payload.changeSet?.id) return undefined;
    return { token: payload.taskToken, changeSetId: payload.changeSet.id, changeSetName: payload.changeSet.name ?? payload.changeSet.id, stackName: payload.deployment?.stackName ?? '' };
  } catch {
    return undefined;
  }
}
