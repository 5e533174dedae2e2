import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT, runCli } from './run-cli';

interface SimulateResult {
  scenario: string;
  summary: { outcome: string; status: string; error?: string; reason?: string; outputs: Array<{ OutputKey: string }>; path: string[] };
  pipeline?: { status: string; invocations: number; message?: string; outputVariables?: Record<string, string> };
  unmet: string[];
}

describe('simulate (npm start)', () => {
  it('runs the four default scenarios through the whole pipeline loop, offline, and each ends as it expects', () => {
    const result = runCli(['simulate', '--json']);

    expect(result.code).toBe(0);
    const runs = JSON.parse(result.stdout) as SimulateResult[];
    expect(runs.map((run) => [run.scenario, run.summary.outcome, run.pipeline?.status])).toEqual([
      ['create-new-stack', 'CREATED', 'Succeeded'],
      ['safe-update', 'UPDATED', 'Succeeded'],
      ['replacement-renamed-table', 'REJECTED', 'Failed'],
      ['no-changes', 'NO_CHANGES', 'Succeeded'],
    ]);
    for (const run of runs) expect(run.unmet).toEqual([]);
    const [created, , rejected] = runs;
    expect(created.pipeline?.outputVariables).toMatchObject({ StackName: 'prod-orders', Decision: 'CREATED' });
    expect(created.pipeline?.invocations).toBeGreaterThan(1);
    expect(rejected.pipeline?.message).toMatch(/ChangeSetRejected: .*\n- OrdersTable \(AWS::DynamoDB::Table\).*Replacement True.*forced by Properties\.TableName/);
    expect(rejected.summary.path).toEqual(expect.arrayContaining(['Inspect Change Set Changes', 'Delete Change Set', 'Deployment Failed']));
    expect(rejected.summary.path).not.toContain('Execute Change Set');
  });

  it('prints progress and a summary a person can read, without the Lambdas\' JSON logs', () => {
    const result = runCli(['simulate', 'replacement-renamed-table']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('▸ Inspect Change Set Changes');
    expect(result.stdout).toContain('✖ Rejected the change to stack prod-orders');
    expect(result.stdout).toContain('Pipeline job: Failed after');
    expect(result.stdout).toContain('1 of 1 scenario(s) ended as expected');
    expect(result.stdout).not.toContain('"level":"INFO"');
  });

  it('prints the decision record of a rejected run too, read from the execution\'s history', () => {
    const result = runCli(['simulate', 'protect-beats-allow', '--quiet']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  Decision (1 change(s)):');
    expect(result.stdout).toMatch(/^ {4}BLOCKED\s+Remove\s+OrdersQueue\s+AWS::SQS::Queue\s+removal\s+safetyPolicy\.protect: Orders\*$/m);
  });

  it('runs a scenario a user wrote: their own deployed and new templates, and input document', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'my-scenario-'));
    fs.writeFileSync(path.join(dir, 'deployed.yaml'), 'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: shop-assets\n');
    fs.writeFileSync(path.join(dir, 'template.yaml'), 'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: shop-assets-v2\n');
    fs.writeFileSync(
      path.join(dir, 'scenario.yaml'),
      [
        'description: Renaming the assets bucket would replace it.',
        'input: { environmentName: prod, stackName: shop, templatePath: template.yaml }',
        'artifact: { files: { template.yaml: template.yaml } }',
        'stacks: [{ stackName: prod-shop, template: deployed.yaml }]',
        'expect: { status: SUCCEEDED, decision: UPDATED }',
        '',
      ].join('\n'),
    );

    const result = runCli(['simulate', dir, '--json']);

    // The scenario expected an update; the deployer rejects the bucket's replacement, and says so.
    expect(result.code).toBe(1);
    const [run] = JSON.parse(result.stdout) as SimulateResult[];
    expect(run.summary).toMatchObject({ outcome: 'REJECTED', error: 'ChangeSetRejected' });
    expect(run.summary.reason).toMatch(/Bucket \(AWS::S3::Bucket\).*Replacement True.*BucketName/);
    expect(run.unmet.join(' ')).toMatch(/status/);
  });

  it('an unknown scenario or a bad scenario file is one line and exit 2', () => {
    const missing = runCli(['simulate', 'no-such-scenario']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^Error: No scenario "no-such-scenario": give a folder holding a scenario.yaml, or one of: .*create-new-stack/);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-scenario-'));
    fs.writeFileSync(path.join(dir, 'scenario.yaml'), 'description: x\ninput: {}\n');
    const bad = runCli(['simulate', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/is not a valid scenario: artifact/);
  });

  it('every shipped scenario ends as it expects when run through the pipeline, bad input refused by the trigger before any execution', () => {
    const result = runCli(['simulate', '--all', '--json']);

    const runs = JSON.parse(result.stdout) as SimulateResult[];
    expect(runs.filter((run) => run.unmet.length)).toEqual([]);
    expect(result.code).toBe(0);
    const invalid = runs.find((run) => run.scenario === 'invalid-input');
    expect(invalid?.summary.status).toBe('NOT_STARTED');
    expect(invalid?.pipeline).toMatchObject({ status: 'Failed', invocations: 1 });
    expect(invalid?.pipeline?.message).toMatch(/stackName: use letters.*allowRemovals: unknown field/);
    const throttled = runs.find((run) => run.scenario === 'throttled-calls-retried');
    expect(throttled?.summary.outcome).toBe('UPDATED');
  });

  it('--reject answers a scenario\'s approval request in place of its own answer, and says its expectations were not checked', () => {
    const rejected = runCli(['simulate', 'approve-replacement', '--reject', '--reason', 'not this week', '--json']);
    const [run] = JSON.parse(rejected.stdout) as SimulateResult[];

    expect(rejected.code).toBe(0);
    expect(run.summary).toMatchObject({ outcome: 'FAILED', error: 'ApprovalRejected' });
    expect(run.summary.reason).toMatch(/^Rejected by .*: not this week/);
    expect(run.unmet).toEqual([]);
    expect(runCli(['simulate', 'approve-replacement', '--reject', '--quiet']).stdout).toContain("Answered with --reject instead of the scenario's own answer: its expectations were not checked.");
    expect(runCli(['simulate', 'approve-replacement', '--approve', '--reject']).stderr).toMatch(/^Error: simulate: give --approve or --reject, not both\.$/m);
  });

  it('lists the scenarios that ship in examples/scenarios', () => {
    const result = runCli(['simulate', '--list']);

    expect(result.code).toBe(0);
    const shipped = fs.readdirSync(path.join(ROOT, 'examples', 'scenarios'));
    for (const name of shipped) expect(result.stdout).toContain(`${name}: `);
  });
});
