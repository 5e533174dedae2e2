/**
 * The seeded fault-injection harness: whole deployments (pipeline job → trigger → the real ASL in
 * the local engine → the real task handlers → the sandbox) with faults injected into every AWS call
 * and into the Lambdas themselves, and the invariants every run must keep. Used by the jest suite
 * (test/faults/fault-injection.test.ts) and by `npm run soak`.
 */
import * as path from 'path';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { CodePipelineEvent } from 'aws-lambda';
import { TASK_HANDLERS } from '../../functions/handlers';
import { readableCause } from '../../functions/shared/failure-cause';
import { parseTemplateText } from '../../functions/shared/template';
import { executionNameFor } from '../../functions/trigger/execution-name';
import { handler as trigger } from '../../functions/trigger/handler';
import type { TaskHandler } from '../../local/engine';
import { EXAMPLE_ARTIFACT_CREDENTIALS, type FaultRule, type Sandbox, type ServiceName } from '../../local/sandbox';
import { SeededRandom } from '../../local/sandbox/random';
import { DOCUMENTS_BUCKET, DOCUMENT_KEY, STATE_MACHINE_NAME, buildScenarioSandbox, loadScenario, scenarioInput, type Scenario } from '../../local/sandbox/scenario';
import { enableEventMode } from '../../local/event-mode';
import { loadDefinitionText } from '../../statemachine/definition';
import { newStackPlan, newStackViolations } from './new-stack';
import { APPROVAL_TIMEOUT_SECONDS, approvalDefinition, approvalFaultRules, approvalPlan, approvalViolations, approveAsPlanned, deploymentExecutes, type ApprovalPlan, type ApprovalRecord, type ApproverContext } from './approvals';

const SCENARIOS = path.join(__dirname, '..', '..', 'examples', 'scenarios');
/** The stack every scenario deploys. */
const STACK_NAME = 'prod-orders';

/** A NoEcho parameter's value that must never leave the artifact, except to CloudFormation. */
export const NO_ECHO_SECRET = 'Pa55-w0rd-never-logged-7Q';
/** The job event's artifact credentials: never logged, never recorded anywhere. */
export const CREDENTIAL_SECRETS = [EXAMPLE_ARTIFACT_CREDENTIALS.secretAccessKey, EXAMPLE_ARTIFACT_CREDENTIALS.sessionToken];

/** What a run deploys, and what its outcome must be. */
interface Kind {
  scenario: string;
  /** The stack's status when this deployment did its work. */
  target?: 'CREATE_COMPLETE' | 'UPDATE_COMPLETE';
  /** The change must never be executed. */
  unsafe?: boolean;
  /** The deployment must not succeed (CloudFormation rolls it back, or the stack is stuck). */
  mustFail?: boolean;
}

const KINDS: Record<string, Kind> = {
  create: { scenario: 'create-new-stack', target: 'CREATE_COMPLETE' },
  'safe-update': { scenario: 'safe-update', target: 'UPDATE_COMPLETE' },
  'unsafe-update': { scenario: 'removal-rejected', unsafe: true, mustFail: true },
  'replacement': { scenario: 'replacement-renamed-table', unsafe: true, mustFail: true },
  'no-op': { scenario: 'no-changes' },
  'create-rollback': { scenario: 'create-rolled-back', mustFail: true },
  'update-rollback': { scenario: 'update-rolled-back', mustFail: true },
};

export type FaultKind = 'throttle' | '5xx' | 'timeout' | 'reset' | 'answer-lost' | 'lambda-crash' | 'lambda-timeout';
export const FAULT_KINDS: FaultKind[] = ['throttle', '5xx', 'timeout', 'reset', 'answer-lost', 'lambda-crash', 'lambda-timeout'];
const SERVICES: ServiceName[] = ['CloudFormation', 'S3', 'StepFunctions', 'CodePipeline'];

export type Shape = 'pipeline' | 'manual' | 'duplicate-invocations' | 'concurrent';

