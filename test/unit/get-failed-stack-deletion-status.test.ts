import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/get-failed-stack-deletion-status/handler';
import { StackDeleteFailedError, DeadlineExceededError } from '../../functions/shared/errors';
import { STACK_ID, stack, stackMissing } from '../helpers/aws';
import { deployment, eventsPage, publishedStack, rejectionOf, stackEvent, stackOwnEvent, stackRecreate } from './helpers';

const cfn = mockClient(CloudFormationClient);

beforeEach(() => {
  cfn.reset();
});

describe('Get Failed Stack Deletion Status', () => {
  it('DELETE_IN_PROGRESS: not yet deleted, the next wait is longer', async () => {
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves({ Stacks: [stack('DELETE_IN_PROGRESS')] });

    const next = await handler({ deployment: deployment(), recreate: stackRecreate() });

    expect(next).toEqual({ ...stackRecreate(), polls: 1, waitedSeconds: 5, waitSeconds: 10 });
  });

  it('DELETE_COMPLETE, as the published describe-by-id answers it: deleted', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [publishedStack('cfn-ds-localstack-delete-complete-by-id.json')] });

    const next = await handler({ deployment: deployment(), recreate: stackRecreate({ polls: 1, waitedSeconds: 5, waitSeconds: 10 }) });

    expect(next).toEqual({ ...stackRecreate(), deleted: true, polls: 2, waitedSeconds: 15, waitSeconds: 0 });
  });

  it('a stack that does not exist any more is deleted', async () => {
    cfn.on(DescribeStacksCommand).rejects(stackMissing(STACK_ID));

    await expect(handler({ deployment: deployment(), recreate: stackRecreate() })).resolves.toMatchObject({ deleted: true });
  });

  it('the published DELETE_FAILED stack fails with the resource that would not delete', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [publishedStack('cfn-ds-localstack-delete-failed.json')] });
    cfn.on(DescribeStackEventsCommand, { StackName: STACK_ID }).resolves(
      eventsPage([stackOwnEvent('DELETE_FAILED'), stackEvent('BrokenPolicy', 'AWS::IAM::Policy', 'DELETE_FAILED', 'Policy is attached to a role'), stackOwnEvent('DELETE_IN_PROGRESS')]),
    );

    const error = await rejectionOf(handler({ deployment: deployment(), recreate: stackRecreate() }));

    expect(error).toBeInstanceOf(StackDeleteFailedError);
    expect(error.message).toBe(
      'Deleting the ROLLBACK_COMPLETE stack prod-app before re-creating it ended DELETE_FAILED: BrokenPolicy (AWS::IAM::Policy) DELETE_FAILED: Policy is attached to a role. Delete it in the CloudFormation console, then run the deployment again.',
    );
  });

  it('falls back to the stack\'s status reason when the events name no resource', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [publishedStack('cfn-ds-localstack-delete-failed.json')] });
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([stackOwnEvent('DELETE_IN_PROGRESS')]));

    const error = await rejectionOf(handler({ deployment: deployment(), recreate: stackRecreate() }));

    expect(error.message).toContain('ended DELETE_FAILED: stack status reason: The following resource(s) failed to delete: [BrokenPolicy].');
  });

  it('a deletion that never finishes fails once the wait limit is spent', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('DELETE_IN_PROGRESS')] });

    const error = await rejectionOf(handler({ deployment: deployment({ maxWaitSeconds: 60 }), recreate: stackRecreate({ polls: 3, waitedSeconds: 35, waitSeconds: 25 }) }));

    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error.message).toMatch(/^Deleting the failed stack prod-app had not finished when the deployment's budget of 60 seconds/);
  });
});

describe('Get Failed Stack Deletion Status right after the delete', () => {
  it('a stack still ROLLBACK_COMPLETE (the delete not yet begun) is waited for, not reported as a failed delete', async () => {
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves({ Stacks: [stack('ROLLBACK_COMPLETE')] });

    const next = await handler({ deployment: deployment(), recreate: stackRecreate() });

    expect(next).toEqual({ ...stackRecreate(), polls: 1, waitedSeconds: 5, waitSeconds: 10 });
  });
});
