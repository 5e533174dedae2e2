import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NO_AWS_CREDENTIALS, runCli } from './run-cli';
import { defaultArtifact, input } from '../helpers/aws';
import { buildArtifactZip } from '../../local/sandbox';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-cli-'));
const write = (name: string, content: string | Uint8Array) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
};
const pipelineDocument = write('deploy.json', JSON.stringify({ environmentName: 'prod', stackName: 'app', templatePath: 'infra/template.yaml', templateConfigurationPath: 'infra/prod.json' }));
const artifact = write('source.zip', defaultArtifact());

/** No stack trace: an error is one line that says what was wrong. */
function expectOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('validate', () => {
  it('accepts a pipeline input document and finds its template in the artifact', () => {
    const result = runCli(['validate', '--input', pipelineDocument, '--artifact', artifact, '--json']);

    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ valid: true, stackName: 'prod-app', template: { resourceCount: 1 }, parameters: [{ ParameterKey: 'TableName', ParameterValue: 'users' }] });
  });

  it('shows a NoEcho parameter\'s value as **** and nowhere in its output prints the value', () => {
    const template = 'Parameters:\n  DbPassword:\n    Type: String\n    NoEcho: true\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n';
    const withSecret = write('secret.zip', buildArtifactZip({ 'infra/template.yaml': template, 'infra/prod.json': JSON.stringify({ Parameters: { DbPassword: 'hunter2-do-not-print' } }) }));

    for (const json of [true, false]) {
      const result = runCli(['validate', '--input', pipelineDocument, '--artifact', withSecret, ...(json ? ['--json'] : [])]);

      expect(result.code).toBe(0);
      expect(`${result.stdout}${result.stderr}`).not.toContain('hunter2-do-not-print');
      if (json) expect(JSON.parse(result.stdout).parameters).toEqual([{ ParameterKey: 'DbPassword', ParameterValue: '****' }]);
    }
  });

  it('names the bad field and exits 2', () => {
    const bad = write('bad.json', JSON.stringify({ environmentName: 'prod', stackName: 'my_app', templatePath: 'x.yaml', colour: 'blue' }));

    const result = runCli(['validate', '--input', bad]);

    expect(result.code).toBe(2);
    expectOneLineError(result.stderr, /^Error: Invalid deployment input: stackName: use letters, digits and hyphens.*colour: unknown field/);
  });

  it('says which template is missing from the artifact', () => {
    const other = write('other.json', JSON.stringify({ environmentName: 'prod', stackName: 'app', templatePath: 'template.yml' }));

    const result = runCli(['validate', '--input', other, '--artifact', artifact]);

    expect(result.code).toBe(2);
    expectOneLineError(result.stderr, /templatePath "template.yml" is not in the artifact .*source.zip. It holds: infra\/template.yaml/);
  });
});

describe('bad usage is one line and exit 2', () => {
  it.each([
    ['a missing file', ['validate', '--input', '/nonexistent/deploy.json'], /^Error: Cannot read input document \/nonexistent\/deploy.json: no such file\.$/],
    ['bad JSON', ['validate', '--input', 'PLACEHOLDER_BAD_JSON'], /^Error: input document .* is not valid JSON/],
    ['an unknown flag', ['run', '--input', 'x.json', '--colour'], /^Error: run: Unknown option '--colour'/],
    ['an unknown command', ['deploy'], /^Unknown command "deploy"/],
    ['a bad --max-wait', ['run', '--input', 'x.json', '--local', '--max-wait', 'soon'], /--max-wait must be a whole number of seconds/],
  ])('%s', (_case, args, message) => {
    const resolved = args.map((arg) => (arg === 'PLACEHOLDER_BAD_JSON' ? write('broken.json', '{"environmentName": ') : arg));

    const result = runCli(resolved);

    expect(result.code).toBe(2);
    expectOneLineError(result.stderr, message);
  });

  it('missing AWS credentials for a run', () => {
    const document = write('run.json', JSON.stringify(input()));

    const result = runCli(['run', '--local', '--input', document], NO_AWS_CREDENTIALS);

    expect(result.code).toBe(2);
    expectOneLineError(result.stderr, /^Error: No AWS credentials found .*Set AWS_PROFILE/);
  });
});

describe('graph', () => {
  it('prints the state machine as a Mermaid flowchart', () => {
    const result = runCli(['graph']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^flowchart TD\n/);
    expect(result.stdout).toContain('SafetoUpdateInfra -- safe --> ExecuteChangeSet');
  });

  it('marks the path of a run given its --json result', () => {
    const runResult = write('result.json', JSON.stringify({ summary: { path: ['Prepare Deployment', 'Check Stack Existence', 'Deployment Failed'] } }));

    const result = runCli(['graph', '--execution', runResult]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('class PrepareDeployment,CheckStackExistence,DeploymentFailed visited');
    expect(result.stdout).toContain('class CheckStackExistence failed');
  });
});

describe('help', () => {
  it.each([
    ['simulate', ['simulate', '--help']],
    ['validate', ['validate', '--help']],
    ['plan', ['plan', '-h']],
    ['graph', ['help', 'graph']],
    ['run', ['run', '--help']],
    ['run', ['run', '--input', 'x.json', '-h']],
    ['run', ['help', 'run']],
  ])('%s answers %j with its usage alone, exit 0', (command, argv) => {
    {
      const result = runCli(argv);

      expect({ argv, code: result.code }).toEqual({ argv, code: 0 });
      expect(result.stdout).toMatch(new RegExp(`^Usage:\\n  deploy-orchestrator ${command}\\b`));
      // Only this command's usage, not the whole overview.
      expect(result.stdout.match(/ {2}deploy-orchestrator \w+/g)).toEqual([`  deploy-orchestrator ${command}`]);
      expect(result.stderr).toBe('');
    }
  });

  it('"help" and "--help" alone print the overview and exit 0; "help" of an unknown command exits 2', () => {
    for (const argv of [['help'], ['--help']]) {
      const result = runCli(argv);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^deploy-orchestrator: deploy CloudFormation stacks safely/);
    }
    expect(runCli(['help', 'deploy']).code).toBe(2);
  });
});