export interface RunPlan {
  seed: number;
  kind: string;
  shape: Shape;
  /** Deployments of the same stack started together (concurrent shape). */
  deployments: number;
  onBusy: 'fail' | 'wait';
  faults: Array<{ kind: FaultKind; service?: ServiceName; probability: number }>;
  slow: boolean;
  /**
   * The account has event mode: deployments wait for the stack's status change event. Its events
   * may be lost or delivered twice, and its wait table may throttle or fail.
   */
  events?: { lose: number; duplicate: number; tableFaults: boolean };
  /** The stack is in another account, deployed through a role assumed there (which STS may throttle). */
  target?: { stsFaults: boolean };
  /** An unsafe change's input says `"onUnsafe": "approve"`, and a person answers (or does not) as planned. */
  approval?: ApprovalPlan;
  /** An unsafe change's input says `"onUnsafe": "new-stack"`: it is deployed beside the live stack. */
  newStack?: true;
}

export interface DeploymentOutcome {
  via: 'pipeline' | 'manual';
  /** SUCCEEDED / FAILED / TIMED_OUT / ABORTED for an execution; Succeeded / Failed / NoResult for a pipeline job. */
  status: string;
  succeeded: boolean;
  error?: string;
  cause?: string;
  executionArns: string[];
}

export interface RunResult {
  plan: RunPlan;
  outcomes: DeploymentOutcome[];
  faultsInjected: Record<string, number>;
  violations: string[];
  /** How each of the person's answers ended (approval runs). */
  approvalAnswers?: string[];
}

/** The plan of run `index` under `masterSeed`: everything about the run follows from these two numbers. */
export function planRun(masterSeed: number, index: number): RunPlan {
  const seed = (Math.imul(masterSeed ^ 0x9e3779b9, 2654435761) + Math.imul(index + 1, 40503)) >>> 0;
  const random = new SeededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)];
  const kind = pick(Object.keys(KINDS));
  const shape = pick<Shape>(['pipeline', 'pipeline', 'manual', 'duplicate-invocations', 'concurrent']);
  const faults = FAULT_KINDS.filter(() => random.next() < 0.5).map((faultKind) => ({
    kind: faultKind,
    ...(faultKind.startsWith('lambda') ? {} : { service: pick(SERVICES) }),
    probability: faultKind === 'throttle' ? 0.2 : faultKind.startsWith('lambda') ? 0.05 : 0.08,
  }));
  const plan: RunPlan = {
    seed,
    kind,
    shape: shape === 'concurrent' && !KINDS[kind].target ? 'pipeline' : shape,
    deployments: 2 + Math.floor(random.next() * 2),
    onBusy: random.next() < 0.5 ? 'fail' : 'wait',
    faults,
    slow: random.next() < 0.3,
    // Drawn last, so that the plans drawn before event mode existed stay as they were.
    ...eventModePlan(random),
    ...targetPlan(random),
    ...approvalPlan(random, !!KINDS[kind].unsafe),
  };
  return withNewStack(plan, random);
}

/** The plan with its new-stack draw, taken after every other so that the plans drawn before it stay as they were. */
function withNewStack(plan: RunPlan, random: SeededRandom): RunPlan {
  return { ...plan, ...newStackPlan(random, !!KINDS[plan.kind].unsafe && !plan.approval) };
}

function targetPlan(random: SeededRandom): Pick<RunPlan, 'target'> {
  const target = random.next() < 0.3;
  const stsFaults = random.next() < 0.5;
  return target ? { target: { stsFaults } } : {};
}

/** The target account of the runs that deploy into another account, and the role they assume there. */
const TARGET_ACCOUNT = '222222222222';
const TARGET_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/SafeDeployTarget-DeployRole`;
const TARGET_SERVICE_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/SafeDeployTarget-CloudFormationRole`;

function eventModePlan(random: SeededRandom): Pick<RunPlan, 'events'> {
  const events = random.next() < 0.4;
  const lose = random.next() < 0.15 ? 0.5 : 0;
  const duplicate = random.next() < 0.5 ? 0.5 : 0;
  const tableFaults = random.next() < 0.5;
  return events ? { events: { lose, duplicate, tableFaults } } : {};
}

/** The definition with event mode's 30-minute fallback cut to a second, so that a lost event costs a second of the run. */
const SHORT_FALLBACK_DEFINITION = (() => {
  const definition = JSON.parse(loadDefinitionText()) as { States: Record<string, Record<string, unknown>> };
  definition.States['Await Stack Event'].TimeoutSeconds = 1;
  return JSON.stringify(definition);
})();

/** The definition a run registers, when it is not the project's own. */
function definitionFor(plan: RunPlan): string | undefined {
  const base = plan.events ? SHORT_FALLBACK_DEFINITION : undefined;
  return plan.approval ? approvalDefinition(plan.approval, base) : base;
}

