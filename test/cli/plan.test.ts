import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT, runCli } from './run-cli';
import { defaultArtifact, TEMPLATE } from '../helpers/aws';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'sandbox');
const BUCKET = path.join(FIXTURES, 'cfn-template-cfn101-bucket-before.yaml');
const VERSIONING = path.join(FIXTURES, 'cfn-template-cfn101-bucket-after-versioning.yaml');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-plan-'));
const write = (name: string, content: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
};
const deployedConfiguration = write('deployed.json', JSON.stringify({ Parameters: { BucketName: 'understanding-changesets-123' } }));
const newConfiguration = write('prod.json', JSON.stringify({ Parameters: { BucketName: 'understanding-changesets-456' }, Tags: { team: 'data' } }));
const inputAllowing = write(
  'deploy.json',
  JSON.stringify({ environmentName: 'prod', stackName: 'app', templatePath: 'bucket.yaml', safetyPolicy: { allowReplacement: ['MyS3Bucket'], unprotect: ['AWS::S3::Bucket'] } }),
);

function expectOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe('plan, run as a process', () => {
  it('exits 0 for an in-place change, with the table, the verdict line and the caveat', () => {
    const result = runCli(['plan', '--deployed', BUCKET, '--template', VERSIONING, '--deployed-parameter', 'BucketName=b-1', '--parameter', 'BucketName=b-1']);

    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['Logical id', 'Type', 'Action', 'Replacement', 'Causes', 'Verdict', 'Reason']);
    expect(lines[1].split(/\s{2,}/)).toEqual(['MyS3Bucket', 'AWS::S3::Bucket', 'Modify', 'False', '-', 'allowed', 'modifies the resource in place']);
    expect(result.stdout).toMatch(/^✔ Would pass: 1 change\(s\)/m);
    expect(result.stdout).toMatch(/the change set CloudFormation computes at deploy time decides/);
    expect(result.stderr).toBe('');
  });

  it('exits 1 when a replacement would be blocked, from template configuration files', () => {
    const result = runCli(['plan', '--deployed', BUCKET, '--template', BUCKET, '--deployed-configuration', deployedConfiguration, '--configuration', newConfiguration]);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^MyS3Bucket\s+AWS::S3::Bucket\s+Modify \(ReplaceAndDelete\)\s+True\s+Properties\.BucketName \(always replaces.*BLOCKED\s+replaces the resource/m);
    expect(result.stdout).toMatch(/^✖ Would be blocked: 1 of 1 change\(s\) .*: MyS3Bucket\.$/m);
  });

  it('judges with the input document\'s safetyPolicy, and --json gives the whole report', () => {
    const result = runCli(['plan', '--deployed', BUCKET, '--template', BUCKET, '--deployed-configuration', deployedConfiguration, '--configuration', newConfiguration, '--input', inputAllowing, '--json']);

    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      outcome: 'pass',
      blockedCount: 0,
      changes: [{ logicalResourceId: 'MyS3Bucket', action: 'Modify', replacement: 'True', verdict: 'allowed', rule: 'replacement' }],
      disclaimer: expect.stringMatching(/decides/),
    });
  });

  it('takes a policy file, and a --parameter beats the configuration file', () => {
    const policy = write('policy.json', JSON.stringify({ allowReplacement: ['AWS::S3::Bucket'], unprotect: ['AWS::S3::Bucket'] }));

    const allowed = runCli(['plan', '--deployed', BUCKET, '--template', BUCKET, '--deployed-configuration', deployedConfiguration, '--configuration', newConfiguration, '--policy', policy, '--json']);
    const unchanged = runCli(['plan', '--deployed', BUCKET, '--template', BUCKET, '--deployed-configuration', deployedConfiguration, '--configuration', newConfiguration, '--parameter', 'BucketName=understanding-changesets-123']);

    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).changes[0].reason).toMatch(/allowed by safetyPolicy.allowReplacement/);
    expect(unchanged.code).toBe(0);
    expect(unchanged.stdout).toMatch(/^✔ No changes: CloudFormation would report an empty change set/m);
  });

  it('reads the new template and its configuration from the pipeline artifact the input document names', () => {
    const pipelineDocument = write('pipeline.json', JSON.stringify({ environmentName: 'prod', stackName: 'app', templatePath: 'infra/template.yaml', templateConfigurationPath: 'infra/prod.json' }));
    const artifact = path.join(dir, 'source.zip');
    fs.writeFileSync(artifact, defaultArtifact());
    const deployed = write('deployed-table.yaml', TEMPLATE);

    const same = runCli(['plan', '--deployed', deployed, '--deployed-parameter', 'TableName=users', '--input', pipelineDocument, '--artifact', artifact, '--json']);
    const renamed = runCli(['plan', '--deployed', deployed, '--deployed-parameter', 'TableName=accounts', '--input', pipelineDocument, '--artifact', artifact, '--json']);

    expect(same.code).toBe(0);
    expect(JSON.parse(same.stdout).outcome).toBe('no-changes');
    expect(renamed.code).toBe(1);
    expect(JSON.parse(renamed.stdout).changes).toEqual([
      expect.objectContaining({ resourceType: 'AWS::DynamoDB::Table', replacement: 'True', verdict: 'blocked', causes: ['Properties.TableName (always replaces, ParameterReference TableName)'] }),
    ]);
  });

  it('says what onUnsafe approve or new-stack would do with a blocked change set, and whether a fixed name would stop a new stack', () => {
    const document = (onUnsafe: string) => write(`unsafe-${onUnsafe}.json`, JSON.stringify({ environmentName: 'prod', stackName: 'app', templatePath: 'bucket.yaml', onUnsafe }));
    const topic = (name: string) => write(`topic-${name}.yaml`, `Resources:\n  Events:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '\${AWS::StackName}-${name}'\n`);
    const bucketArgs = ['plan', '--deployed', BUCKET, '--template', BUCKET, '--deployed-configuration', deployedConfiguration, '--configuration', newConfiguration, '--json'];

    const approve = JSON.parse(runCli([...bucketArgs, '--input', document('approve')]).stdout);
    const collides = JSON.parse(runCli([...bucketArgs, '--input', document('new-stack')]).stdout);
    const beside = runCli(['plan', '--deployed', topic('a'), '--template', topic('b'), '--input', document('new-stack'), '--json']);

    expect(approve.notes).toContainEqual(expect.stringMatching(/^With onUnsafe "approve", the deployment would keep this change set, unexecuted/));
    expect(collides.notes).toContainEqual(
      expect.stringMatching(/^With onUnsafe "new-stack", the new stack beside prod-app would take names it holds.*NameCollisionError.*MyS3Bucket \(AWS::S3::Bucket BucketName "understanding-changesets-456"\)/),
    );
    expect(beside.code).toBe(1);
    expect(JSON.parse(beside.stdout).notes).toContainEqual(expect.stringMatching(/^With onUnsafe "new-stack", the deployment would leave the live generation of prod-app untouched and create the new version beside it/));
  });

  it.each([
    ['a missing --deployed', ['plan', '--template', BUCKET], /^Error: plan: --deployed FILE \(the template the stack runs now\) is required\.$/],
    ['a missing --template', ['plan', '--deployed', BUCKET], /^Error: plan: --template FILE \(the new template\) is required, or --input FILE with --artifact ZIP\.$/],
    ['--artifact without --input', ['plan', '--deployed', BUCKET, '--deployed-parameter', 'BucketName=a', '--artifact', 'source.zip'], /^Error: plan: --artifact ZIP needs --input FILE/],
    ['a missing file', ['plan', '--deployed', BUCKET, '--template', '/nonexistent/t.yaml'], /^Error: Cannot read template \/nonexistent\/t.yaml: no such file\.$/],
    ['a parameter with no value', ['plan', '--deployed', BUCKET, '--template', BUCKET], /^Error: Parameter\(s\) BucketName of the deployed template have no value and no default: give them with --deployed-parameter KEY=VALUE/],
    ['a malformed --parameter', ['plan', '--deployed', BUCKET, '--template', BUCKET, '--deployed-parameter', 'BucketName=a', '--parameter', 'BucketName'], /^Error: --parameter takes KEY=VALUE \(got "BucketName"\)\.$/],
    ['both --input and --policy', ['plan', '--deployed', BUCKET, '--template', BUCKET, '--input', 'a.json', '--policy', 'b.json'], /^Error: plan: give --input FILE or --policy FILE, not both/],
    ['a bad policy', ['plan', '--deployed', BUCKET, '--template', BUCKET, '--policy', 'PLACEHOLDER_BAD_POLICY'], /^Error: The safety policy .*bad-policy.json is invalid: .*allowDelete/],
    ['a template that does not parse', ['plan', '--deployed', 'PLACEHOLDER_BAD_TEMPLATE', '--template', BUCKET], /^Error: The template .*broken.yaml does not parse as JSON or YAML/],
  ])('exits 2 on %s, in one line', (_case, args, message) => {
    const resolved = args.map((arg) =>
      arg === 'PLACEHOLDER_BAD_POLICY' ? write('bad-policy.json', JSON.stringify({ allowDelete: ['X'] })) : arg === 'PLACEHOLDER_BAD_TEMPLATE' ? write('broken.yaml', 'Resources: [\n') : arg,
    );

    const result = runCli(resolved);

    expect(result.code).toBe(2);
    expectOneLineError(result.stderr, message);
    expect(result.stdout).toBe('');
  });

  it('is in the help text', () => {
    const result = runCli(['help']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/deploy-orchestrator plan --deployed FILE \(--template FILE \[--configuration FILE\] \| --input FILE --artifact ZIP\)/);
  });
});
