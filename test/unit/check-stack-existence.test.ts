import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/check-stack-existence/handler';
import { AwsCallError, AwsTransientError, StackNotReadyError } from '../../functions/shared/errors';
import { STACK_ID, STACK_NAME, awsError, fixture, stack, stackMissing } from '../helpers/aws';
import { commandsSent, deployment, publishedStack, rejectionOf } from './helpers';

const cfn = mockClient(CloudFormationClient);

beforeEach(() => {
  cfn.reset();
});

const run = () => handler({ deployment: deployment() });

describe('Check Stack Existence', () => {
  it('a stack CloudFormation says does not exist is created', async () => {
    cfn.on(DescribeStacksCommand).rejects(stackMissing(STACK_NAME));

    const check = await run();

    expect(check).toEqual({ exists: false, action: 'CREATE', note: 'Stack prod-app does not exist: it is created.' });
    expect(cfn.commandCalls(DescribeStacksCommand)[0].args[0].input).toEqual({ StackName: STACK_NAME });
  });

  it('a DELETE_COMPLETE stack (published) counts as absent', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [publishedStack('cfn-ds-localstack-delete-complete-by-id.json')] });

    const check = await run();

    expect(check).toMatchObject({ exists: false, action: 'CREATE' });
  });

  it('an existing stack is updated, and its id and status are kept', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });

    const check = await run();

    expect(check).toEqual({
      exists: true,
      stackId: STACK_ID,
      status: 'UPDATE_COMPLETE',
      action: 'UPDATE',
      note: 'Stack prod-app exists (UPDATE_COMPLETE): it is updated through a change set that is inspected first.',
    });
  });

  it('the published ROLLBACK_COMPLETE stack is to be deleted and re-created', async () => {
    const published = publishedStack('cfn-ds-localstack-rollback-complete-stack.json');
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [published] });

    const check = await run();

    expect(check).toMatchObject({ exists: true, action: 'RECREATE', status: 'ROLLBACK_COMPLETE', stackId: published.StackId });
  });

  it('the published REVIEW_IN_PROGRESS shell is created through a CREATE change set', async () => {
    cfn.on(DescribeStacksCommand).resolves(fixture('cloudformation/cfn-ds-localstack-review-in-progress.json'));

    const check = await run();

    expect(check).toMatchObject({ exists: true, action: 'CREATE_WITH_CHANGE_SET', status: 'REVIEW_IN_PROGRESS' });
  });

  it.each([
    ['the published ROLLBACK_FAILED stack', publishedStack('cfn-ds-localstack-rollback-failed.json'), /is ROLLBACK_FAILED/],
    ['a busy stack', stack('UPDATE_IN_PROGRESS'), /is busy \(UPDATE_IN_PROGRESS\)/],
    ['UPDATE_ROLLBACK_FAILED', stack('UPDATE_ROLLBACK_FAILED'), /continue-update-rollback/],
  ])('%s fails fast with StackNotReadyError', async (_case, described, message) => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [described] });

    const error = await rejectionOf(run());

    expect(error).toBeInstanceOf(StackNotReadyError);
    expect(error.message).toMatch(message);
  });

  it.each([
    ['throttling', awsError('Throttling', 'Rate exceeded'), AwsTransientError],
    ['access denied', awsError('AccessDenied', 'User is not authorized to perform: cloudformation:DescribeStacks', 403), AwsCallError],
    ['another ValidationError', awsError('ValidationError', 'Stack [prod-app] does not exist'), AwsCallError],
  ])('%s is an error, never "the stack does not exist"', async (_case, error, expected) => {
    cfn.on(DescribeStacksCommand).rejects(error);

    await expect(run()).rejects.toBeInstanceOf(expected);
    expect(commandsSent(cfn)).toEqual(['DescribeStacks']);
  });
});