/** Where approval requests go in the approval runs. */
const APPROVAL_TOPIC = 'arn:aws:sns:us-east-1:123456789012:deploy-approvals';

/** Adds a NoEcho parameter to the scenario's template, and its secret value to a template configuration. */
function withNoEchoSecret(scenario: Scenario): Scenario {
  const templatePath = String(scenario.input.templatePath);
  const template = parseTemplateText(scenario.artifact.files[templatePath]) as { Parameters?: Record<string, unknown> };
  template.Parameters = { ...(template.Parameters ?? {}), DbPassword: { Type: 'String', NoEcho: true } };
  const configurationPath = typeof scenario.input.templateConfigurationPath === 'string' ? scenario.input.templateConfigurationPath : 'fault-config.json';
  const existing = scenario.artifact.files[configurationPath];
  const configuration = existing ? (JSON.parse(existing) as { Parameters?: Record<string, string> }) : {};
  configuration.Parameters = { ...(configuration.Parameters ?? {}), DbPassword: NO_ECHO_SECRET };
  return {
    ...scenario,
    input: { ...scenario.input, templateConfigurationPath: configurationPath },
    artifact: {
      ...scenario.artifact,
      files: { ...scenario.artifact.files, [templatePath]: JSON.stringify(template, null, 2), [configurationPath]: JSON.stringify(configuration) },
    },
  };
}

function faultRules(plan: RunPlan): FaultRule[] {
  return plan.faults
    .filter((fault) => !fault.kind.startsWith('lambda'))
    .map((fault): FaultRule => {
      const base = { service: fault.service as ServiceName, operation: '*', probability: fault.probability };
      switch (fault.kind) {
        case 'throttle':
          return { ...base, kind: 'throttle' };
        case '5xx':
          return { ...base, kind: 'error', error: { name: 'InternalFailure', message: 'We encountered an internal error. Please try again.', httpStatusCode: 500 } };
        case 'timeout':
          return { ...base, kind: 'network', network: 'timeout' };
        case 'reset':
          return { ...base, kind: 'network', network: 'reset' };
        default:
          // The service does the work and the answer is lost on the way back.
          return { ...base, kind: 'error', when: 'after', error: { name: 'ServiceUnavailable', message: 'Service unavailable', httpStatusCode: 503 } };
      }
    });
}

/** The task Lambdas as the faults see them: some invocations crash before running, some run and then time out. */
function faultyHandlers(plan: RunPlan, counts: Record<string, number>, base: Record<string, TaskHandler>): Record<string, TaskHandler> {
  const random = new SeededRandom(plan.seed ^ 0x5bd1e995);
  const crash = plan.faults.find((fault) => fault.kind === 'lambda-crash')?.probability ?? 0;
  const timeout = plan.faults.find((fault) => fault.kind === 'lambda-timeout')?.probability ?? 0;
  const lambdaError = (name: string, message: string) => Object.assign(new Error(message), { name });
  return Object.fromEntries(
    Object.entries(base).map(([state, handler]) => [
      state,
      async (event: unknown) => {
        if (random.next() < crash) {
          counts['lambda-crash'] = (counts['lambda-crash'] ?? 0) + 1;
          throw lambdaError('Lambda.Unknown', 'The function crashed before it could answer');
        }
        const result = await handler(event);
        if (random.next() < timeout) {
          counts['lambda-timeout'] = (counts['lambda-timeout'] ?? 0) + 1;
          // The dangerous case: the work is done, the answer is lost.
          throw lambdaError('Sandbox.Timedout', 'Task timed out after 30.00 seconds');
        }
        return result;
      },
    ]),
  );
}

/**
 * Runs one planned deployment (or several, of one stack) to its end and checks every invariant.
 * `replaced` swaps task handlers for broken ones: only the tests that prove an invariant can fail use it.
 */
