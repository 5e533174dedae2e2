import { CloudFormationClient, CloudFormationServiceException } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient, CodePipelineServiceException } from '@aws-sdk/client-codepipeline';
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { SFNClient, SFNServiceException } from '@aws-sdk/client-sfn';
import { DynamoDBClient, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { DynamoDbSandbox } from './dynamodb/service';
import { STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { SNSClient, SNSServiceException } from '@aws-sdk/client-sns';
import { SnsSandbox } from './sns/service';
import { ORCHESTRATOR_ACCESS_KEY_ID, StsSandbox } from './sts/service';
import { EventBus } from './events/bus';
import { AwsFailureSignal, buildAwsError, responseMetadata, type ExceptionClass } from './aws-errors';
import { CallLog, copyInput, type ServiceName } from './calls';
import { VirtualClock } from './clock';
import { DEFAULT_SEED, SANDBOX_ACCOUNT, SANDBOX_REGION } from './constants';
import { CloudFormationSandbox, type CloudFormationOptions } from './cloudformation/service';
import { seedStack, type StackSeed } from './cloudformation/seed';
import type { SandboxStack } from './cloudformation/model';
import { runPipelineJob, type PipelineJobOptions, type PipelineJobResult } from './codepipeline/job-runner';
import { CodePipelineSandbox } from './codepipeline/service';
import { FaultInjector, networkError, type FaultRule, type InjectedFault } from './faults';
import { Interceptor, type Route, type ServiceBinding } from './interceptor';
import { SeededRandom } from './random';
import { buildArtifactZip } from './s3/artifact-zip';
import { S3Sandbox } from './s3/service';
import { StepFunctionsSandbox, type StepFunctionsOptions } from './stepfunctions/service';

export interface SandboxOptions {
  /** Seed of every id, generated name and random fault; the same seed gives the same run. */
  seed?: number;
  /** Environment variables set while the sandbox is installed (restored afterwards). */
  env?: Record<string, string>;
  cloudFormation?: Partial<CloudFormationOptions>;
  stepFunctions?: Partial<StepFunctionsOptions>;
}

/** The base exception each service's unmodeled errors (and injected faults) are built on. */
const BASE_EXCEPTIONS: Record<ServiceName, ExceptionClass> = {
  // Each client's ServiceException takes the options buildAwsError passes.
  CloudFormation: CloudFormationServiceException as unknown as ExceptionClass,
  S3: S3ServiceException as unknown as ExceptionClass,
  StepFunctions: SFNServiceException as unknown as ExceptionClass,
  CodePipeline: CodePipelineServiceException as unknown as ExceptionClass,
  DynamoDB: DynamoDBServiceException as unknown as ExceptionClass,
  STS: STSServiceException as unknown as ExceptionClass,
  SNS: SNSServiceException as unknown as ExceptionClass,
};

/** CloudFormation's stack status events, as the sandbox's CloudFormation puts them on the bus. */
const STACK_STATUS_SOURCE = 'aws.cloudformation';
const STACK_STATUS_DETAIL_TYPE = 'CloudFormation Stack Status Change';

/**
 * The offline sandbox of the AWS APIs this project calls. It is installed at the SDK boundary
 * (every client's `send`), so the real handlers, with their module-scope clients, run unchanged:
 *
 *   const sandbox = createSandbox({ env: { TEMPLATE_STAGING_BUCKET: 'staging' } }).install();
 *   try { ...run code that calls AWS... } finally { sandbox.restore(); }
 */
export class Sandbox {
  readonly clock = new VirtualClock();
  readonly random: SeededRandom;
  readonly calls = new CallLog();
  readonly faults: FaultInjector;
  readonly s3: S3Sandbox;
  readonly cloudFormation: CloudFormationSandbox;
  readonly stepFunctions: StepFunctionsSandbox;
  readonly codePipeline: CodePipelineSandbox;
  readonly dynamoDb = new DynamoDbSandbox();
  readonly sts: StsSandbox;
  readonly sns: SnsSandbox;
  /** CloudFormation of every other account and region a call reached (a deployment's target), by `account/region`. */
  private readonly otherCloudFormations = new Map<string, CloudFormationSandbox>();
  private readonly routesByCloudFormation = new Map<CloudFormationSandbox, Route[]>();
  readonly events: EventBus;

  private readonly interceptor: Interceptor;
  private savedEnv: Record<string, string | undefined> | undefined;
  /** The last status each stack was seen in, to put a status change event on the bus when it moves. */
  private readonly seenStatuses = new Map<string, string>();
  private driver: NodeJS.Timeout | undefined;

  constructor(private readonly options: SandboxOptions = {}) {
    this.random = new SeededRandom(options.seed ?? DEFAULT_SEED);
    this.faults = new FaultInjector(this.random);
    this.s3 = new S3Sandbox({ clock: this.clock, random: this.random });
    this.cloudFormation = new CloudFormationSandbox({
      clock: this.clock,
      random: this.random,
      readObject: (bucket, key) => this.s3.readObject(bucket, key),
    });
    Object.assign(this.cloudFormation.options, options.cloudFormation ?? {});
    this.stepFunctions = new StepFunctionsSandbox({ clock: this.clock, random: this.random }, options.stepFunctions);
    this.codePipeline = new CodePipelineSandbox({ clock: this.clock, random: this.random });
    this.events = new EventBus({ clock: this.clock, random: this.random });
    this.sts = new StsSandbox({ clock: this.clock, random: this.random });
    this.sns = new SnsSandbox({ random: this.random });
    const bindings: ServiceBinding[] = [
      { service: 'CloudFormation', clientClass: CloudFormationClient, routes: this.cloudFormation.routes() },
      { service: 'S3', clientClass: S3Client, routes: this.s3.routes() },
      { service: 'StepFunctions', clientClass: SFNClient, routes: this.stepFunctions.routes() },
      { service: 'CodePipeline', clientClass: CodePipelineClient, routes: this.codePipeline.routes() },
      { service: 'DynamoDB', clientClass: DynamoDBClient, routes: this.dynamoDb.routes() },
      { service: 'STS', clientClass: STSClient, routes: this.sts.routes() },
      { service: 'SNS', clientClass: SNSClient, routes: this.sns.routes() },
    ];
    this.interceptor = new Interceptor(bindings, (binding, matched, command, client) => this.dispatch(binding.service as ServiceName, matched, command, client));
  }

  /** Puts the sandbox in front of every AWS client in this process. Returns the sandbox. */
  install(): this {
    this.interceptor.install();
    // The function's own credentials, as Lambda gives them: the sandbox tells them from assumed roles' by the key.
    const env = {
      AWS_REGION: process.env.AWS_REGION ?? SANDBOX_REGION,
      AWS_ACCESS_KEY_ID: ORCHESTRATOR_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: 'sandbox-orchestrator-secret',
      AWS_SESSION_TOKEN: 'sandbox-orchestrator-session',
      ...(this.options.env ?? {}),
    };
    this.savedEnv = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
    Object.assign(process.env, env);
    return this;
  }

  /** Takes the sandbox away again and restores the environment variables it set. */
  restore(): void {
    this.stopStackDriver();
    this.interceptor.restore();
    for (const [key, value] of Object.entries(this.savedEnv ?? {})) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    this.savedEnv = undefined;
  }

  /**
   * Waits for every state machine execution started so far to end, then restores. Use it rather
   * than `restore()` when executions may still be running: a handler that ran after the sandbox
   * was taken away would call the real AWS.
   */
  async close(): Promise<void> {
    await this.stepFunctions.idle();
    await this.events.idle();
    this.restore();
  }

  /**
   * Lets stack operations run on their own, one step every `intervalMilliseconds` of real time, as
   * they do in AWS whether or not anyone polls; each status change goes on the bus. Event mode
   * needs it: nobody polls DescribeStacks while a deployment waits for an event.
   */
  startStackDriver(intervalMilliseconds = 1): void {
    this.stopStackDriver();
    // The stacks as they are now are no change: only what moves from here on is an event.
    for (const { cloudFormation } of this.allCloudFormations()) for (const stack of cloudFormation.allStacks()) this.seenStatuses.set(stack.stackId, stack.status);
    const tick = (): void => {
      const moved = this.allCloudFormations().map(({ cloudFormation }) => cloudFormation.progress());
      if (moved.some(Boolean)) this.putStackStatusEvents();
      this.driver = setTimeout(tick, intervalMilliseconds);
      this.driver.unref();
    };
    this.driver = setTimeout(tick, intervalMilliseconds);
    this.driver.unref();
  }

  stopStackDriver(): void {
    if (this.driver) clearTimeout(this.driver);
    this.driver = undefined;
  }

  /**
   * Which account and region a CloudFormation client's call reaches: the account of the
   * credentials it signs with (the orchestrator's own, or a role assumed through the sandbox's STS)
   * and its region.
   */
  private async cloudFormationCalledBy(client: unknown): Promise<{ account: string; region: string; accessKeyId?: string; cloudFormation: CloudFormationSandbox }> {
    const config = (client as { config?: { credentials?: () => Promise<{ accessKeyId?: string }>; region?: string | (() => Promise<string>) } } | undefined)?.config;
    const credentials = typeof config?.credentials === 'function' ? await config.credentials() : undefined;
    const region = typeof config?.region === 'function' ? await config.region() : (config?.region ?? SANDBOX_REGION);
    const account = this.sts.accountOf(credentials?.accessKeyId);
    return { account, region, accessKeyId: credentials?.accessKeyId, cloudFormation: this.cloudFormationIn(account, region) };
  }

  private routeIn(cloudFormation: CloudFormationSandbox, operation: string): Route {
    let routes = this.routesByCloudFormation.get(cloudFormation);
    if (!routes) {
      routes = cloudFormation.routes();
      this.routesByCloudFormation.set(cloudFormation, routes);
    }
    const found = routes.find((candidate) => candidate.operation === operation);
    if (!found) throw new Error(`No CloudFormation route ${operation}`);
    return found;
  }

  /** A "CloudFormation Stack Status Change" event for each stack whose status moved since the last look. */
  private putStackStatusEvents(): void {
    if (!this.events.hasRules() || !this.driver) return;
    for (const { account, region, cloudFormation } of this.allCloudFormations()) {
      for (const stack of cloudFormation.allStacks()) {
        if (this.seenStatuses.get(stack.stackId) === stack.status) continue;
        this.seenStatuses.set(stack.stackId, stack.status);
        this.events.put(
          STACK_STATUS_SOURCE,
          STACK_STATUS_DETAIL_TYPE,
          { 'stack-id': stack.stackId, 'status-details': { status: stack.status, 'status-reason': stack.statusReason ?? '' } },
          [stack.stackId],
          { account, region },
        );
      }
    }
  }

  /** Sets or changes an environment variable for as long as the sandbox is installed. */
  setEnv(key: string, value: string): void {
    if (this.savedEnv && !(key in this.savedEnv)) this.savedEnv[key] = process.env[key];
    process.env[key] = value;
  }

  /** CloudFormation of an account and region: the sandbox's own, or another's (made on first use). */
  cloudFormationIn(account: string = SANDBOX_ACCOUNT, region: string = SANDBOX_REGION): CloudFormationSandbox {
    if (account === SANDBOX_ACCOUNT && region === SANDBOX_REGION) return this.cloudFormation;
    const key = `${account}/${region}`;
    let other = this.otherCloudFormations.get(key);
    if (!other) {
      other = new CloudFormationSandbox({
        clock: this.clock,
        random: this.random,
        readObject: (bucket, objectKey) => this.s3.readObject(bucket, objectKey),
        account,
        region,
        shared: this.cloudFormation.sharedFailures(),
      });
      Object.assign(other.options, this.cloudFormation.options);
      this.otherCloudFormations.set(key, other);
    }
    return other;
  }

  /** Every account and region's CloudFormation, the sandbox's own first. */
  allCloudFormations(): Array<{ account: string; region: string; cloudFormation: CloudFormationSandbox }> {
    return [
      { account: SANDBOX_ACCOUNT, region: SANDBOX_REGION, cloudFormation: this.cloudFormation },
      ...[...this.otherCloudFormations].map(([key, cloudFormation]) => {
        const [account, region] = key.split('/');
        return { account, region, cloudFormation };
      }),
    ];
  }

  // ---- Conveniences over the services ---------------------------------------------------------

  seedStack(seed: StackSeed): SandboxStack {
    return seedStack(this.cloudFormation, seed);
  }

  /** Creates a bucket and puts a zip of `files` in it, as a pipeline's source action does. */
  putArtifact(bucket: string, key: string, files: Record<string, string | Uint8Array>): { bucket: string; key: string; versionId?: string } {
    this.s3.createBucket(bucket, { versioned: true });
    const { versionId } = this.s3.putObject(bucket, key, buildArtifactZip(files), 'application/zip');
    return { bucket, key, versionId };
  }

  /** Runs a pipeline's Lambda invoke action (the trigger) to its end, re-invoking with the continuation token. */
  runPipelineJob(options: PipelineJobOptions): Promise<PipelineJobResult> {
    return runPipelineJob(this.codePipeline, this.clock, options);
  }

  injectFault(rule: FaultRule): void {
    this.faults.add(rule);
  }

  /** Mutating calls that succeeded, in order: `['CreateChangeSet', 'DeleteChangeSet']`. */
  mutatingCalls(service?: ServiceName): string[] {
    return this.calls.mutatingOperations(service);
  }

  private async dispatch(service: ServiceName, matched: Route, command: { input: object }, client: unknown): Promise<object> {
    const where = service === 'CloudFormation' ? await this.cloudFormationCalledBy(client) : undefined;
    if (where) matched = this.routeIn(where.cloudFormation, matched.operation);
    const at = this.clock.advance();
    // Recorded on arrival, so the log keeps the order calls were made in even when one's answer
    // (StartExecution starting the engine) makes further calls before it returns.
    const call = this.calls.record({
      service,
      operation: matched.operation,
      input: copyInput(command.input ?? {}),
      at,
      ...(where ? { account: where.account, region: where.region, accessKeyId: where.accessKeyId } : {}),
    });
    const requestId = this.random.uuid();
    const injected = this.faults.faultFor(service, matched.operation);
    const fail = (fault: InjectedFault): never => {
      const error = 'network' in fault ? networkError(fault.network) : buildAwsError(BASE_EXCEPTIONS[service], fault.answer, requestId);
      call.error = { name: 'network' in fault ? `network:${fault.network}` : fault.answer.name, message: error.message, injected: true };
      throw error;
    };
    if (injected?.when === 'before') fail(injected);
    let output: object;
    try {
      output = await matched.handle(command.input ?? {});
    } catch (error) {
      if (error instanceof AwsFailureSignal) {
        const { spec, exceptionClass } = error.failure;
        call.error = { name: spec.name, message: spec.message, injected: false };
        throw buildAwsError(exceptionClass, spec, requestId);
      }
      call.error = { name: 'SandboxError', message: error instanceof Error ? error.message : String(error), injected: false };
      throw error;
    }
    if (service === 'CloudFormation') this.putStackStatusEvents();
    // The service did the work; only its answer is lost.
    if (injected) fail(injected);
    return { ...output, $metadata: responseMetadata(200, requestId) };
  }
}

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  return new Sandbox(options);
}
