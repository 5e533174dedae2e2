import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadDefinitionText, taskStates } from '../../statemachine/definition';
import { readViolations, ROOT } from './synth';

/** No AWS account, no credentials, no network: every request the CLI might try goes to a closed port. */
function offlineEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (/^AWS_/.test(name) || name === 'CDK_DEFAULT_ACCOUNT' || name === 'CDK_DEFAULT_REGION') delete env[name];
  return {
    ...env,
    AWS_CONFIG_FILE: path.join(os.tmpdir(), 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(os.tmpdir(), 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_VERSION_CHECK: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    HTTP_PROXY: 'http://127.0.0.1:9',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '',
  };
}

interface TemplateJson {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string> }>;
}

describe('`npx cdk synth`', () => {
  let outdir: string;
  let result: ReturnType<typeof spawnSync>;
  let seconds: number;

  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-synth-'));
    const started = Date.now();
    result = spawnSync('npx', ['cdk', 'synth', '--no-notices', '--no-lookups', '--quiet', '-c', 'samplePipeline=true', '--output', outdir], {
      cwd: ROOT,
      env: offlineEnvironment(),
      encoding: 'utf8',
      timeout: 280_000,
    });
    seconds = (Date.now() - started) / 1000;
  }, 300_000);
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('runs offline, without an AWS account or Docker, and cdk-nag finds nothing', () => {
    expect({ status: result.status, error: result.error, stderr: result.status === 0 ? '' : String(result.stderr).slice(-4000) }).toEqual({
      status: 0,
      error: undefined,
      stderr: '',
    });
    expect(readViolations(outdir)).toEqual([]);
    console.log(`cdk synth (both stacks, ${taskStates().length + 3} bundles): ${seconds.toFixed(1)} s`);
  });

  test('bundles each Lambda: minified, with its source map, carrying only what it imports', () => {
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'SafeDeployOrchestrator.template.json'), 'utf8')) as TemplateJson;
    const functions = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function');
    // One per task state, the trigger, event mode's completion function, and the waiting-approvals check.
    expect(functions).toHaveLength(taskStates().length + 3);
    const sizes: Record<string, string> = {};
    for (const [logicalId, resource] of functions) {
      const assetDir = path.join(outdir, resource.Metadata?.['aws:asset:path'] as string);
      expect(fs.readdirSync(assetDir).sort()).toEqual(['index.js', 'index.js.map']);
      const code = fs.readFileSync(path.join(assetDir, 'index.js'), 'utf8');
      expect(code.length / code.split('\n').length).toBeGreaterThan(1000); // minified: long lines, no indentation
      // The SDK is inside the bundle, not taken from the runtime; only the optional CRT signer (SigV4a) is left to a guarded require.
      const sdkRequires = new Set([...code.matchAll(/require\("(@aws-sdk\/[^"]+)"\)/g)].map((match) => match[1]));
      expect([...sdkRequires].filter((name) => name !== '@aws-sdk/signature-v4-crt')).toEqual([]);
      // BUNDLING's alias reached esbuild: no default credential chain (its SSO client, its web identity
      // and container providers). The STS client itself is there where a function assumes target roles.
      expect(code).not.toMatch(/GetRoleCredentials|AWS_WEB_IDENTITY_TOKEN_FILE|AWS_CONTAINER_CREDENTIALS_FULL_URI/);
      sizes[logicalId.replace(/Function[0-9A-F]{8}$/, '')] = `${(code.length / 1024).toFixed(0)} KiB`;
    }
    console.log('Bundle sizes (index.js):', sizes);
  });

  test('deploys the ASL file as it is, its placeholders filled by CloudFormation', () => {
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'SafeDeployOrchestrator.template.json'), 'utf8')) as TemplateJson;
    const [stateMachine] = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::StepFunctions::StateMachine');
    const { Key } = stateMachine.Properties.DefinitionS3Location as { Key: string };
    expect(fs.readFileSync(path.join(outdir, `asset.${Key}`), 'utf8')).toBe(loadDefinitionText());
  });
});