export async function runPlanned(plan: RunPlan, logs: string[], replaced: Record<string, TaskHandler> = {}): Promise<RunResult> {
  const kind = KINDS[plan.kind];
  const loaded = loadScenario(path.join(SCENARIOS, kind.scenario));
  const targeted: Scenario = plan.target
    ? {
        ...loaded,
        input: { ...loaded.input, targetRoleArn: TARGET_ROLE, cloudFormationRoleArn: TARGET_SERVICE_ROLE },
        stacks: loaded.stacks.map((stack) => ({ ...stack, account: TARGET_ACCOUNT })),
        sandbox: { ...(loaded.sandbox ?? {}), roles: [{ roleArn: TARGET_ROLE }] },
      }
    : loaded;
  const scenario = withNoEchoSecret({ ...targeted, seed: plan.seed, sandbox: { ...(targeted.sandbox ?? {}), ...(plan.slow ? { delayPolls: 6 } : {}) } });
  const lambdaFaults: Record<string, number> = {};
  const handlers = faultyHandlers(plan, lambdaFaults, { ...TASK_HANDLERS, ...replaced });
  const { sandbox, stateMachineArn } = buildScenarioSandbox(scenario, handlers);
  const definitionText = definitionFor(plan);
  if (definitionText) sandbox.stepFunctions.registerStateMachine({ name: STATE_MACHINE_NAME, handlers, definitionText });
  const input: Record<string, unknown> = {
    ...scenarioInput(scenario),
    onBusy: plan.onBusy,
    ...(plan.approval ? { onUnsafe: 'approve', approvalTimeoutSeconds: APPROVAL_TIMEOUT_SECONDS } : {}),
    ...(plan.newStack ? { onUnsafe: 'new-stack' } : {}),
  };
  sandbox.s3.createBucket(DOCUMENTS_BUCKET);
  const { revisionS3Bucket: _bucket, revisionS3Key: _key, ...document } = input;
  sandbox.s3.putObject(DOCUMENTS_BUCKET, DOCUMENT_KEY, JSON.stringify(document), 'application/json');
  const logStart = logs.length;
  sandbox.install();
  sandbox.setEnv('STATE_MACHINE_ARN', stateMachineArn);
  for (const rule of faultRules(plan)) sandbox.injectFault(rule);
  if (plan.target?.stsFaults) sandbox.injectFault({ service: 'STS', operation: '*', kind: 'throttle', probability: 0.2 });
  const approver: ApproverContext = { sandbox, cloudFormation: sandbox.cloudFormationIn(plan.target ? TARGET_ACCOUNT : undefined), stackName: STACK_NAME, ...(plan.target ? { roleArn: TARGET_ROLE } : {}) };
  let approval: ApprovalRecord | undefined;
  if (plan.approval) {
    sandbox.setEnv('APPROVAL_TOPIC_ARN', APPROVAL_TOPIC);
    for (const rule of approvalFaultRules(plan.approval)) sandbox.injectFault(rule);
    approval = approveAsPlanned(plan.approval, approver);
  }
  if (plan.events) {
    enableEventMode(sandbox);
    Object.assign(sandbox.events.options, { loseProbability: plan.events.lose, duplicateProbability: plan.events.duplicate });
    if (plan.events.tableFaults) {
      sandbox.injectFault({ service: 'DynamoDB', operation: '*', kind: 'throttle', probability: 0.15 });
      sandbox.injectFault({ service: 'DynamoDB', operation: '*', kind: 'error', when: 'after', probability: 0.05, error: { name: 'ServiceUnavailable', message: 'Service unavailable', httpStatusCode: 503 } });
    }
  }
  const liveStatusBefore = sandbox.cloudFormationIn(plan.target ? TARGET_ACCOUNT : undefined).stack(STACK_NAME)?.status;
  let outcomes: DeploymentOutcome[];
  try {
    const runs: Array<Promise<DeploymentOutcome>> = [];
    const count = plan.shape === 'concurrent' ? plan.deployments : 1;
    for (let i = 0; i < count; i++) {
      const manual = plan.shape === 'manual' || (plan.shape === 'concurrent' && i % 2 === 1);
      runs.push(manual ? deployManually(sandbox, stateMachineArn, input, `manual-${plan.seed}-${i}`) : deployThroughPipeline(sandbox, scenario, plan.shape === 'duplicate-invocations' ? 3 : 1));
    }
    outcomes = await Promise.all(runs);
    if (approval) await Promise.allSettled(approval.pending);
  } finally {
    await sandbox.close();
  }
  const faultsInjected: Record<string, number> = { ...lambdaFaults };
  for (const call of sandbox.calls.find({ includeFailed: true })) {
    if (call.error?.injected) {
      const name = call.error.name.startsWith('network:') ? call.error.name.slice('network:'.length) : call.error.name === 'InternalFailure' ? '5xx' : call.error.name === 'ServiceUnavailable' ? 'answer-lost' : 'throttle';
      faultsInjected[name] = (faultsInjected[name] ?? 0) + 1;
    }
  }
  const violations = checkInvariants(plan, kind, sandbox, outcomes, logs.slice(logStart));
  if (plan.newStack) violations.push(...newStackViolations(sandbox.cloudFormationIn(plan.target ? TARGET_ACCOUNT : undefined), STACK_NAME, liveStatusBefore, outcomes));
  if (plan.approval && approval) {
    const entered = (state: string) => outcomes.some((outcome) => outcome.executionArns.some((arn) => enteredState(sandbox, arn, state)));
    violations.push(...approvalViolations(plan.approval, approval, sandbox, approver, outcomes, { timedOut: entered('Approval Timed Out'), failedUnsafe: entered('Delete Change Set') }));
  }
  return { plan, outcomes, faultsInjected, violations, ...(approval ? { approvalAnswers: approval.answers } : {}) };
}

