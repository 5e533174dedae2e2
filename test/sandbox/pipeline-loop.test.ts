/**
 * The whole loop, offline: a CodePipeline job invokes the trigger, the trigger starts the deploy
 * state machine (the local engine with the real task handlers, on the sandbox), CodePipeline
 * re-invokes the trigger with its continuation token while the execution runs, and the job ends
 * with the trigger's final result.
 */
import './quiet-logs';
import * as path from 'path';
import { handler as trigger } from '../../functions/trigger/handler';
import { TASK_HANDLERS } from '../../functions/handlers';
import { loadScenario, runScenario, type ScenarioRun } from '../../local/sandbox/scenario';
import type { Sandbox } from '../../local/sandbox/sandbox';
import { answerApproval } from '../../cli/approval';
import { MAX_RESULT_ATTEMPTS } from '../../functions/trigger/limits';
import * as sleeping from '../../functions/trigger/sleep';

const SCENARIOS = path.join(__dirname, '..', '..', 'examples', 'scenarios');

function runThroughPipeline(name: string, prepare?: Parameters<typeof runScenario>[1]['prepare'], invoke: typeof trigger = trigger): Promise<ScenarioRun> {
  return runScenario(loadScenario(path.join(SCENARIOS, name)), { handlers: TASK_HANDLERS, trigger: invoke, prepare });
}

