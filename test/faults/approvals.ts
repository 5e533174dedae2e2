/**
 * The fault-injection runs with `"onUnsafe": "approve"`: a person answers the approval request
 * through the Step Functions API, as the CLI does (approve, reject, or no answer at all), sometimes
 * after someone else made the change set stale, sometimes with faults on the answer's way or on
 * Execute Change Set; and the invariants those runs must keep on top of every run's.
 */
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { answerApproval } from '../../cli/approval';
import { UsageError } from '../../cli/errors';
import { errorName } from '../../functions/shared/aws-errors';
import { parseTemplateText } from '../../functions/shared/template';
import { loadDefinitionText } from '../../statemachine/definition';
import type { FaultRule, RecordedCall, Sandbox } from '../../local/sandbox';
import type { CloudFormationSandbox } from '../../local/sandbox/cloudformation/service';
import type { SeededRandom } from '../../local/sandbox/random';

export type ApprovalAnswer = 'approve' | 'reject' | 'timeout';
/**
 * How the change set goes stale before the answer: someone deletes it; someone else's change set
 * is executed on the stack (CloudFormation then deletes ours); or the stack is updated directly,
 * which CloudFormation shows by marking the change set OBSOLETE.
 */
export type Staleness = 'deleted' | 'superseded' | 'obsolete';
export type ExecuteFault = 'answer-lost' | 'throttle' | 'reset';

export interface ApprovalPlan {
  answer: ApprovalAnswer;
  stale?: Staleness;
  /**
   * Faults on the request's and the answer's way: the request's Publish throttled; SendTaskSuccess /
   * SendTaskFailure lost or throttled, the history throttled, the approver's identity unreadable.
   */
  answerFaults: boolean;
  executeFault?: ExecuteFault;
  /** After a timeout, the person approves anyway once the deployment has ended: the answer must change nothing. */
  late?: boolean;
}

/** The share of the unsafe runs whose input says `"onUnsafe": "approve"`. */
const APPROVAL_SHARE = 0.5;
/** The input's approvalTimeoutSeconds: the smallest the input allows. */
export const APPROVAL_TIMEOUT_SECONDS = 60;
/**
 * What Await Approval really waits in a run that lets the request time out: the engine's timers are
 * real, and ASL timeouts are whole seconds. Runs that answer keep the input's 60 seconds, which no
 * answer comes near, so their outcome cannot depend on how busy the machine is.
 */
const TIMEOUT_RUN_WAIT_SECONDS = 1;
/**
 * A person who sees an error answering (throttled, no answer) runs the command again, up to this
 * often: enough that every answer gets through the injected faults, since an answer that never
 * comes costs the run the whole approval timeout of real time.
 */
const ANSWER_ATTEMPTS = 40;
/** The command's refusals that say the request is no longer open: running it again cannot help. */
const FINAL_REFUSAL = /nothing is waiting for an answer|is no longer waiting|is not waiting for an approval/;
/** Someone else's calls: retried through the injected faults, up to this often. */
const INTRUDER_ATTEMPTS = 30;
/** The change set someone else creates and executes, making ours stale. */
export const INTRUDER_CHANGE_SET = 'someone-else';
const ANSWER_REASON = 'reviewed in the fault-injection suite';

/** Drawn whatever the run's kind, so that every plan's other fields stay as they were. */
export function approvalPlan(random: SeededRandom, unsafe: boolean): { approval?: ApprovalPlan } {
  const chosen = random.next() < APPROVAL_SHARE;
  const answerDraw = random.next();
  // Few timeouts: each waits a real second (TIMEOUT_RUN_WAIT_SECONDS), and the suite's time should stay what it was.
  const answer: ApprovalAnswer = answerDraw < 0.55 ? 'approve' : answerDraw < 0.92 ? 'reject' : 'timeout';
  const staleDraw = random.next();
  const stale: Staleness | undefined = staleDraw < 0.1 ? 'deleted' : staleDraw < 0.2 ? 'superseded' : staleDraw < 0.3 ? 'obsolete' : undefined;
  const answerFaults = random.next() < 0.4;
  const executeDraw = random.next();
  const executeFault: ExecuteFault | undefined = executeDraw < 0.15 ? 'answer-lost' : executeDraw < 0.25 ? 'throttle' : executeDraw < 0.3 ? 'reset' : undefined;
  const late = answer === 'timeout' && random.next() < 0.5;
  if (!unsafe || !chosen) return {};
  return { approval: { answer, ...(stale ? { stale } : {}), answerFaults, ...(executeFault ? { executeFault } : {}), ...(late ? { late } : {}) } };
}

