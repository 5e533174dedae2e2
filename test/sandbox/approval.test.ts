/**
 * onUnsafe: approve, end to end on the sandbox: an unsafe change set is kept and a person answers
 * through the Step Functions API (the CLI's answer, reading the token from the history): approve,
 * reject, no answer, and a change set that changed while it waited.
 */
import './quiet-logs';
import * as path from 'path';
import { DeleteChangeSetCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { TASK_HANDLERS } from '../../functions/handlers';
import { readableCause } from '../../functions/shared/failure-cause';
import { loadDefinitionText } from '../../statemachine/definition';
import { buildScenarioSandbox, loadScenario, scenarioInput } from '../../local/sandbox/scenario';
import { ORCHESTRATOR_PRINCIPAL } from '../../local/sandbox/sts/service';
import { answerApproval, type ApprovalAnswer } from '../../cli/approval';
import type { Sandbox } from '../../local/sandbox';

const SCENARIO = loadScenario(path.join(__dirname, '..', '..', 'examples', 'scenarios', 'replacement-renamed-table'));
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:deploy-approvals';

interface Run {
  sandbox: Sandbox;
  status: string;
  error?: string;
  cause?: string;
  output?: { inspection?: { approval?: Record<string, unknown> }; result?: { decision?: string } };
  answerError?: Error;
}

async function deploy(answer: ApprovalAnswer | undefined, options: { whileWaiting?: (sandbox: Sandbox) => Promise<void>; definitionText?: string } = {}): Promise<Run> {
  const { sandbox } = buildScenarioSandbox(SCENARIO, TASK_HANDLERS);
  const stateMachineArn = sandbox.stepFunctions.registerStateMachine({ name: 'approvals', handlers: TASK_HANDLERS, definitionText: options.definitionText });
  sandbox.install();
  sandbox.setEnv('APPROVAL_TOPIC_ARN', TOPIC);
  let answerError: Error | undefined;
  const answered: Array<Promise<unknown>> = [];
  sandbox.stepFunctions.taskTokens.onScheduled(({ executionArn, state }) => {
    if (state !== 'Await Approval' || !answer) return;
    answered.push(
      new Promise((resolve) => setTimeout(resolve, 20))
        .then(() => options.whileWaiting?.(sandbox))
        .then(() => answerApproval(executionArn, answer))
        .catch((error: Error) => (answerError = error)),
    );
  });
  try {
    const { executionArn } = await new SFNClient({}).send(
      new StartExecutionCommand({ stateMachineArn, name: 'exec-1', input: JSON.stringify({ ...scenarioInput(SCENARIO), onUnsafe: 'approve' }) }),
    );
    const result = await sandbox.stepFunctions.result(executionArn ?? '');
    await Promise.all(answered);
    return { sandbox, status: result.status, error: result.error, cause: readableCause(result.cause), output: result.output as Run['output'], answerError };
  } finally {
    await sandbox.close();
  }
}

const leftOver = (sandbox: Sandbox) =>
  sandbox.cloudFormation.changeSetsOf('prod-orders').filter((changeSet) => changeSet.executionStatus === 'AVAILABLE' || changeSet.executionStatus === 'UNAVAILABLE');

describe('onUnsafe: approve', () => {
  it('keeps the unsafe change set, asks on the topic, and on approval executes exactly that change set', async () => {
    const run = await deploy({ approve: true, reason: 'the table is re-created by design; data restored from the backup' });

    expect(run.answerError).toBeUndefined();
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output?.result?.decision).toBe('UPDATED');
    expect(run.output?.inspection?.approval).toMatchObject({ approved: true, approver: ORCHESTRATOR_PRINCIPAL, reason: 'the table is re-created by design; data restored from the backup' });
    const created = run.sandbox.calls.find({ operation: 'CreateChangeSet' });
    const executed = run.sandbox.calls.find({ operation: 'ExecuteChangeSet' });
    expect(executed).toHaveLength(1);
    expect(run.output?.inspection?.approval?.changeSetId).toBe(run.sandbox.cloudFormation.stack('prod-orders')?.changeSetId ?? expect.any(String));
    expect(created).toHaveLength(1);
    // The request: what would be replaced and how to answer, never the token.
    const [request] = run.sandbox.sns.published;
    expect(request.topicArn).toBe(TOPIC);
    expect(request.subject).toMatch(/^Approval needed: stack prod-orders \(1 replacement\)/);
    expect(request.message).toMatch(/OrdersTable \(AWS::DynamoDB::Table\)/);
    expect(request.message).toContain('npx deploy-orchestrator approve arn:aws:states:');
    const tokens = run.sandbox.stepFunctions.taskTokens.scheduledTasks(run.sandbox.stepFunctions.allExecutions()[0].executionArn, 'Await Approval').map((task) => task.token);
    expect(tokens).toHaveLength(1);
    expect(request.message).not.toContain(tokens[0]);
  });

  it('on rejection deletes the change set and fails with who rejected it and why; nothing is executed', async () => {
    const run = await deploy({ approve: false, reason: 'renaming the table is a mistake' });

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('ApprovalRejected');
    expect(run.cause).toContain(`Rejected by ${ORCHESTRATOR_PRINCIPAL}: renaming the table is a mistake`);
    expect(run.cause).toMatch(/was deleted; nothing was changed/);
    expect(run.sandbox.calls.find({ operation: 'ExecuteChangeSet' })).toEqual([]);
    expect(leftOver(run.sandbox)).toEqual([]);
  });

  it('with no answer in time, deletes the change set and says so', async () => {
    const definition = JSON.parse(loadDefinitionText()) as { States: Record<string, Record<string, unknown>> };
    delete definition.States['Await Approval'].TimeoutSecondsPath;
    definition.States['Await Approval'].TimeoutSeconds = 1;

    const run = await deploy(undefined, { definitionText: JSON.stringify(definition) });

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('ApprovalTimedOut');
    expect(run.cause).toMatch(/^No approval within 3600 seconds \(approvalTimeoutSeconds\) for the change set deploy-exec-1/);
    expect(run.sandbox.calls.find({ operation: 'ExecuteChangeSet' })).toEqual([]);
    expect(leftOver(run.sandbox)).toEqual([]);
  }, 20_000);

  it('executes nothing when the change set changed while it waited: the approval is stale', async () => {
    const run = await deploy(
      { approve: true, reason: 'ok' },
      { whileWaiting: async () => void (await new CloudFormationClient({}).send(new DeleteChangeSetCommand({ ChangeSetName: 'deploy-exec-1', StackName: 'prod-orders' }))) },
    );

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('ApprovalStaleError');
    expect(run.cause).toMatch(/approved change set deploy-exec-1, but it no longer exists.*Nothing was executed/);
    expect(run.sandbox.calls.find({ operation: 'ExecuteChangeSet' })).toEqual([]);
  });

  it('an answer to an execution that is not waiting is refused, saying why', async () => {
    const run = await deploy({ approve: false, reason: 'no' });
    const { sandbox } = buildScenarioSandbox(SCENARIO, TASK_HANDLERS);
    sandbox.install();
    try {
      await expect(answerApproval('arn:aws:states:us-east-1:123456789012:execution:approvals:nope', { approve: true })).rejects.toThrow(/Cannot read the execution/);
    } finally {
      await sandbox.close();
    }
    expect(run.error).toBe('ApprovalRejected');
  });
});