describe('pipeline job → trigger → state machine → continuation → job result', () => {
  // The trigger's backoff between refused job results takes no real time here.
  beforeEach(() => jest.spyOn(sleeping, 'sleep').mockResolvedValue(undefined));
  afterEach(() => jest.restoreAllMocks());

  it('says, while a replacement waits for approval, what is to be approved; then who approved it', async () => {
    let sandbox: Sandbox | undefined;
    const waitingExecution = () => sandbox?.stepFunctions.allExecutions().find((execution) => sandbox?.stepFunctions.taskTokens.isWaiting(execution.executionArn));
    const shownWaiting = () => (sandbox?.codePipeline.allJobs() ?? []).some((job) => job.success?.executionDetails?.summary?.startsWith('Waiting for approval'));
    /** Bounded: the test fails (the summary never shown) rather than hang. */
    const until = async (condition: () => boolean) => {
      for (let tries = 0; tries < 400 && !condition(); tries++) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const result = await runScenario(loadScenario(path.join(SCENARIOS, 'approve-replacement')), {
      handlers: TASK_HANDLERS,
      prepare: (prepared) => void (sandbox = prepared),
      // CodePipeline re-invokes about once a minute: once while the execution waits for its answer, then after it.
      trigger: async (event) => {
        if (event['CodePipeline.job'].data.continuationToken) await until(shownWaiting() ? () => waitingExecution() === undefined : () => waitingExecution() !== undefined);
        return trigger(event);
      },
      // A person answers once the pipeline has shown what waits for them.
      answerApproval: async (executionArn, answer) => {
        await until(shownWaiting);
        return answerApproval(executionArn, answer);
      },
    });

    const pipeline = result.pipeline!;
    expect(pipeline.status).toBe('Succeeded');
    const summaries = pipeline.jobs.map((job) => job.success?.executionDetails?.summary ?? '');
    expect(summaries).toContainEqual(
      expect.stringMatching(/^Waiting for approval: 1 replacement \(execution codepipeline-[\w-]+\): answer with deploy-orchestrator approve or reject arn:aws:states:[^ ]+\. The execution in the Step Functions console: https:\/\//),
    );
    expect(pipeline.final.success?.executionDetails?.summary).toMatch(/Approved by arn:aws:sts::\S+: the old table is empty; the rename is planned\./);
    expect(pipeline.final.success?.outputVariables).toMatchObject({
      Strategy: 'IN_PLACE',
      ApprovedBy: expect.stringContaining('arn:aws:sts::'),
      ApprovalReason: 'the old table is empty; the rename is planned',
    });
  });

  it('succeeds a job whose deployment creates the stack, with output variables on the final result only', async () => {
    // Act
    const result = await runThroughPipeline('create-new-stack');

    // Assess
    const pipeline = result.pipeline!;
    expect(pipeline.status).toBe('Succeeded');
    expect(result.sandbox.stepFunctions.allExecutions()).toHaveLength(1);
    const executionArn = result.execution.executionArn;
    expect(result.execution.status).toBe('SUCCEEDED');

    // The first job starts the execution; the following ones carry the token until the end.
    expect(pipeline.jobs.length).toBeGreaterThanOrEqual(3);
    expect(pipeline.jobs[0].continuationToken).toBeUndefined();
    for (const job of pipeline.jobs.slice(1)) expect(job.continuationToken).toEqual(expect.any(String));
    for (const job of pipeline.jobs.slice(0, -1)) {
      expect(job.success?.continuationToken).toEqual(expect.any(String));
      expect(job.success?.outputVariables).toBeUndefined();
      expect(job.success?.executionDetails?.externalExecutionId).toBe(executionArn);
    }
    const final = pipeline.final.success!;
    expect(final.continuationToken).toBeUndefined();
    expect(final.executionDetails?.externalExecutionId).toBe(executionArn);
    expect(final.outputVariables).toMatchObject({ StackName: 'prod-orders', Decision: 'CREATED', TableName: 'prod-orders-orders' });

    // The execution was started once, by the first job, with the artifact filled in from the job.
    const [start] = result.sandbox.calls.find({ operation: 'StartExecution' });
    expect(JSON.parse(String(start.input.input))).toMatchObject({
      stackName: 'orders',
      revisionS3Bucket: result.scenario.artifact.bucket,
      revisionS3Key: result.scenario.artifact.key,
    });
    expect(result.mutatingCalls).toEqual(['CreateStack']);
  });

  it('fails a job whose change set is rejected, naming the offending resources', async () => {
    // Act
    const result = await runThroughPipeline('replacement-renamed-table');

    // Assess
    const pipeline = result.pipeline!;
    expect(pipeline.status).toBe('Failed');
    const failure = pipeline.final.failure!.failureDetails!;
    expect(failure.type).toBe('JobFailed');
    expect(failure.message).toContain('OrdersTable');
    expect(failure.message).toContain('TableName');
    expect(failure.externalExecutionId).toBe(result.execution.executionArn);
    expect(result.execution.error).toBe('ChangeSetRejected');
    expect(result.mutatingCalls).toEqual(['CreateChangeSet', 'DeleteChangeSet']);
  });

  it('records a result CodePipeline refused once (throttled) within the same invocation', async () => {
    // Act
    const result = await runThroughPipeline('no-changes', (sandbox) =>
      sandbox.injectFault({ service: 'CodePipeline', operation: 'PutJobSuccessResult', kind: 'throttle', count: 1 }),
    );

    // Assess
    expect(result.pipeline?.status).toBe('Succeeded');
    expect(result.pipeline?.invocationErrors).toHaveLength(0);
    expect(result.sandbox.calls.find({ operation: 'StartExecution' })).toHaveLength(1);
  });

  it('starts one execution only when Lambda retries the first invocation', async () => {
    // Prepare: CodePipeline refuses the first job's result on every attempt of the first invocation,
    // so the invocation fails and Lambda runs it again.
    const result = await runThroughPipeline('no-changes', (sandbox) =>
      sandbox.injectFault({ service: 'CodePipeline', operation: 'PutJobSuccessResult', kind: 'throttle', count: MAX_RESULT_ATTEMPTS }),
    );

    // Assess
    expect(result.pipeline?.status).toBe('Succeeded');
    expect(result.pipeline?.invocationErrors).toHaveLength(1);
    expect(result.sandbox.calls.find({ operation: 'StartExecution' })).toHaveLength(2);
    expect(result.sandbox.stepFunctions.allExecutions()).toHaveLength(1);
    expect(result.pipeline?.final.success?.outputVariables).toMatchObject({ Decision: 'NO_CHANGES' });
  });

  it('duplicate concurrent deliveries of every job: one execution, and each job exactly one result', async () => {
    // Act: every job's event reaches the trigger twice at once, as at-least-once delivery allows.
    const result = await runThroughPipeline('safe-update', undefined, async (event) => {
      await Promise.all([trigger(event), trigger(structuredClone(event))]);
    });

    // Assess
    const pipeline = result.pipeline!;
    expect(pipeline.status).toBe('Succeeded');
    expect(pipeline.invocationErrors).toHaveLength(0);
    expect(result.sandbox.stepFunctions.allExecutions()).toHaveLength(1);
    for (const job of pipeline.jobs) {
      const accepted = result.sandbox.calls
        .find({ service: 'CodePipeline' })
        .filter((call) => call.input.jobId === job.jobId);
      expect(accepted).toHaveLength(1);
    }
    const refused = result.sandbox.calls.find({ service: 'CodePipeline', includeFailed: true }).filter((call) => call.error);
    expect(refused.map((call) => call.error?.name)).toEqual(pipeline.jobs.map(() => 'InvalidJobStateException'));
    expect(result.mutatingCalls).toEqual(['CreateChangeSet', 'ExecuteChangeSet']);
  });

  describe('the trigger bounds its following', () => {
    /** Each invocation of the trigger happens `minutes` later than the one before, by the trigger's clock. */
    function invokedEvery(minutes: number): typeof trigger {
      let now = Date.now();
      return async (event) => {
        now += minutes * 60_000;
        jest.spyOn(Date, 'now').mockReturnValue(now);
        await trigger(event);
      };
    }

    it('fails the job, naming the execution, when its status cannot be read for 5 minutes', async () => {
      // Act
      const result = await runThroughPipeline(
        'safe-update',
        (sandbox) => sandbox.injectFault({ service: 'StepFunctions', operation: 'DescribeExecution', kind: 'throttle', probability: 1 }),
        invokedEvery(1),
      );

      // Assess
      const pipeline = result.pipeline!;
      expect(pipeline.status).toBe('Failed');
      const failure = pipeline.final.failure!.failureDetails!;
      expect(failure.message).toContain(`The status of the deployment's execution ${result.execution.executionArn} could not be read for 5 minutes`);
      expect(failure.message).toContain('The deployment may still be running');
      expect(pipeline.jobs.length).toBe(7);
    });

    it('fails the job, naming the execution and the stack, when it runs past maxWaitSeconds and the grace', async () => {
      // Act: the execution shows RUNNING for as long as the trigger asks.
      const result = await runThroughPipeline(
        'safe-update',
        (sandbox) => Object.assign(sandbox.stepFunctions.options, { runningDescribes: Number.MAX_SAFE_INTEGER }),
        invokedEvery(10),
      );

      // Assess
      const pipeline = result.pipeline!;
      expect(pipeline.status).toBe('Failed');
      const failure = pipeline.final.failure!.failureDetails!;
      expect(failure.message).toContain(`The deployment's execution ${result.execution.executionArn} is still running 80 minutes after it started, past its deadline (maxWaitSeconds 3600`);
      expect(failure.message).toContain('stack prod-orders may still be changing');
    });
  });
});
