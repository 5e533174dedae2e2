import * as path from 'path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The repository root: entries, the lock file and esbuild are found from here, never from the current directory. */
export const PROJECT_ROOT = path.join(__dirname, '..');

/** Where a Lambda's code lives: `functions/<folder>/handler.ts`, exporting `handler`. */
export function handlerEntry(functionFolder: string): string {
  return path.join(PROJECT_ROOT, 'functions', functionFolder, 'handler.ts');
}

/**
 * Node.js 24: the newest Lambda runtime for Node.js (cdk-nag AwsSolutions-L1 asks for the newest
 * of the family) and the one supported longest; Node.js 20 reached end of life in April 2026.
 */
export const RUNTIME = lambda.Runtime.NODEJS_24_X;
const ESBUILD_TARGET = 'node24';

/**
 * Modules the bundles take from this repository in place of the SDK's: the default credential
 * chain gives way to the environment variables Lambda sets (functions/shared/lambda-credentials.ts).
 * The paths are of this machine, which is where esbuild runs (below).
 */
const BUNDLE_ALIASES: Record<string, string> = {
  '@aws-sdk/credential-provider-node': path.join(PROJECT_ROOT, 'functions', 'shared', 'lambda-credentials.ts'),
};

/**
 * One esbuild bundle per function, made locally (esbuild is a devDependency: no Docker).
 *
 * The AWS SDK is bundled, not taken from the runtime: the bundle runs the SDK versions that
 * package-lock.json pins and the unit tests ran against, not whatever the runtime ships that
 * week. It also loads faster: measured (README, "Function bundles"), taking the SDK from the
 * runtime would shrink every bundle under 200 KB but make each function load slower, the trigger
 * in ~190 ms instead of ~120 ms, as Node.js then reads the SDK's unbundled CommonJS files.
 *
 * Minified and tree-shaken (`module` entry points first), a bundle carries only the SDK clients
 * and commands its handler imports, and only the parts of zod it uses (functions/shared/zod.ts).
 * BUNDLE_ALIASES drops the SDK's default credential chain, ~130 KB of every bundle that a Lambda
 * never runs. The functions that call S3 stay over 300 KB: the S3 client keeps the schema of every
 * S3 operation (the SDK writes them with computed keys, which esbuild cannot prove free of side
 * effects), and Prepare Deployment and the create functions also carry the YAML parser.
 *
 * Source maps, without the sources, make stack traces in the logs point at the TypeScript lines.
 */
export const BUNDLING: nodejs.BundlingOptions = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: ESBUILD_TARGET,
  format: nodejs.OutputFormat.CJS,
  mainFields: ['module', 'main'],
  bundleAwsSDK: true,
  externalModules: [],
  esbuildArgs: { '--alias': Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`) },
  forceDockerBundling: false,
};

export interface DeployFunctionProps {
  /** The folder under `functions/`: the state's name in kebab case, or `trigger`. */
  readonly functionFolder: string;
  readonly description: string;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  readonly environment?: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A Lambda function of the orchestrator with a role of its own that starts empty: it may write
 * to its own log group and nothing else until a grant says otherwise. (The AWS managed
 * AWSLambdaBasicExecutionRole would let it write to every log group in the account.)
 */
export class DeployFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DeployFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: handlerEntry(props.functionFolder),
      handler: 'handler',
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      bundling: BUNDLING,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    });
  }
}