/** Whether the execution went through the state (the engine's own history). */
function enteredState(sandbox: Sandbox, executionArn: string, state: string): boolean {
  return (sandbox.stepFunctions.execution(executionArn)?.events ?? []).some((event) => event.type === 'StateEntered' && (event as { state?: { name?: string } }).state?.name === state);
}

async function deployThroughPipeline(sandbox: Sandbox, scenario: Scenario, deliveries: number): Promise<DeploymentOutcome> {
  const result = await sandbox.runPipelineJob({
    invoke: (event: CodePipelineEvent) => trigger(event),
    userParameters: JSON.stringify({ s3Bucket: DOCUMENTS_BUCKET, stateMachineFile: DOCUMENT_KEY }),
    inputArtifacts: [{ name: 'SourceArtifact', bucket: scenario.artifact.bucket, key: scenario.artifact.key }],
    concurrentDeliveries: deliveries,
  });
  // The trigger names the execution after the action's first job.
  const name = executionNameFor(result.jobs[0].jobId);
  const executionArns = sandbox.stepFunctions.allExecutions().filter((execution) => execution.name === name).map((execution) => execution.executionArn);
  const failure = result.final.failure?.failureDetails;
  // The pipeline shows a failure type; the execution, when there is one, names the error.
  const executionError = executionArns.length ? sandbox.stepFunctions.execution(executionArns[0])?.result?.error : undefined;
  return {
    via: 'pipeline',
    status: result.status,
    succeeded: result.status === 'Succeeded',
    ...(failure ? { error: executionError ?? failure.type, cause: failure.message } : result.status === 'Succeeded' ? {} : { error: result.status, cause: '' }),
    executionArns,
  };
}

async function deployManually(sandbox: Sandbox, stateMachineArn: string, input: Record<string, unknown>, name: string): Promise<DeploymentOutcome> {
  const sfn = new SFNClient({});
  // A person in the console retries a refused start until it goes through.
  let executionArn: string | undefined;
  for (let attempt = 0; attempt < 20 && !executionArn; attempt++) {
    try {
      executionArn = (await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }))).executionArn;
    } catch {
      // Throttled or lost: the same name makes the retry the same execution.
    }
  }
  if (!executionArn) return { via: 'manual', status: 'NOT_STARTED', succeeded: false, error: 'NotStarted', cause: 'the console could not start the execution', executionArns: [] };
  const result = await sandbox.stepFunctions.result(executionArn);
  return {
    via: 'manual',
    status: result.status,
    succeeded: result.status === 'SUCCEEDED',
    ...(result.error ? { error: result.error } : {}),
    ...(result.cause ? { cause: readableCause(result.cause) } : {}),
    executionArns: [executionArn],
  };
}

/** Text that must never appear anywhere the sandbox recorded, except where CloudFormation must get it. */
function secretsLeaked(sandbox: Sandbox, logs: string[], histories: string[]): string[] {
  const recorded = sandbox.calls
    .find({ includeFailed: true })
    // The one place the NoEcho value belongs: the parameters CloudFormation is given.
    .map((call) => (call.operation === 'CreateStack' || call.operation === 'CreateChangeSet' ? { ...call.input, Parameters: undefined } : call.input))
    .map((input) => JSON.stringify(input));
  const everywhere = [...recorded, ...logs, ...histories].join('\n');
  const assumed = sandbox.sts.assumed.flatMap((session) => [session.secretAccessKey, session.sessionToken]);
  return [NO_ECHO_SECRET, ...CREDENTIAL_SECRETS, ...assumed].filter((secret) => everywhere.includes(secret));
}

