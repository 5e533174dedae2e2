import { type ChangeSetSummary, CloudFormationClient, DescribeStacksCommand, ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/check-stack-existence/handler';
import { AwsCallError, AwsTransientError, StackBusyError, StackNotReadyError } from '../../functions/shared/errors';
import { STACK_ID, STACK_NAME, awsError, fixture, stack, stackMissing } from '../helpers/aws';
import { commandsSent, deployment, publishedStack, rejectionOf } from './helpers';

const cfn = mockClient(CloudFormationClient);

beforeEach(() => {
  cfn.reset();
  cfn.on(ListChangeSetsCommand).resolves({ Summaries: [] });
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
    ['UPDATE_ROLLBACK_FAILED', stack('UPDATE_ROLLBACK_FAILED'), /continue-update-rollback/],
  ])('%s fails fast with StackNotReadyError', async (_case, described, message) => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [described] });

    const error = await rejectionOf(run());

    expect(error).toBeInstanceOf(StackNotReadyError);
    expect(error.message).toMatch(message);
  });

  it('a stack mid-operation is busy: StackBusyError, saying how to wait for it', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_IN_PROGRESS')] });

    const error = await rejectionOf(run());

    expect(error).toBeInstanceOf(StackBusyError);
    expect(error.message).toMatch(/is busy \(UPDATE_IN_PROGRESS\).*"onBusy": "wait"/);
    expect(commandsSent(cfn)).toEqual(['DescribeStacks']);
  });

  it('a stack another live deployment holds (its change set is a lock record) is busy, naming that execution', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn.on(ListChangeSetsCommand).resolves({ Summaries: [lockRecord('deploy-other-run', '2026-12-04T14:02:00.000Z')] });

    const error = await rejectionOf(run());

    expect(error).toBeInstanceOf(StackBusyError);
    expect(error.message).toBe(
      'Stack prod-app is busy: execution other-run (started 14:02 UTC on 2026-12-04) is deploying it (its change set deploy-other-run). Run the deployment again once it has finished, or set "onBusy": "wait" in the input document to wait for it.',
    );
  });

  it('a lock record past its deadline, a person\'s own change set and an executed one do not block', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn.on(ListChangeSetsCommand).resolves({
      Summaries: [
        lockRecord('deploy-stale', '2020-01-01T00:00:00.000Z', '2020-01-01T01:00:00.000Z'),
        { ChangeSetName: 'my-review', StackName: STACK_NAME, Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE', Description: 'mine' } as ChangeSetSummary,
        { ...lockRecord('deploy-done', '2026-12-04T14:02:00.000Z'), ExecutionStatus: 'EXECUTE_COMPLETE' },
      ],
    });

    await expect(run()).resolves.toMatchObject({ action: 'UPDATE' });
  });

  it('with onBusy "wait", a busy stack is waited for, with backoff, within the budget', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_IN_PROGRESS')] });
    const waiting = deployment({ onBusy: 'wait', maxWaitSeconds: 60 });

    const first = await handler({ deployment: waiting });
    const second = await handler({ deployment: waiting, previous: { stack: first } });

    expect(first).toMatchObject({ action: 'WAIT', polls: 0, waitedSeconds: 0, waitSeconds: 5 });
    expect(second).toMatchObject({ action: 'WAIT', polls: 1, waitedSeconds: 5, waitSeconds: 10 });
    const spent = { ...second, waitedSeconds: 55, waitSeconds: 5 };
    await expect(handler({ deployment: waiting, previous: { stack: spent } })).rejects.toBeInstanceOf(StackBusyError);
  });

  it('after waiting, a free stack is updated and the time spent waiting is carried on', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });

    const check = await handler({ deployment: deployment({ onBusy: 'wait' }), previous: { stack: { exists: true, action: 'WAIT', note: '', polls: 2, waitedSeconds: 15, waitSeconds: 20 } } });

    expect(check).toMatchObject({ action: 'UPDATE', waitedSeconds: 35 });
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

function lockRecord(name: string, startedAt: string, deadline = '2999-01-01T00:00:00.000Z'): ChangeSetSummary {
  return {
    ChangeSetName: name,
    StackName: STACK_NAME,
    Status: 'CREATE_COMPLETE',
    ExecutionStatus: 'AVAILABLE',
    CreationTime: new Date(startedAt),
    Description: `deploy-orchestrator execution=${name.replace(/^deploy-/, '')} started=${startedAt} deadline=${deadline} template=t.yaml`,
  };
}
