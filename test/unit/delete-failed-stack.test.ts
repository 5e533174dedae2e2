import { CloudFormationClient, DeleteStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/delete-failed-stack/handler';
import { AwsCallError, AwsTransientError, StackNotReadyError } from '../../functions/shared/errors';
import { STACK_ID, awsError, stack } from '../helpers/aws';
import { ROLE_ARN, commandsSent, deployment, publishedStack, rejectionOf, stackCheck } from './helpers';

const cfn = mockClient(CloudFormationClient);
const ROLLBACK_COMPLETE = stackCheck({ action: 'RECREATE', status: 'ROLLBACK_COMPLETE' });

beforeEach(() => {
  cfn.reset();
  cfn.on(DeleteStackCommand).resolves({});
});

describe('Delete Failed Stack', () => {
  it('re-checks the stack by id, then deletes it by id with the role and a delete token', async () => {
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves({ Stacks: [stack('ROLLBACK_COMPLETE')] });

    const recreate = await handler({ deployment: deployment({ roleArn: ROLE_ARN }), stack: ROLLBACK_COMPLETE });

    expect(commandsSent(cfn)).toEqual(['DescribeStacks', 'DeleteStack']);
    expect(cfn.commandCalls(DescribeStacksCommand)[0].args[0].input).toEqual({ StackName: STACK_ID });
    expect(cfn.commandCalls(DeleteStackCommand)[0].args[0].input).toEqual({ StackName: STACK_ID, RoleARN: ROLE_ARN, ClientRequestToken: 'deploy-exec-1-delete' });
    expect(recreate).toEqual({
      deletedStackId: STACK_ID,
      previousStatus: 'ROLLBACK_COMPLETE',
      note: 'Stack prod-app was ROLLBACK_COMPLETE (a failed first create, no resources): deleted and created afresh.',
      deleted: false,
      polls: 0,
      waitedSeconds: 0,
      waitSeconds: 5,
    });
  });

  it('deletes without a role when the deployment has none', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('ROLLBACK_COMPLETE')] });

    await handler({ deployment: deployment(), stack: ROLLBACK_COMPLETE });

    expect(cfn.commandCalls(DeleteStackCommand)[0].args[0].input.RoleARN).toBeUndefined();
  });

  it.each(['DELETE_IN_PROGRESS', 'DELETE_COMPLETE'])('repeats the delete of a retried task that finds the stack %s', async (status) => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack(status)] });

    await handler({ deployment: deployment(), stack: ROLLBACK_COMPLETE });

    expect(commandsSent(cfn)).toEqual(['DescribeStacks', 'DeleteStack']);
  });

  it.each([
    ['the published DELETE_FAILED stack', publishedStack('cfn-ds-localstack-delete-failed.json'), 'DELETE_FAILED'],
    ['a stack in any other status', stack('UPDATE_COMPLETE'), 'UPDATE_COMPLETE'],
  ])('does not delete %s: it is no longer ROLLBACK_COMPLETE', async (_case, described, status) => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [described] });

    const error = await rejectionOf(handler({ deployment: deployment(), stack: ROLLBACK_COMPLETE }));

    expect(error).toBeInstanceOf(StackNotReadyError);
    expect(error.message).toBe(`Stack prod-app changed from ROLLBACK_COMPLETE to ${status} while the deployment ran; it was not deleted. Run the deployment again.`);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('does not delete when the re-check fails', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    await expect(handler({ deployment: deployment(), stack: ROLLBACK_COMPLETE })).rejects.toBeInstanceOf(AwsTransientError);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it.each([
    ['throttled', awsError('Throttling', 'Rate exceeded'), AwsTransientError],
    ['denied', awsError('AccessDenied', 'not authorized to perform: cloudformation:DeleteStack', 403), AwsCallError],
  ])('a %s DeleteStack is classified', async (_case, error, expected) => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('ROLLBACK_COMPLETE')] });
    cfn.on(DeleteStackCommand).rejects(error);

    const thrown = await rejectionOf(handler({ deployment: deployment(), stack: ROLLBACK_COMPLETE }));

    expect(thrown).toBeInstanceOf(expected);
    expect(thrown.message).toContain('CloudFormation DeleteStack prod-app failed');
  });
});
