import { PublishCommand } from '@aws-sdk/client-sns';
import { logger } from '../shared/logger';
import { sns } from '../shared/sns-client';
import { awsCall } from '../shared/aws-errors';
import { InvalidInputError } from '../shared/errors';
import { describeOffending } from '../shared/offending';
import { executionConsoleUrl, withLink } from '../shared/console-links';
import type { ChangeSetState, Deployment, Inspection } from '../shared/state';

import { APPROVAL_TOPIC_ENV } from '../shared/approvals';

/**
 * The Await Approval state (`lambda:invoke.waitForTaskToken`, onUnsafe: approve): the unsafe
 * change set is kept, not executed, and a person is asked. The request says what would be removed
 * or replaced and why it was blocked, and how to answer. The task token is not in it: an answer
 * goes through the Step Functions API (the CLI reads the token from the execution's history), so
 * only principals that IAM lets answer this state machine's tasks can answer.
 */
export interface AwaitApprovalEvent {
  deployment: Deployment;
  changeSet: ChangeSetState;
  inspection: Inspection;
  executionArn: string;
  taskToken: string;
}

export const handler = async (event: AwaitApprovalEvent): Promise<{ notified: boolean }> => {
  const { deployment, changeSet, inspection, executionArn } = event;
  if (!event.taskToken || !executionArn || !changeSet?.id || !inspection) {
    throw new InvalidInputError('Await Approval needs taskToken ($$.Task.Token), executionArn, the change set and its inspection.');
  }
  const request = approvalRequest(event);
  logger.info('Approval requested', { stackName: deployment.stackName, changeSetName: changeSet.name, blocked: inspection.counts.blocked });
  const topicArn = process.env[APPROVAL_TOPIC_ENV];
  if (!topicArn) {
    logger.warn('No approval topic configured: the request is in the execution only', { variable: APPROVAL_TOPIC_ENV });
    return { notified: false };
  }
  await awsCall(`SNS Publish ${topicArn}`, () => sns.send(new PublishCommand({ TopicArn: topicArn, Subject: request.subject, Message: request.message })));
  return { notified: true };
};

/** What the person reads: the blocked changes, and the two answers. */
export function approvalRequest({ deployment, changeSet, inspection, executionArn }: AwaitApprovalEvent): { subject: string; message: string } {
  const { removals, replacements } = inspection.counts;
  const what = [replacements ? `${replacements} replacement${replacements === 1 ? '' : 's'}` : '', removals ? `${removals} removal${removals === 1 ? '' : 's'}` : '']
    .filter(Boolean)
    .join(', ');
  const minutes = Math.round((deployment.approvalTimeoutSeconds ?? 0) / 60);
  const subject = `Approval needed: stack ${deployment.stackName} (${what || 'unsafe change'})`.slice(0, 99);
  const message = [
    `The change set ${changeSet.name} on stack ${deployment.stackName} would remove or replace resources the safety policy protects. It is kept, not executed, for ${minutes} minute(s).`,
    '',
    'Blocked changes:',
    ...inspection.offending.map(describeOffending),
    ...(inspection.offendingCount > inspection.offending.length ? [`- … and ${inspection.offendingCount - inspection.offending.length} more (the execution's output, inspection.offending)`] : []),
    '',
    'To execute exactly this change set:',
    `  npx deploy-orchestrator approve ${executionArn} --reason "why"`,
    'To delete it and fail the deployment:',
    `  npx deploy-orchestrator reject ${executionArn} --reason "why"`,
    '',
    `Or in the Step Functions console: ${withLink('the execution', executionConsoleUrl(executionArn))}, its Await Approval step; answer with SendTaskSuccess / SendTaskFailure (README, "Approving an unsafe change").`,
    'Only principals with the orchestrator\'s approver policy can answer. No answer deletes the change set when the time is up.',
  ].join('\n');
  return { subject, message };
}