/** The definition an approval run registers: a timeout run's Await Approval waits one real second. */
export function approvalDefinition(plan: ApprovalPlan, base: string = loadDefinitionText()): string {
  if (plan.answer !== 'timeout') return base;
  const definition = JSON.parse(base) as { States: Record<string, Record<string, unknown>> };
  delete definition.States['Await Approval'].TimeoutSecondsPath;
  definition.States['Await Approval'].TimeoutSeconds = TIMEOUT_RUN_WAIT_SECONDS;
  return JSON.stringify(definition);
}

/**
 * How often the planned fault hits ExecuteChangeSet. A retry after a lost answer replays the call
 * with its token, so each answer lost in a row uses one more of Execute Change Set's retries; with
 * half of them lost, the retries run out about once in a hundred runs and the deployment reports,
 * truthfully, that the stack may still be changing: a fault rate no network has, not a finding.
 */
const EXECUTE_FAULT_PROBABILITY = 0.3;
const LOST = { name: 'ServiceUnavailable', message: 'Service unavailable', httpStatusCode: 503 };

export function approvalFaultRules(plan: ApprovalPlan): FaultRule[] {
  const rules: FaultRule[] = [];
  if (plan.answerFaults) {
    for (const operation of ['SendTaskSuccess', 'SendTaskFailure']) {
      rules.push({ service: 'StepFunctions', operation, kind: 'error', when: 'after', probability: 0.4, error: LOST });
      rules.push({ service: 'StepFunctions', operation, kind: 'throttle', probability: 0.3 });
    }
    rules.push({ service: 'StepFunctions', operation: 'GetExecutionHistory', kind: 'throttle', probability: 0.3 });
    rules.push({ service: 'STS', operation: 'GetCallerIdentity', kind: 'network', network: 'reset', probability: 0.3 });
    // The request's own way out: Await Approval's Publish, retried as a new attempt with a new token.
    rules.push({ service: 'SNS', operation: 'Publish', kind: 'throttle', probability: 0.3 });
  }
  const execute = { service: 'CloudFormation' as const, operation: 'ExecuteChangeSet', probability: EXECUTE_FAULT_PROBABILITY };
  if (plan.executeFault === 'answer-lost') rules.push({ ...execute, kind: 'error', when: 'after', error: LOST });
  if (plan.executeFault === 'throttle') rules.push({ ...execute, kind: 'throttle' });
  if (plan.executeFault === 'reset') rules.push({ ...execute, kind: 'network', network: 'reset' });
  return rules;
}

/** What the person (and anyone else) did, for the invariants. */
export interface ApprovalRecord {
  /** The change set the first request was about. */
  changeSetId?: string;
  changeSetName?: string;
  /** The change set was made stale before the answer. */
  staled: boolean;
  /** The stack as it was when the person answered (after anyone else's change). */
  stackBefore?: { templateBody?: string; executedChangeSetId?: string };
  /** Each run of the approve / reject command: how it ended. */
  answers: string[];
  /** What the person (and anyone else) is still doing: the harness waits for it after the deployment. */
  pending: Array<Promise<unknown>>;
}

export interface ApproverContext {
  sandbox: Sandbox;
  cloudFormation: CloudFormationSandbox;
  stackName: string;
  /** The role someone else assumes to act on the stack in its account (a target-account run). */
  roleArn?: string;
}

/** Listens for approval requests and answers them as planned. Install before the deployment starts. */
export function approveAsPlanned(plan: ApprovalPlan, context: ApproverContext): ApprovalRecord {
  const record: ApprovalRecord = { staled: false, answers: [], pending: [] };
  let staling: Promise<void> | undefined;
  context.sandbox.stepFunctions.taskTokens.onScheduled(({ executionArn, state, payload }) => {
    if (state !== 'Await Approval') return;
    const changeSet = (payload as { changeSet?: { id?: string; name?: string } }).changeSet;
    record.changeSetId ??= changeSet?.id;
    record.changeSetName ??= changeSet?.name;
    staling ??= new Promise((resolve) => setTimeout(resolve, 5)).then(async () => {
      if (plan.stale) {
        await makeStale(plan.stale, context, record);
        record.staled = true;
      }
      const stack = context.cloudFormation.stack(context.stackName);
      record.stackBefore = { templateBody: stack?.templateBody, executedChangeSetId: stack?.changeSetId };
    });
    if (plan.answer === 'timeout') {
      const ended = context.sandbox.stepFunctions.result(executionArn);
      record.pending.push(plan.late ? Promise.all([staling, ended]).then(() => answerUntilTaken(executionArn, true, record)) : staling);
      return;
    }
    // One answer per request the person receives; a request whose attempt failed is answered again.
    record.pending.push(staling.then(() => answerUntilTaken(executionArn, plan.answer === 'approve', record)));
  });
  return record;
}

