/**
 * The deploy state machine end to end on the offline sandbox: the real ASL in the local engine,
 * the real task handlers, and stateful CloudFormation and S3 fakes whose change sets are computed
 * from the deployed template and the new one. Each scenario lives in examples/scenarios/<name>/.
 */
import './quiet-logs';
import * as path from 'path';
import { TASK_HANDLERS } from '../../functions/handlers';
import type { Sandbox } from '../../local/sandbox';
import { causeText, listScenarios, loadScenario, runScenario, unmetExpectations, type Scenario, type ScenarioRun } from '../../local/sandbox/scenario';
import { answerApproval } from '../../cli/approval';

const SCENARIOS = path.join(__dirname, '..', '..', 'examples', 'scenarios');

/** Each scenario runs once per file; the tests below read its run. */
const runs = new Map<string, Promise<ScenarioRun>>();

function run(name: string): Promise<ScenarioRun> {
  if (!runs.has(name)) runs.set(name, runScenario(loadScenario(path.join(SCENARIOS, name)), { handlers: TASK_HANDLERS, answerApproval: (executionArn, answer) => answerApproval(executionArn, answer) }));
  return runs.get(name) as Promise<ScenarioRun>;
}

function runVariant(name: string, change: (scenario: Scenario) => void, prepare?: (sandbox: Sandbox) => void): Promise<ScenarioRun> {
  const scenario = loadScenario(path.join(SCENARIOS, name));
  change(scenario);
  return runScenario(scenario, { handlers: TASK_HANDLERS, prepare });
}

type Output = Record<string, Record<string, unknown> & { outputs?: Array<{ OutputKey: string; OutputValue: string }> }>;

function output(result: ScenarioRun): Output {
  return result.execution.output as Output;
}

/** What a state passed on (its output, after ResultPath), from the engine's events; failed executions have no output. */
async function stateOutput(result: ScenarioRun, stateName: string): Promise<Output> {
  const { events } = await result.sandbox.stepFunctions.result(result.execution.executionArn);
  const exited = events.filter((event) => event.type === 'StateExited' && (event as { state: { name: string } }).state.name === stateName);
  return ((exited.at(-1) as { state?: { output?: unknown } } | undefined)?.state?.output ?? {}) as Output;
}

function callsTo(result: ScenarioRun, operation: string): Array<Record<string, unknown>> {
  return result.sandbox.calls.find({ operation }).map((call) => call.input);
}

describe('every scenario in examples/scenarios does what its file expects', () => {
  it.each(listScenarios(SCENARIOS))('%s', async (name) => {
    // Act
    const result = await run(name);

    // Assess
    expect(unmetExpectations(result)).toEqual([]);
  });
});

