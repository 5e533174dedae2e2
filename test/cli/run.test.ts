/**
 * `run`, in-process against the offline sandbox: the sandbox stands in for the AWS APIs at the
 * SDK boundary, which a separate process could not share. Argument handling and exit codes of the
 * real process are covered in commands.test.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createSandbox, type Sandbox } from '../../local/sandbox';
import { TASK_HANDLERS } from '../../functions/handlers';
import { main } from '../../cli/main';
import { ORCHESTRATOR_STACK_NAME } from '../../infra/stack-names';
import { TEMPLATE, TEMPLATE_CONFIGURATION, input } from '../helpers/aws';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-run-'));
const documentFile = path.join(dir, 'deploy.json');
fs.writeFileSync(documentFile, JSON.stringify(input()));

let sandbox: Sandbox;
const saved = { key: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, level: process.env.POWERTOOLS_LOG_LEVEL };

beforeEach(() => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIAEXAMPLEEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'not-a-real-secret';
  sandbox = createSandbox({ seed: 7, stepFunctions: { runningDescribes: 0 } });
  sandbox.putArtifact('artifact-bucket', 'pipeline/source/abc123.zip', { 'infra/template.yaml': TEMPLATE, 'infra/prod.json': TEMPLATE_CONFIGURATION });
});

afterEach(async () => {
  await sandbox.close();
  process.env.AWS_ACCESS_KEY_ID = saved.key;
  process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
});

async function cli(args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(args, (line) => stdout.push(line), (line) => stderr.push(line));
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

describe('run --local', () => {
  it('runs the state machine in-process against the AWS APIs, each wait capped by --max-wait, and reports the outputs', async () => {
    sandbox.install();

    const started = Date.now();
    const result = await cli(['run', '--local', '--input', documentFile, '--max-wait', '1', '--json']);
    const seconds = (Date.now() - started) / 1000;

    expect(result.code).toBe(0);
    const { summary } = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ outcome: 'CREATED', status: 'SUCCEEDED', stackName: 'prod-app' });
    expect(summary.outputs.map((o: { OutputKey: string }) => o.OutputKey)).toContain('TableArn');
    expect(summary.path[0]).toBe('Prepare Deployment');
    const waits = summary.path.filter((name: string) => name === 'Wait Stack Creation').length;
    expect(waits).toBeGreaterThan(0);
    // Uncapped, the first waits alone would be 5 + 10 + … seconds.
    expect(seconds).toBeLessThan(waits * 1 + 5);
    expect(result.stderr).toContain('▸ Create Stack');
    expect(result.stderr).toMatch(/… Wait Stack Creation \(1s\)/);
  }, 60_000);

  it('--role-arn and --region send every CloudFormation call to that account and region, with the role assumed there', async () => {
    const role = 'arn:aws:iam::222222222222:role/SafeDeployTarget-DeployRole';
    const prodFile = path.join(dir, 'deploy-prod-account.json');
    fs.writeFileSync(prodFile, JSON.stringify(input({ cloudFormationRoleArn: 'arn:aws:iam::222222222222:role/SafeDeployTarget-CloudFormationRole' })));
    sandbox.sts.allowRole({ roleArn: role });
    sandbox.install();

    const result = await cli(['run', '--local', '--input', prodFile, '--role-arn', role, '--region', 'eu-west-1', '--max-wait', '1', '--quiet']);

    expect(result.code).toBe(0);
    expect(sandbox.cloudFormationIn('222222222222', 'eu-west-1').stack('prod-app')?.status).toBe('CREATE_COMPLETE');
    const calls = sandbox.calls.find({ service: 'CloudFormation' });
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((call) => call.account === '222222222222' && call.region === 'eu-west-1')).toBe(true);
    expect(sandbox.sts.assumed.map((session) => session.roleArn)).toContain(role);
  }, 60_000);

  it('--role-arn is for --local runs: a deployed state machine reads it from the input document', async () => {
    sandbox.install();

    const result = await cli(['run', '--input', documentFile, '--role-arn', 'arn:aws:iam::222222222222:role/x']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--role-arn, --region and --external-id apply to --local runs/);
  });

  it.each([
    [['--approve', '--reason', 'planned rename'], 0, /Updated stack prod-app/],
    [['--reject', '--reason', 'not today'], 1, /Rejected by .* \(run --local\): not today/],
  ])('with onUnsafe approve, %j answers the approval request of a local run', async (flags, code, says) => {
    const approveFile = path.join(dir, 'deploy-approve.json');
    fs.writeFileSync(approveFile, JSON.stringify(input({ onUnsafe: 'approve' })));
    sandbox.seedStack({ stackName: 'prod-app', templateBody: TEMPLATE.replace('TableName: !Ref TableName', 'TableName: legacy-users'), parameters: { TableName: 'users' } });
    sandbox.install();

    const result = await cli(['run', '--local', '--input', approveFile, '--max-wait', '1', '--quiet', ...flags]);

    expect(result.code).toBe(code);
    expect(result.stdout).toMatch(says);
    expect(sandbox.calls.find({ operation: 'ExecuteChangeSet' })).toHaveLength(code === 0 ? 1 : 0);
  }, 60_000);

  it('a rejected change exits 1 and names the offending resource', async () => {
    sandbox.seedStack({ stackName: 'prod-app', templateBody: TEMPLATE.replace('TableName: !Ref TableName', 'TableName: legacy-users'), parameters: { TableName: 'users' } });
    sandbox.install();

    const result = await cli(['run', '--local', '--input', documentFile, '--max-wait', '1', '--quiet']);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✖ Rejected the change to stack prod-app/);
    expect(result.stdout).toMatch(/Table \(AWS::DynamoDB::Table\).*Replacement True/);
    // The decision record is read from the execution's history: a rejected run has no output.
    expect(result.stdout).toMatch(/^ {4}BLOCKED\s+Modify \(Replacement True\)\s+Table\s+AWS::DynamoDB::Table\s+replacement\s+built-in protected type: AWS::DynamoDB::Table$/m);
    expect(result.stderr).toBe('');
  }, 60_000);
});

describe('run (a deployed state machine)', () => {
  it('finds the state machine in the orchestrator stack\'s StateMachineArn output when no ARN is given', async () => {
    const stateMachineArn = sandbox.stepFunctions.registerStateMachine({ name: 'from-stack', handlers: TASK_HANDLERS });
    sandbox.seedStack({
      stackName: ORCHESTRATOR_STACK_NAME,
      templateBody: JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic' } }, Outputs: { StateMachineArn: { Value: stateMachineArn } } }),
    });
    sandbox.install();

    const result = await cli(['run', '--input', documentFile, '--json', '--quiet']);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).summary.executionArn).toContain(':execution:from-stack:manual-');
  });

  it('starts an execution of the given state machine, follows it to the end and exits 0', async () => {
    const stateMachineArn = sandbox.stepFunctions.registerStateMachine({ name: 'deploy-orchestrator', handlers: TASK_HANDLERS });
    sandbox.install();

    const result = await cli(['run', '--input', documentFile, '--state-machine', stateMachineArn, '--json']);

    expect(result.code).toBe(0);
    const { summary } = JSON.parse(result.stdout);
    expect(summary.executionArn).toMatch(/^arn:aws:states:.*:execution:deploy-orchestrator:manual-\d{8}-\d{6}-[0-9a-f]{6}$/);
    expect(summary).toMatchObject({ outcome: 'CREATED', stackName: 'prod-app' });
    expect(summary.path).toContain('Get Stack Creation Status');

    const graph = await cli(['graph', summary.executionArn]);

    expect(graph.code).toBe(0);
    expect(graph.stdout).toMatch(/class PrepareDeployment,FollowGenerations,CheckStackExistence,DoesStackExist,CreateStack,AwaitCreationEvent,WaitStackCreation,GetStackCreationStatus,StackCreated,DeploymentSucceeded visited/);
  });

  it("reads a rejected execution's decision record from its history (it has no output), whole in --json", async () => {
    const stateMachineArn = sandbox.stepFunctions.registerStateMachine({ name: 'deploy-orchestrator', handlers: TASK_HANDLERS });
    sandbox.seedStack({ stackName: 'prod-app', templateBody: TEMPLATE.replace('TableName: !Ref TableName', 'TableName: legacy-users'), parameters: { TableName: 'users' } });
    sandbox.install();

    const result = await cli(['run', '--input', documentFile, '--state-machine', stateMachineArn, '--json', '--quiet']);

    expect(result.code).toBe(1);
    const { summary, output } = JSON.parse(result.stdout);
    expect(output).toBeNull();
    expect(summary.outcome).toBe('REJECTED');
    expect(summary.decision).toEqual([
      expect.objectContaining({
        logicalResourceId: 'Table',
        physicalResourceId: 'legacy-users',
        verdict: 'blocked',
        matched: 'built-in protected type: AWS::DynamoDB::Table',
        causes: ['Properties.TableName (always replaces, DirectModification)'],
      }),
    ]);
  });
});