/** Runs the CLI's answer again after an error that says nothing about the request (throttled, lost), as a person would. */
async function answerUntilTaken(executionArn: string, approve: boolean, record: ApprovalRecord): Promise<void> {
  for (let attempt = 0; attempt < ANSWER_ATTEMPTS; attempt++) {
    try {
      await answerApproval(executionArn, { approve, reason: ANSWER_REASON });
      record.answers.push('answered');
      return;
    } catch (error) {
      // Nothing waiting, already answered, timed out: final. Anything else (the execution could not be read) is tried again.
      if (error instanceof UsageError && FINAL_REFUSAL.test(error.message)) {
        record.answers.push(`refused: ${error.message}`);
        return;
      }
    }
  }
  record.answers.push('gave up');
}

async function makeStale(how: Staleness, context: ApproverContext, record: ApprovalRecord): Promise<void> {
  const name = record.changeSetName ?? '';
  if (how === 'obsolete') {
    // The sandbox has no UpdateStack; a direct update marks the stack's change sets OBSOLETE.
    for (const changeSet of context.cloudFormation.changeSetsOf(context.stackName)) {
      if (changeSet.changeSetName === name) changeSet.executionStatus = 'OBSOLETE';
    }
    return;
  }
  const cloudFormation = await intruderClient(context);
  if (how === 'deleted') {
    await persist(async () => {
      try {
        await cloudFormation.send(new DeleteChangeSetCommand({ StackName: context.stackName, ChangeSetName: name }));
      } catch (error) {
        // Deleted by the attempt whose answer was lost.
        if (errorName(error) !== 'ChangeSetNotFoundException') throw error;
      }
    });
    return;
  }
  // Someone else deploys the live template with one more output: executing it deletes our change set.
  const template = await persist(() => cloudFormation.send(new GetTemplateCommand({ StackName: context.stackName })));
  const body = parseTemplateText(template.TemplateBody ?? '{}') as { Outputs?: Record<string, unknown> };
  body.Outputs = { ...(body.Outputs ?? {}), DeployedBySomeoneElse: { Value: 'yes' } };
  const created = await persist(() =>
    cloudFormation.send(
      new CreateChangeSetCommand({
        StackName: context.stackName,
        ChangeSetName: INTRUDER_CHANGE_SET,
        TemplateBody: JSON.stringify(body),
        ClientToken: 'someone-else-create',
      }),
    ),
  );
  for (let describe = 0; describe < INTRUDER_ATTEMPTS; describe++) {
    const described = await persist(() => cloudFormation.send(new DescribeChangeSetCommand({ ChangeSetName: created.Id })));
    if (described.ExecutionStatus === 'AVAILABLE') break;
  }
  await persist(() => cloudFormation.send(new ExecuteChangeSetCommand({ ChangeSetName: created.Id, ClientRequestToken: 'someone-else-execute' })));
  // Time passes: someone else's update ends before the person answers.
  context.cloudFormation.settle();
}

async function intruderClient({ roleArn }: ApproverContext): Promise<CloudFormationClient> {
  if (!roleArn) return new CloudFormationClient({});
  const assumed = await persist(() => new STSClient({}).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'someone-else' })));
  const credentials = assumed.Credentials;
  return new CloudFormationClient({
    credentials: { accessKeyId: credentials?.AccessKeyId ?? '', secretAccessKey: credentials?.SecretAccessKey ?? '', sessionToken: credentials?.SessionToken },
  });
}

async function persist<T>(call: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < INTRUDER_ATTEMPTS; attempt++) {
    try {
      return await call();
    } catch (error) {
      last = error;
    }
  }
  throw last;
}

/** A call the service carried out: it succeeded, or only its answer was lost. */
function carriedOut(call: RecordedCall): boolean {
  return !call.error || (call.error.injected && call.error.name === 'ServiceUnavailable');
}

/** What the approval runs' invariants need to know about one deployment. */
export interface ApprovalOutcome {
  succeeded: boolean;
  error?: string;
  cause?: string;
}

/** The change set ids the person's approvals named, as Step Functions took them. */
export function approvedChangeSetIds(sandbox: Sandbox): Set<string> {
  return new Set(
    sandbox.calls
      .find({ operation: 'SendTaskSuccess', includeFailed: true })
      .filter(carriedOut)
      .map((call) => (JSON.parse(String(call.input.output ?? '{}')) as { changeSetId?: string }).changeSetId ?? ''),
  );
}

