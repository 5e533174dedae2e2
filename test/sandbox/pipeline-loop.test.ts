/**
 * The whole loop, offline: a CodePipeline job invokes the trigger, the trigger starts the deploy
 * state machine (the local engine with the real task handlers, on the sandbox), CodePipeline
 * re-invokes the trigger with its continuation token while the execution runs, and the job ends
 * with the trigger's final result.
 */
import './quiet-logs';
import * as path from 'path';
import { strFromU8, unzipSync } from 'fflate';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { handler as trigger } from '../../functions/trigger/handler';
import { TASK_HANDLERS } from '../../functions/handlers';
import { loadScenario, runScenario, type ScenarioRun } from '../../local/sandbox/scenario';

const SCENARIOS = path.join(__dirname, '..', '..', 'examples', 'scenarios');

function runThroughPipeline(name: string, prepare?: Parameters<typeof runScenario>[1]['prepare']): Promise<ScenarioRun> {
  return runScenario(loadScenario(path.join(SCENARIOS, name)), { handlers: TASK_HANDLERS, trigger, prepare });
}

describe('pipeline job → trigger → state machine → continuation → job result', () => {
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

  it('starts one execution only when Lambda retries the first invocation', async () => {
    // Prepare: CodePipeline refuses the first job's first result, so the invocation fails and Lambda runs it again.
    const result = await runThroughPipeline('no-changes', (sandbox) =>
      sandbox.injectFault({ service: 'CodePipeline', operation: 'PutJobSuccessResult', kind: 'throttle', count: 1 }),
    );

    // Assess
    expect(result.pipeline?.status).toBe('Succeeded');
    expect(result.sandbox.calls.find({ operation: 'StartExecution' })).toHaveLength(2);
    expect(result.sandbox.stepFunctions.allExecutions()).toHaveLength(1);
    expect(result.pipeline?.final.success?.outputVariables).toMatchObject({ Decision: 'NO_CHANGES' });
  });
});

describe('the decision record in the action\'s output artifact', () => {
  it('is written as decision.json in a zip to the artifact the action declares, and the counts are output variables', async () => {
    // Act
    const result = await runScenario(loadScenario(path.join(SCENARIOS, 'harmless-replacement')), { handlers: TASK_HANDLERS, trigger, outputArtifactKey: 'SafeDeploy/DeployOutp/x1y2z3' });

    // Assess
    expect(result.pipeline?.status).toBe('Succeeded');
    const final = result.pipeline!.final.success!;
    expect(final.outputVariables).toMatchObject({ Decision: 'UPDATED', Removals: '1', Replacements: '1', Blocked: '0' });
    const puts = result.sandbox.calls.find({ service: 'S3', operation: 'PutObject' }).filter((call) => call.input.Key === 'SafeDeploy/DeployOutp/x1y2z3');
    expect(puts).toHaveLength(1);
    expect(puts[0].input.Bucket).toBe(result.scenario.artifact.bucket);
    // The recorded call shows the body by size only: read the object back from the sandbox's S3.
    result.sandbox.install();
    const stored = await new S3Client({}).send(new GetObjectCommand({ Bucket: result.scenario.artifact.bucket, Key: 'SafeDeploy/DeployOutp/x1y2z3' })).finally(() => result.sandbox.restore());
    const files = unzipSync(await stored.Body!.transformToByteArray());
    const document = JSON.parse(strFromU8(files['decision.json']));
    expect(document).toMatchObject({ stackName: 'prod-orders-api', outcome: 'UPDATED', decision: { verdict: 'SAFE', counts: { blocked: 0 } } });
    expect(document.decision.changes.map((change: { logicalResourceId: string }) => change.logicalResourceId)).toContain('HandlerVersion');
  });
});
