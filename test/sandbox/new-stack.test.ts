/**
 * onUnsafe: new-stack, end to end on the sandbox: an unsafe change leaves the live stack untouched
 * and is deployed beside it as a new generation; the next deployment goes to that generation; a
 * retried job reuses it; generations are bounded by maxStacks; fixed names the live stack holds
 * stop it before anything is created.
 */
import './quiet-logs';
import * as path from 'path';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { TASK_HANDLERS } from '../../functions/handlers';
import { readableCause } from '../../functions/shared/failure-cause';
import { buildScenarioSandbox, loadScenario, scenarioInput } from '../../local/sandbox/scenario';
import type { Sandbox } from '../../local/sandbox';
import type { Deployment, Inspection, OperationResult } from '../../functions/shared/state';

const SCENARIO = loadScenario(path.join(__dirname, '..', '..', 'examples', 'scenarios', 'new-stack-replacement'));
const LIVE = 'prod-orders';
const GENERATION = /^prod-orders-[0-9a-f]{8}$/;

interface Run {
  status: string;
  error?: string;
  cause?: string;
  output?: { deployment: Deployment; inspection?: Inspection; result?: OperationResult };
}

let sandbox: Sandbox;
let stateMachineArn: string;
let executions = 0;

function world(options: { deployed?: string; stacks?: typeof SCENARIO.stacks } = {}): void {
  const scenario = { ...SCENARIO, stacks: options.stacks ?? SCENARIO.stacks.map((stack) => ({ ...stack, ...(options.deployed ? { templateBody: options.deployed } : {}) })) };
  ({ sandbox, stateMachineArn } = buildScenarioSandbox(scenario, TASK_HANDLERS));
  sandbox.install();
}

/** One deployment of `template` (the scenario's own by default) through the state machine. */
async function deploy(template?: string, input: Record<string, unknown> = {}): Promise<Run> {
  executions += 1;
  const key = `SafeDeploy/SourceArti/rev-${executions}.zip`;
  sandbox.putArtifact(SCENARIO.artifact.bucket, key, { 'template.yaml': template ?? SCENARIO.artifact.files['template.yaml'] });
  const { executionArn } = await new SFNClient({}).send(
    new StartExecutionCommand({ stateMachineArn, name: `exec-${executions}`, input: JSON.stringify({ ...scenarioInput(SCENARIO), revisionS3Key: key, ...input }) }),
  );
  const result = await sandbox.stepFunctions.result(executionArn ?? '');
  return { status: result.status, error: result.error, cause: readableCause(result.cause), output: result.output as Run['output'] };
}

const liveStacks = () => sandbox.cloudFormation.allStacks().filter((stack) => stack.status !== 'DELETE_COMPLETE');
const openChangeSets = () =>
  sandbox.cloudFormation.allStacks().flatMap((stack) => sandbox.cloudFormation.changeSetsOf(stack.stackName)).filter((changeSet) => changeSet.executionStatus !== 'EXECUTE_COMPLETE');
const executed = () => sandbox.calls.find({ operation: 'ExecuteChangeSet' });

/** The scenario's template with the table renamed again: another unsafe change. */
const renamedAgain = () => SCENARIO.artifact.files['template.yaml'].replace("-orders-v2'", "-orders-v3'");
/** A safe change (the queue's visibility timeout) to the scenario's new template, or to the deployed one. */
const safeChange = (template = SCENARIO.artifact.files['template.yaml']) => template.replace('VisibilityTimeout: 30', 'VisibilityTimeout: 60');

afterEach(async () => {
  await sandbox?.close();
});