describe('new stack', () => {
  it('creates the stack from the template in the artifact and reports its outputs', async () => {
    // Act
    const result = await run('create-new-stack');

    // Assess
    expect(result.execution.status).toBe('SUCCEEDED');
    expect(output(result).result).toMatchObject({ decision: 'CREATED', status: 'CREATE_COMPLETE', stackId: expect.stringContaining(':stack/prod-orders/') });
    expect(output(result).result.outputs).toEqual(expect.arrayContaining([{ OutputKey: 'TableName', OutputValue: 'prod-orders-orders' }]));
    const [create] = callsTo(result, 'CreateStack');
    expect(create).toMatchObject({ StackName: 'prod-orders', OnFailure: 'ROLLBACK', ClientRequestToken: expect.any(String) });
    expect(create.TemplateBody).toContain('OrdersTable');
    expect(callsTo(result, 'ExecuteChangeSet')).toEqual([]);
  });

  it('fails a create that rolls back with the first failing resource and its reason', async () => {
    // Act
    const result = await run('create-rolled-back');

    // Assess
    expect(result.execution.error).toBe('StackCreateFailedError');
    expect(JSON.parse(result.execution.cause ?? '{}')).toMatchObject({ errorType: 'StackCreateFailedError' });
    expect(causeText(result.execution.cause)).toContain(
      'OrdersTable (AWS::DynamoDB::Table) CREATE_FAILED: Resource handler returned message: "Table already exists: prod-orders-orders"',
    );
    expect(result.sandbox.cloudFormation.stack('prod-orders')?.status).toBe('ROLLBACK_COMPLETE');
  });

  it('stages a template over 51,200 bytes in the staging bucket and creates the stack from its URL', async () => {
    // Prepare: the same template, made large by a Metadata section.
    const padding = `Metadata:\n  Notes: '${'x'.repeat(52_000)}'\n`;

    // Act
    const result = await runVariant('create-new-stack', (scenario) => {
      scenario.artifact.files['infra/template.yaml'] = padding + scenario.artifact.files['infra/template.yaml'];
    });

    // Assess
    expect(result.execution.status).toBe('SUCCEEDED');
    const [put] = callsTo(result, 'PutObject');
    expect(put).toMatchObject({ Bucket: 'deploy-template-staging', Key: expect.stringMatching(/^templates\/prod-orders\//) });
    const [create] = callsTo(result, 'CreateStack');
    expect(create.TemplateBody).toBeUndefined();
    expect(create.TemplateURL).toBe(`https://deploy-template-staging.s3.us-east-1.amazonaws.com/${String(put.Key)}`);
  });
});

describe('existing stack', () => {
  it('executes a safe change set once, the one it inspected, and waits for UPDATE_COMPLETE', async () => {
    // Act
    const result = await run('safe-update');

    // Assess
    expect(output(result).inspection).toMatchObject({ safe: true, offending: [] });
    const [created] = callsTo(result, 'CreateChangeSet');
    const executed = callsTo(result, 'ExecuteChangeSet');
    expect(created).toMatchObject({ ChangeSetType: 'UPDATE', IncludeNestedStacks: true, StackName: 'prod-orders' });
    expect(executed).toHaveLength(1);
    expect(executed[0].ChangeSetName).toEqual(expect.stringContaining(String(created.ChangeSetName)));
    const stack = result.sandbox.cloudFormation.stack('prod-orders');
    expect([...(stack?.resources.keys() ?? [])]).toContain('OrdersDeadLetterQueue');
    expect(stack?.events.map((event) => event.ResourceStatus)).toEqual(expect.arrayContaining(['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE']));
  });

  it('fails an update that rolls back, with the resource and the reason', async () => {
    // Act
    const result = await run('update-rolled-back');

    // Assess
    expect(result.execution.error).toBe('StackUpdateFailedError');
    expect(causeText(result.execution.cause)).toContain('OrdersQueue (AWS::SQS::Queue) UPDATE_FAILED');
    expect(result.sandbox.cloudFormation.stack('prod-orders')?.template?.Resources.OrdersDeadLetterQueue).toBeUndefined();
  });

  it.each([
    ['removal-rejected', 'OrderEvents', 'Remove'],
    ['replacement-renamed-table', 'OrdersTable', 'TableName'],
    ['replacement-renamed-bucket', 'MyS3Bucket', 'BucketName'],
    ['conditional-replacement', 'MyEC2Instance', 'Conditional'],
    ['unsafe-change-on-second-page', 'OrdersTable', 'TableName'],
  ])('%s: deletes the change set without executing it and fails naming %s', async (name, logicalId, detail) => {
    // Act
    const result = await run(name);

    // Assess
    expect(result.execution.error).toBe('ChangeSetRejected');
    // The rejection's cause is plain text for the operator, not a Lambda error.
    expect(() => JSON.parse(result.execution.cause ?? '')).toThrow();
    expect(result.execution.cause).toContain(logicalId);
    expect(result.execution.cause).toContain(detail);
    expect(callsTo(result, 'ExecuteChangeSet')).toEqual([]);
    const [created] = callsTo(result, 'CreateChangeSet');
    const [deleted] = callsTo(result, 'DeleteChangeSet');
    expect(String(deleted.ChangeSetName)).toContain(String(created.ChangeSetName));
    expect(result.sandbox.cloudFormation.changeSetsOf(`prod-${String(result.scenario.input.stackName)}`)).toEqual([]);
  });

  it('reads the second page of the change set, where the only unsafe change is', async () => {
    // Act
    const result = await run('unsafe-change-on-second-page');

    // Assess
    const pages = callsTo(result, 'DescribeChangeSet').filter((input) => input.NextToken !== undefined);
    expect(pages.length).toBeGreaterThanOrEqual(1);
    expect((await stateOutput(result, 'Inspect Change Set Changes')).inspection).toMatchObject({ safe: false, changeCount: 2 });
  });

  it('treats a change set with no changes as a successful no-op and deletes it', async () => {
    // Act
    const result = await run('no-changes');

    // Assess
    expect(output(result).result).toMatchObject({ decision: 'NO_CHANGES' });
    expect(output(result).changeSet).toMatchObject({ outcome: 'NO_CHANGES', status: 'FAILED' });
    expect(result.sandbox.cloudFormation.changeSetsOf('prod-orders')).toEqual([]);
  });

  it('fails with CloudFormation\'s reason when a change set cannot be made', async () => {
    // Act
    const result = await run('change-set-failed');

    // Assess
    expect(result.execution.error).toBe('ChangeSetFailedError');
    expect(callsTo(result, 'ExecuteChangeSet')).toEqual([]);
  });
});

describe('stacks that cannot take a change', () => {
  it.each([
    ['ROLLBACK_FAILED', 'StackNotReadyError'],
    ['UPDATE_ROLLBACK_FAILED', 'StackNotReadyError'],
    ['DELETE_FAILED', 'StackNotReadyError'],
    ['CREATE_IN_PROGRESS', 'StackBusyError'],
    ['UPDATE_IN_PROGRESS', 'StackBusyError'],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'StackBusyError'],
    ['UPDATE_ROLLBACK_IN_PROGRESS', 'StackBusyError'],
    ['DELETE_IN_PROGRESS', 'StackBusyError'],
    ['IMPORT_IN_PROGRESS', 'StackBusyError'],
  ])('%s: fails at once with %s and changes nothing', async (status, error) => {
    // Act
    const result = await runVariant('blocked-stack', (scenario) => {
      scenario.stacks[0].status = status;
    });

    // Assess
    expect(result.execution.status).toBe('FAILED');
    expect(result.execution.error).toBe(error);
    expect(causeText(result.execution.cause)).toContain(status);
    expect(result.mutatingCalls).toEqual([]);
    expect(result.sandbox.cloudFormation.stack('prod-orders')?.status).toBe(status);
  });

  it('deletes a ROLLBACK_COMPLETE stack and creates it afresh, and says so', async () => {
    // Act
    const result = await run('recreate-rolled-back-stack');

    // Assess
    expect(output(result).stack).toMatchObject({ action: 'RECREATE', status: 'ROLLBACK_COMPLETE' });
    expect(output(result).recreate).toMatchObject({ deleted: true, previousStatus: 'ROLLBACK_COMPLETE' });
    const [deleted] = callsTo(result, 'DeleteStack');
    expect(deleted.StackName).toEqual(expect.stringContaining(':stack/prod-orders/'));
  });

  it('creates a REVIEW_IN_PROGRESS shell through a CREATE change set, inspected first', async () => {
    // Act
    const result = await run('review-in-progress-shell');

    // Assess
    expect(callsTo(result, 'CreateChangeSet')[0]).toMatchObject({ ChangeSetType: 'CREATE' });
    expect(output(result).inspection).toMatchObject({ safe: true });
  });
});

describe('transient errors and bad input', () => {
  it('retries throttled calls (the services\' real throttling errors) and goes through', async () => {
    // Act
    const result = await run('throttled-calls-retried');

    // Assess
    const throttled = result.sandbox.calls.all().filter((call) => call.error?.injected);
    expect(throttled.map((call) => `${call.operation}:${call.error?.name}`)).toEqual([
      'GetObject:SlowDown',
      'DescribeStacks:Throttling',
      'DescribeStacks:Throttling',
      'CreateChangeSet:Throttling',
      'DescribeChangeSet:Throttling',
    ]);
    expect(result.execution.status).toBe('SUCCEEDED');
    const events = (await result.sandbox.stepFunctions.result(result.execution.executionArn)).events;
    // Each throttled call is one retry; the status tasks' polls are retries too, of StillInProgressError.
    const retriedErrors = events.flatMap((event) => (event.type === 'StateRetried' ? [event.retry.retrier.ErrorEquals.join()] : []));
    expect(retriedErrors.filter((errors) => errors !== 'StillInProgressError')).toHaveLength(throttled.length);
  });

  it.each(['invalid-input', 'template-missing-from-artifact', 'artifact-not-a-zip'])(
    '%s: fails at the first state and calls CloudFormation not at all',
    async (name) => {
      // Act
      const result = await run(name);

      // Assess
      expect(result.execution.error).toBe('InvalidInputError');
      expect(result.sandbox.calls.find({ service: 'CloudFormation', includeFailed: true })).toEqual([]);
      const events = (await result.sandbox.stepFunctions.result(result.execution.executionArn)).events;
      expect(events.filter((event) => event.type === 'StateEntered').map((event) => (event as { state: { name: string } }).state.name)).toEqual([
        'Prepare Deployment',
        'Input Rejected',
        'Deployment Failed',
      ]);
    },
  );

  it('stops following a create that outlives maxWaitSeconds, saying the stack may still be changing', async () => {
    // Act
    const result = await run('wait-limit-exceeded');

    // Assess
    expect(result.execution.error).toBe('StackOutcomeUnknownError');
  });
});