function checkInvariants(plan: RunPlan, kind: Kind, sandbox: Sandbox, outcomes: DeploymentOutcome[], logs: string[]): string[] {
  const violations: string[] = [];
  const stackName = STACK_NAME;
  const cloudFormation = sandbox.cloudFormationIn(plan.target ? TARGET_ACCOUNT : undefined);
  const stack = cloudFormation.stack(stackName);
  // A target deployment makes every CloudFormation call in the target account, with the role assumed there.
  if (plan.target) {
    const assumed = new Set(sandbox.sts.assumed.map((session) => session.accessKeyId));
    const stray = sandbox.calls.find({ service: 'CloudFormation', includeFailed: true }).filter((call) => call.account !== TARGET_ACCOUNT || !assumed.has(call.accessKeyId ?? ''));
    if (stray.length) violations.push(`wrong-account: ${stray.length} CloudFormation call(s) of a target deployment went elsewhere or without the target role`);
  }
  // Someone else's change set (an approval run's intruder) is not the deployment's doing.
  const executeAttempts = deploymentExecutes(sandbox);
  const createAttempts = sandbox.calls.find({ operation: 'CreateStack', includeFailed: true });

  // With onUnsafe approve, the approval runs' own invariants say when an unsafe change set may be executed.
  if (kind.unsafe && !plan.approval && executeAttempts.length) violations.push('unsafe-executed: ExecuteChangeSet was called on an unsafe change set');
  for (const outcome of outcomes) {
    // With onUnsafe new-stack, an unsafe change succeeds beside the live stack: new-stack.ts says when that is true.
    if (kind.mustFail && !plan.approval && !plan.newStack && outcome.succeeded) violations.push(`wrong-verdict: a ${plan.kind} deployment was reported as succeeded`);
    if (!outcome.succeeded && (!outcome.cause || !outcome.cause.trim() || /^[A-Za-z.]+$/.test(outcome.cause.trim()))) {
      violations.push(`unnamed-cause: a ${outcome.via} deployment failed (${outcome.status}) without saying why`);
    }
  }
  // Safe deployments that end failed must fail for a reason that is true of the stack.
  if (kind.target && stack?.status === kind.target) {
    const changedByAnyone = executeAttempts.length > 0 || createAttempts.length > 0;
    for (const outcome of outcomes) {
      if (outcome.succeeded) continue;
      const busy = /StackBusy|is busy|ChangeSetSuperseded|was deleted while this deployment ran/.test(`${outcome.error} ${outcome.cause}`);
      if (changedByAnyone && !busy && plan.shape !== 'concurrent') {
        violations.push(`false-failure: the stack reached ${kind.target} but the ${outcome.via} deployment was reported ${outcome.status}: ${outcome.error}: ${(outcome.cause ?? '').slice(0, 160)}`);
      }
    }
  }
  if (plan.shape === 'concurrent') {
    // Deployments that refuse each other (onBusy: fail) never both change the stack; waiting ones
    // take turns, which CloudFormation itself enforces (a stack mid-operation refuses another).
    const executed = new Set(executeAttempts.filter((call) => !call.error || call.error.name === 'ServiceUnavailable').map((call) => String(call.input.ChangeSetName))).size;
    if (plan.onBusy === 'fail' && executed > 1) violations.push(`overlap: ${executed} deployments that should have refused each other executed change sets on one stack`);
  }
  // Every stack's: a new-stack run's deployment may have made change sets on its new generation too.
  const leftOver = cloudFormation
    .allStacks()
    .filter((stack) => stack.status !== 'DELETE_COMPLETE')
    .flatMap((stack) => cloudFormation.changeSetsOf(stack.stackName))
    // OBSOLETE: the stack changed under it (an approval run's stale change set); still left behind.
    .filter((changeSet) => ['AVAILABLE', 'UNAVAILABLE', 'OBSOLETE'].includes(changeSet.executionStatus));
  if (leftOver.length) violations.push(`orphan: ${leftOver.length} change set(s) left behind: ${leftOver.map((changeSet) => `${changeSet.changeSetName} (${changeSet.status})`).join(', ')}`);
  const histories = sandbox.stepFunctions.allExecutions().map((execution) => JSON.stringify({ events: execution.events, result: execution.result }));
  const leaked = secretsLeaked(sandbox, logs, histories);
  if (leaked.length) violations.push(`secret: ${leaked.length} secret value(s) appear in what the sandbox recorded`);
  return violations;
}
