/**
 * The CLI's approval answer (`approve` / `reject`), at the SDK boundary: the token comes from the
 * execution's history; only a principal IAM allows can answer, and one it does not is told what
 * to attach; a request that is no longer open is said to be so.
 */
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { answerApproval } from '../../cli/approval';
import { UsageError } from '../../cli/errors';
import { awsError } from '../helpers/aws';

const sfn = mockClient(SFNClient);
const sts = mockClient(STSClient);

const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:deploy-orchestrator:codepipeline-1';
const CHANGE_SET_ID = 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/deploy-codepipeline-1/1f2e3d4c';
const APPROVER = 'arn:aws:sts::123456789012:assumed-role/release-managers/alice';
const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAQ==token';

/** The Await Approval task as Step Functions records it: the Lambda's payload carries the token. */
const scheduled: HistoryEvent = {
  id: 12,
  type: 'TaskScheduled',
  timestamp: new Date('2026-12-04T10:00:00Z'),
  taskScheduledEventDetails: {
    resourceType: 'lambda',
    resource: 'invoke.waitForTaskToken',
    region: 'us-east-1',
    parameters: JSON.stringify({
      FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:AwaitApproval',
      Payload: { taskToken: TOKEN, inspection: { safe: false }, changeSet: { id: CHANGE_SET_ID, name: 'deploy-codepipeline-1' }, deployment: { stackName: 'prod-orders' } },
    }),
  },
};

const entered: HistoryEvent = { id: 11, type: 'TaskStateEntered', timestamp: new Date('2026-12-04T10:00:00Z'), stateEnteredEventDetails: { name: 'Await Approval' } };

beforeEach(() => {
  sfn.reset();
  sts.reset();
  sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION, status: 'RUNNING', stateMachineArn: 'arn', startDate: new Date() });
  sfn.on(GetExecutionHistoryCommand).resolves({ events: [{ id: 13, type: 'TaskStarted', timestamp: new Date() }, scheduled, entered] });
  sts.on(GetCallerIdentityCommand).resolves({ Arn: APPROVER });
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
});

describe('answerApproval', () => {
  it('approves exactly the reviewed change set with the token from the history, naming the caller as approver', async () => {
    const answered = await answerApproval(EXECUTION, { approve: true, reason: 'planned rename' });

    expect(answered).toEqual({ approver: APPROVER, changeSetName: 'deploy-codepipeline-1', stackName: 'prod-orders' });
    const sent = sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input;
    expect(sent.taskToken).toBe(TOKEN);
    expect(JSON.parse(sent.output ?? '{}')).toMatchObject({ approved: true, approver: APPROVER, reason: 'planned rename', changeSetId: CHANGE_SET_ID });
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[0].args[0].input).toMatchObject({ executionArn: EXECUTION, reverseOrder: true, includeExecutionData: true });
  });

  it('rejects with ApprovalRejected, naming who and why', async () => {
    await answerApproval(EXECUTION, { approve: false, reason: 'loses data' });

    expect(sfn.commandCalls(SendTaskFailureCommand)[0].args[0].input).toMatchObject({ taskToken: TOKEN, error: 'ApprovalRejected', cause: expect.stringContaining(`${APPROVER}: loses data`) });
  });

  it('an approver whose identity cannot be read is named as unverified, not passed off as an ARN', async () => {
    sts.on(GetCallerIdentityCommand).rejects(awsError('ExpiredToken', 'The security token included in the request is expired', 400));

    const answered = await answerApproval(EXECUTION, { approve: true });

    expect(answered.approver).toMatch(/^unverified local user \S+ \(GetCallerIdentity failed: ExpiredToken\)$/);
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input.output ?? '{}').approver).toBe(answered.approver);
  });

  it('an unauthorised caller is told to attach the approver policy, and nothing is answered', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(awsError('AccessDeniedException', `User: ${APPROVER} is not authorized to perform: states:SendTaskSuccess`, 400));

    const error = await answerApproval(EXECUTION, { approve: true }).catch((thrown: Error) => thrown);

    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`${APPROVER} may not answer this state machine's approvals: attach the orchestrator's approver policy (stack output ApproverPolicyArn) to answer.`);
  });

  it('a request already answered or timed out is said to be no longer waiting', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(awsError('TaskTimedOut', 'Task Timed Out: Provided task does not exist anymore', 400));

    await expect(answerApproval(EXECUTION, { approve: true })).rejects.toThrow(`The approval request of ${EXECUTION} is no longer waiting: it was answered, or it timed out.`);
  });

  it('an approval already answered is not answered again, though its TaskScheduled is still the newest in the history', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 16, type: 'TaskStateEntered', timestamp: new Date(), stateEnteredEventDetails: { name: 'Execute Change Set' } },
        { id: 15, type: 'TaskStateExited', timestamp: new Date(), stateExitedEventDetails: { name: 'Await Approval' } },
        { id: 14, type: 'TaskSucceeded', timestamp: new Date() },
        { id: 13, type: 'TaskStarted', timestamp: new Date() },
        scheduled,
        entered,
      ],
    });

    await expect(answerApproval(EXECUTION, { approve: true })).rejects.toThrow('is not waiting for an approval (no Await Approval step is open)');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toEqual([]);
  });

  it('reads older pages until it reaches the state the execution is in', async () => {
    sfn.on(GetExecutionHistoryCommand, { nextToken: undefined }).resolves({ events: [{ id: 13, type: 'TaskStarted', timestamp: new Date() }], nextToken: 'older' });
    sfn.on(GetExecutionHistoryCommand, { nextToken: 'older' }).resolves({ events: [scheduled, entered] });

    await answerApproval(EXECUTION, { approve: true });

    expect(sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input.taskToken).toBe(TOKEN);
  });

  it('an execution that is over, or waits for no approval, is refused before anything is sent', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [{ id: 3, type: 'TaskStateEntered', timestamp: new Date(), stateEnteredEventDetails: { name: 'Check Stack Existence' } }] });
    await expect(answerApproval(EXECUTION, { approve: true })).rejects.toThrow('is not waiting for an approval (no Await Approval step is open)');

    sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION, status: 'SUCCEEDED', stateMachineArn: 'arn', startDate: new Date() });
    await expect(answerApproval(EXECUTION, { approve: true })).rejects.toThrow(`The execution ${EXECUTION} is SUCCEEDED: nothing is waiting for an answer.`);

    expect(sfn.commandCalls(SendTaskSuccessCommand)).toEqual([]);
  });
});