describe('onUnsafe: new-stack', () => {
  it('leaves the live stack untouched, deletes the unsafe change set and creates the new version beside it', async () => {
    world();
    const before = structuredClone(sandbox.cloudFormation.stack(LIVE)?.resources);

    const run = await deploy();

    expect(run.status).toBe('SUCCEEDED');
    const deployment = run.output?.deployment as Deployment;
    expect(deployment.stackName).toMatch(GENERATION);
    expect(deployment.newStack).toMatchObject({ previousStackName: LIVE, reason: expect.stringContaining('OrdersTable') });
    expect(run.output?.result).toMatchObject({ decision: 'CREATED', status: 'CREATE_COMPLETE' });
    expect(run.output?.result?.summary).toContain(`beside ${LIVE}, which is left untouched`);
    expect(run.output?.result?.outputs?.find((output) => output.OutputKey === 'TableName')?.OutputValue).toBe(`${deployment.stackName}-orders-v2`);
    // The live stack: not executed on, same resources, same status.
    expect(executed()).toEqual([]);
    expect(sandbox.cloudFormation.stack(LIVE)?.status).toBe('CREATE_COMPLETE');
    expect(sandbox.cloudFormation.stack(LIVE)?.resources).toEqual(before);
    expect(openChangeSets()).toEqual([]);
    expect(liveStacks().map((stack) => stack.stackName).sort()).toEqual([LIVE, deployment.stackName].sort());
    // The new generation has the template's parameters and tags as the live one would.
    expect(sandbox.calls.find({ operation: 'CreateStack' })).toHaveLength(1);
  });

  it('deploys the next revision to the new generation, in place when it is safe', async () => {
    world();
    const first = await deploy();
    const generation = first.output?.deployment.stackName as string;

    const second = await deploy(safeChange());

    expect(second.status).toBe('SUCCEEDED');
    expect(second.output?.deployment.stackName).toBe(generation);
    expect(second.output?.deployment.newStack).toBeUndefined();
    expect(second.output?.deployment.generations).toMatchObject({ lineage: LIVE, live: generation });
    expect(second.output?.result?.decision).toBe('UPDATED');
    expect(executed()).toHaveLength(1);
    expect(sandbox.cloudFormation.stack(generation)?.status).toBe('UPDATE_COMPLETE');
    expect(sandbox.cloudFormation.stack(LIVE)?.status).toBe('CREATE_COMPLETE');
  });

  it('reuses the new stack when the same revision is deployed again (a retried job), instead of making another', async () => {
    world();
    const first = await deploy();
    const again = await deploy();

    expect(again.status).toBe('SUCCEEDED');
    expect(again.output?.deployment.stackName).toBe(first.output?.deployment.stackName);
    expect(again.output?.result?.decision).toBe('NO_CHANGES');
    expect(liveStacks()).toHaveLength(2);
  });

  it('gives the same revision beside the same live stack the same name, so a failed create is recreated rather than doubled', async () => {
    world();
    sandbox.cloudFormation.failResource({ logicalId: 'OrderEvents', operation: 'CREATE', reason: 'Topic limit exceeded', times: 1 });
    const failed = await deploy();
    expect(failed.status).toBe('FAILED');
    const name = liveStacks().find((stack) => GENERATION.test(stack.stackName))?.stackName;
    expect(sandbox.cloudFormation.stack(name as string)?.status).toBe('ROLLBACK_COMPLETE');

    const retried = await deploy();

    expect(retried.status).toBe('SUCCEEDED');
    expect(retried.output?.deployment.stackName).toBe(name);
    expect(retried.output?.deployment.newStack?.previousStackName).toBe(LIVE);
    expect(liveStacks().map((stack) => stack.stackName).sort()).toEqual([LIVE, name].sort());
    expect(sandbox.cloudFormation.stack(LIVE)?.status).toBe('CREATE_COMPLETE');
  });

  it('fails with the list of generations instead of making more than maxStacks, creating nothing', async () => {
    world();
    const first = await deploy();
    const generation = first.output?.deployment.stackName as string;

    const third = await deploy(renamedAgain());

    expect(third.status).toBe('FAILED');
    expect(third.error).toBe('TooManyStacksError');
    expect(third.cause).toContain(`${LIVE} (CREATE_COMPLETE, created`);
    expect(third.cause).toContain(`${generation} (CREATE_COMPLETE, created`);
    expect(third.cause).toMatch(/over maxStacks 2\. Delete the generations no longer in use/);
    expect(liveStacks()).toHaveLength(2);
    expect(sandbox.calls.find({ operation: 'CreateStack' })).toHaveLength(1);
    expect(openChangeSets()).toEqual([]);
    expect(sandbox.calls.find({ operation: 'DeleteStack' })).toEqual([]);
  });

  it('with maxStacks 3 makes a third generation beside the second, the newest being live', async () => {
    world();
    const first = await deploy(undefined, { maxStacks: 3 });
    const third = await deploy(renamedAgain(), { maxStacks: 3 });

    expect(third.status).toBe('SUCCEEDED');
    expect(third.output?.deployment.newStack?.previousStackName).toBe(first.output?.deployment.stackName);
    expect(third.output?.deployment.stackName).toMatch(GENERATION);
    expect(third.output?.deployment.stackName).not.toBe(first.output?.deployment.stackName);
    expect(liveStacks()).toHaveLength(3);
  });

  it('stops before anything is created when a fixed name of the template is one the live stack holds', async () => {
    const withBucket = (text: string) =>
      text.replace('Resources:\n', "Resources:\n  AssetsBucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: prod-orders-assets\n");
    world({ deployed: withBucket(SCENARIO.stacks[0].templateBody as string) });

    const run = await deploy(withBucket(SCENARIO.artifact.files['template.yaml']));

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('NameCollisionError');
    expect(run.cause).toContain('AssetsBucket (AWS::S3::Bucket BucketName "prod-orders-assets"), held by its resource AssetsBucket');
    expect(run.cause).toMatch(/Let CloudFormation generate these names .*derive them from the stack name/);
    expect(sandbox.calls.find({ operation: 'CreateStack' })).toEqual([]);
    expect(executed()).toEqual([]);
    expect(openChangeSets()).toEqual([]);
    expect(liveStacks().map((stack) => stack.stackName)).toEqual([LIVE]);
  });

  it('executes a safe change in place: no new stack', async () => {
    world();
    const run = await deploy(safeChange(SCENARIO.stacks[0].templateBody));

    expect(run.status).toBe('SUCCEEDED');
    expect(run.output?.deployment.stackName).toBe(LIVE);
    expect(run.output?.deployment.newStack).toBeUndefined();
    expect(run.output?.result?.decision).toBe('UPDATED');
    expect(liveStacks()).toHaveLength(1);
  });
});