/** The deployment's own ExecuteChangeSet calls (someone else's are not the deployment's). */
export function deploymentExecutes(sandbox: Sandbox): RecordedCall[] {
  return sandbox.calls.find({ operation: 'ExecuteChangeSet', includeFailed: true }).filter((call) => !String(call.input.ChangeSetName).includes(`:changeSet/${INTRUDER_CHANGE_SET}/`));
}

/** Which way the deployment's executions went, from the engine's history. */
export interface ApprovalPath {
  /** An execution went through Approval Timed Out. */
  timedOut: boolean;
  /** An execution went through Delete Change Set, the onUnsafe fail path. */
  failedUnsafe: boolean;
}

/** The invariants of a run with onUnsafe: approve. */
export function approvalViolations(
  plan: ApprovalPlan,
  record: ApprovalRecord,
  sandbox: Sandbox,
  context: ApproverContext,
  outcomes: ApprovalOutcome[],
  path: ApprovalPath,
): string[] {
  const { timedOut } = path;
  const violations: string[] = [];
  const approved = approvedChangeSetIds(sandbox);
  const rejected = sandbox.calls.find({ operation: 'SendTaskFailure', includeFailed: true }).some(carriedOut);
  const executes = deploymentExecutes(sandbox);
  if (executes.length && !approved.size) violations.push(`unapproved-execute: ${executes.length} ExecuteChangeSet call(s) on an unsafe change set no one approved`);
  // Exactly the change set the request was about, by id, and approved as that id.
  const others = executes.filter((call) => String(call.input.ChangeSetName) !== record.changeSetId || !approved.has(record.changeSetId));
  if (approved.size && others.length) {
    violations.push(`wrong-change-set: ExecuteChangeSet on ${String(others[0].input.ChangeSetName)}; the request was about ${record.changeSetId}, approved: ${[...approved].join(', ')}`);
  }
  if (path.failedUnsafe) violations.push('approval-skipped: with onUnsafe approve, the unsafe change set took the onUnsafe fail path (Delete Change Set) instead of asking');
  if (record.staled && executes.length) violations.push(`stale-executed: the change set went stale (${plan.stale}) before the approval, and ExecuteChangeSet was called`);
  if (record.staled && outcomes.some((outcome) => outcome.succeeded)) violations.push(`stale-succeeded: a deployment whose change set went stale (${plan.stale}) was reported as succeeded`);
  // A person overrode the policy: whatever stopped the deployment afterwards is the reason, not the policy's verdict.
  if (approved.size && !record.staled) {
    for (const outcome of outcomes.filter((candidate) => candidate.error === 'ChangeSetRejected' || /was rejected and deleted/.test(candidate.cause ?? ''))) {
      violations.push(`misreported-approval: the change set was approved, yet the deployment reports the policy's rejection: ${(outcome.cause ?? '').slice(0, 160)}`);
    }
  }
  const stack = context.cloudFormation.stack(context.stackName);
  if (approved.has(stack?.changeSetId ?? '') && stack?.status === 'UPDATE_COMPLETE') {
    for (const outcome of outcomes.filter((candidate) => !candidate.succeeded)) {
      violations.push(`false-failure: the approved change set was executed and the stack reached UPDATE_COMPLETE, but the deployment was reported ${outcome.error}: ${(outcome.cause ?? '').slice(0, 160)}`);
    }
  }
  if (!approved.size) {
    if (outcomes.some((outcome) => outcome.succeeded)) violations.push('wrong-verdict: an unsafe change no one approved was reported as succeeded');
    if (record.stackBefore && (stack?.templateBody !== record.stackBefore.templateBody || stack?.changeSetId !== record.stackBefore.executedChangeSetId)) {
      violations.push(`stack-changed: no one approved, yet the stack changed (status ${stack?.status})`);
    }
    for (const outcome of outcomes) {
      if (rejected && !/Rejected by /.test(outcome.cause ?? '')) violations.push(`unnamed-rejection: a rejected deployment failed with ${outcome.error}: ${(outcome.cause ?? '').slice(0, 160)}`);
      if (!rejected && timedOut && !/No approval within \d+ seconds/.test(outcome.cause ?? '')) {
        violations.push(`unnamed-timeout: a deployment whose approval timed out failed with ${outcome.error}: ${(outcome.cause ?? '').slice(0, 160)}`);
      }
    }
  }
  return violations;
}
