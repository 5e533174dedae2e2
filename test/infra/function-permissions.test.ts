import * as path from 'path';
import { build, type Metafile } from 'esbuild';
import type { CfnResource } from 'aws-cdk-lib';
import { taskStates } from '../../statemachine/definition';
import { BUNDLING, handlerEntry } from '../../infra/deploy-function';
import type { DeployFunction } from '../../infra/deploy-function';
import { actionsOf, ROOT, roleStatements, synthesize, type Synthesized } from './synth';

/** The IAM service prefix of each SDK client package, where it differs from the package's name. */
const IAM_PREFIX: Record<string, string> = { sfn: 'states' };
/**
 * Commands that need no grant: the SDK sends the first two on its own (S3 Express sessions, DynamoDB
 * endpoint discovery); GetCallerIdentity needs no permission (it names the principal an AssumeRole was refused to).
 */
const SDK_INTERNAL = new Set(['s3:CreateSession', 'dynamodb:DescribeEndpoints', 'sts:GetCallerIdentity']);
/**
 * Calls made with the job's own temporary artifactCredentials, which CodePipeline scopes to the
 * action's artifacts, not with the function's role: the trigger writes the decision record to the
 * action's output artifact (functions/trigger/output-artifact.ts).
 */
const CALLED_WITH_JOB_CREDENTIALS: Record<string, string[]> = { trigger: ['s3:PutObject'] };
/** Calls a service makes with the function's credentials on its behalf: SNS encrypts what Await Approval publishes with the topic's key. */
const MADE_BY_A_SERVICE: Record<string, string[]> = { 'Await Approval': ['kms:Decrypt', 'kms:GenerateDataKey*'] };
/** What each pipeline grants the artifact readers on its artifact bucket (infra/artifact-access.ts). */
const ARTIFACT_READ = ['s3:GetObject', 's3:GetObjectVersion'];

interface Bundle {
  /** `service:Action` of every SDK command left in the bundle after tree-shaking. */
  commands: string[];
  text: string;
}

/** Bundles a handler as the CDK app does (infra/deploy-function.ts BUNDLING) and lists what is left of the SDK. */
async function bundle(functionFolder: string): Promise<Bundle> {
  const result = await build({
    entryPoints: [handlerEntry(functionFolder)],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: BUNDLING.target,
    format: BUNDLING.format === 'esm' ? 'esm' : 'cjs',
    minify: BUNDLING.minify,
    mainFields: BUNDLING.mainFields,
    external: BUNDLING.externalModules,
    write: false,
    metafile: true,
    outfile: path.join(ROOT, 'cdk.out', 'permissions-check', functionFolder, 'index.js'),
    logLevel: 'silent',
  });
  const output = Object.values((result.metafile as Metafile).outputs).find((candidate) => candidate.entryPoint !== undefined);
  const commands = Object.entries(output?.inputs ?? {})
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([file]) => /@aws-sdk\/client-([a-z0-9-]+)\/.*\/commands\/(\w+)Command\.js$/.exec(file))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, client, command]) => `${IAM_PREFIX[client] ?? client}:${command}`)
    .filter((action) => !SDK_INTERNAL.has(action));
  return { commands: [...new Set(commands)].sort(), text: result.outputFiles.find((file) => file.path.endsWith('.js'))?.text ?? '' };
}

/**
 * What a bundle needs IAM to allow: its SDK commands, iam:PassRole when it sends a `RoleARN`
 * to CloudFormation, s3:GetObjectVersion when it reads an object by `VersionId`.
 */
function neededActions({ commands, text }: Bundle): string[] {
  const needed = new Set(commands);
  if (/[{,]RoleARN:/.test(text)) needed.add('iam:PassRole');
  if (commands.includes('s3:GetObject') && /[{,]VersionId:/.test(text)) needed.add('s3:GetObjectVersion');
  return [...needed].sort();
}

const FUNCTIONS = [
  ...taskStates().map((state) => ({ name: state.stateName, folder: state.functionFolder })),
  { name: 'trigger', folder: 'trigger' },
  { name: 'complete-stack-wait', folder: 'complete-stack-wait' },
  { name: 'check-waiting-approvals', folder: 'check-waiting-approvals' },
];

let synthesized: Synthesized;
const bundles = new Map<string, Bundle>();

beforeAll(async () => {
  // With a target account, so that the assuming of its deploy role is granted too.
  synthesized = synthesize({ targetAccounts: '222222222222' });
  // One at a time: esbuild already uses every core for each bundle.
  for (const { name, folder } of FUNCTIONS) bundles.set(name, await bundle(folder));
}, 120_000);
afterAll(() => synthesized.cleanup());

function grantedActions(name: string): string[] {
  const { orchestrator, orchestratorTemplate } = synthesized;
  const others: Record<string, DeployFunction | undefined> = {
    trigger: orchestrator.trigger,
    'complete-stack-wait': orchestrator.stackEvents?.completion,
    'check-waiting-approvals': orchestrator.approvalWaits.check,
  };
  const deployFunction = others[name] ?? orchestrator.taskFunctions[name];
  const roleId = orchestrator.getLogicalId(deployFunction.role.node.defaultChild as CfnResource);
  const granted = new Set(roleStatements(orchestratorTemplate, roleId).flatMap(actionsOf).filter((action) => !action.startsWith('logs:')));
  if (orchestrator.artifactReaderRoles.includes(deployFunction.role)) ARTIFACT_READ.forEach((action) => granted.add(action));
  return [...granted].sort();
}

describe('each Lambda is allowed exactly the AWS calls its bundled code can make', () => {
  test.each(FUNCTIONS.map(({ name }) => name))('%s', (name) => {
    const withJobCredentials = new Set(CALLED_WITH_JOB_CREDENTIALS[name] ?? []);
    const needed = neededActions(bundles.get(name) as Bundle).filter((action) => !withJobCredentials.has(action));
    expect(grantedActions(name)).toEqual([...needed, ...(MADE_BY_A_SERVICE[name] ?? [])].sort());
  });

  test('the check sees the calls: the SDK commands of a handler are found in its bundle', () => {
    expect(bundles.get('Check Stack Existence')?.commands).toEqual(['cloudformation:DescribeStacks', 'cloudformation:ListChangeSets', 'sts:AssumeRole']);
    expect(neededActions(bundles.get('Create Change Set') as Bundle)).toEqual(
      expect.arrayContaining(['cloudformation:CreateChangeSet', 'iam:PassRole', 's3:GetObjectVersion']),
    );
  });
});
