import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { AWAIT_APPROVAL_STATE } from '../../../functions/shared/approval-wait';
import type { CodePipelineEvent } from 'aws-lambda';
import type { TaskHandler } from '../../engine';
import type { PipelineJobResult } from '../codepipeline/job-runner';
import { Sandbox, createSandbox } from '../sandbox';
import { seedStack } from '../cloudformation/seed';
import type { StateMachineRegistration } from '../stepfunctions/service';
import type { Scenario, ScenarioExpectation } from './format';
import { MUTATING_OPERATIONS } from '../calls';
import type { Inspection } from '../../../functions/shared/state';
import { inspectionFromEvents } from '../../inspection-events';
import { enableEventMode } from '../../event-mode';

/** The state machine's name in the sandbox, and the staging bucket every scenario has. */
export const STATE_MACHINE_NAME = 'deploy-orchestrator';
export const STAGING_BUCKET = 'deploy-template-staging';
/** Where the pipeline mode keeps the input document the action's UserParameters name. */
export const DOCUMENTS_BUCKET = 'deploy-input-documents';
export const DOCUMENT_KEY = 'deployments/input.json';
/** Bounds the DescribeExecution loop of the execution mode; the sandbox answers RUNNING a set number of times. */
const MAX_DESCRIBES = 1000;

export interface ScenarioRunOptions {
  /** The task handlers by state name: the project's TASK_HANDLERS. */
  handlers: Record<string, TaskHandler>;
  /** Run through the pipeline (job → trigger → state machine) with this trigger handler; else start the execution directly. */
  trigger?: (event: CodePipelineEvent) => Promise<unknown>;
  /** Called with the sandbox before it is installed, to change anything the scenario file cannot say. */
  prepare?: (sandbox: Sandbox) => void;
  /** The execution's name (its change set and tokens derive from it). */
  executionName?: string;
  /** Called with each engine event as the execution runs (a CLI's progress output). */
  onEvent?: StateMachineRegistration['onEvent'];
  /**
   * How a person answers an approval request (the CLI's `approve` / `reject`, through the Step
   * Functions API): a scenario with `approval` needs it.
   */
  answerApproval?: (executionArn: string, answer: { approve: boolean; reason?: string }) => Promise<unknown>;
}

export interface ExecutionOutcome {
  executionArn: string;
  status: string;
  /** The change set's inspection (the decision record), read from the history: a rejected run has no output. */
  inspection?: Inspection;
  output?: unknown;
  error?: string;
  cause?: string;
}

/** One stage of a staged scenario: its input (the scenario's, with the stage's laid over it) and its outcome. */
export interface StageRun {
  name: string;
  input: Record<string, unknown>;
  execution: ExecutionOutcome;
  pipeline?: PipelineJobResult;
  /** The successful CloudFormation mutating calls of this stage, in order. */
  mutatingCalls: string[];
  expect?: ScenarioExpectation;
}

export interface ScenarioRun {
  scenario: Scenario;
  /** The sandbox after the run, uninstalled, with its state and every recorded call. */
  sandbox: Sandbox;
  execution: ExecutionOutcome;
  pipeline?: PipelineJobResult;
  /** Successful CloudFormation mutating calls, in order. */
  mutatingCalls: string[];
  /** A staged scenario's stages, in order; `execution` and `pipeline` are the last one's. */
  stages?: StageRun[];
}

/** Builds the sandbox a scenario describes, not yet installed. */
export function buildScenarioSandbox(
  scenario: Scenario,
  handlers: Record<string, TaskHandler>,
  onEvent?: StateMachineRegistration['onEvent'],
): { sandbox: Sandbox; stateMachineArn: string } {
  const options = scenario.sandbox ?? {};
  const sandbox = createSandbox({
    seed: scenario.seed,
    env: { TEMPLATE_STAGING_BUCKET: STAGING_BUCKET },
    cloudFormation: {
      ...(options.changeSetPageSize === undefined ? {} : { changeSetPageSize: options.changeSetPageSize }),
      ...(options.changeSetCreationPolls === undefined ? {} : { changeSetCreationPolls: options.changeSetCreationPolls }),
      ...(options.stackEventsPageSize === undefined ? {} : { stackEventsPageSize: options.stackEventsPageSize }),
      ...(options.delayPolls === undefined ? {} : { delayPolls: options.delayPolls }),
    },
    stepFunctions: options.runningDescribes === undefined ? {} : { runningDescribes: options.runningDescribes },
  });
  sandbox.s3.createBucket(STAGING_BUCKET);
  const { bucket, key, files, raw } = scenario.artifact;
  if (raw) {
    sandbox.s3.createBucket(bucket, { versioned: true });
    sandbox.s3.putObject(bucket, key, raw);
  } else {
    sandbox.putArtifact(bucket, key, files);
  }
  for (const { account, region, ...stack } of scenario.stacks) seedStack(sandbox.cloudFormationIn(account, region), stack);
  for (const role of options.roles ?? []) sandbox.sts.allowRole(role);
  for (const failure of scenario.failures ?? []) sandbox.cloudFormation.failResource(failure);
  for (const fault of scenario.faults ?? []) sandbox.injectFault(fault);
  if (scenario.changeSetFailure) sandbox.cloudFormation.failNextChangeSet(scenario.changeSetFailure);
  const stateMachineArn = sandbox.stepFunctions.registerStateMachine({ name: STATE_MACHINE_NAME, handlers, onEvent });
  return { sandbox, stateMachineArn };
}

/** The input document with the artifact's location filled in, as the trigger would fill it. */
export function scenarioInput(scenario: Scenario): Record<string, unknown> {
  return { revisionS3Bucket: scenario.artifact.bucket, revisionS3Key: scenario.artifact.key, ...scenario.input };
}

/**
 * Runs a scenario: builds its sandbox, installs it, deploys (by starting the state machine, or
 * through the pipeline's trigger), waits for the end, and uninstalls the sandbox.
 */
export async function runScenario(scenario: Scenario, options: ScenarioRunOptions): Promise<ScenarioRun> {
  const { sandbox, stateMachineArn } = buildScenarioSandbox(scenario, options.handlers, options.onEvent);
  options.prepare?.(sandbox);
  sandbox.install();
  sandbox.setEnv('STATE_MACHINE_ARN', stateMachineArn);
  if (scenario.sandbox?.stackEvents) {
    sandbox.events.options.delayMilliseconds = scenario.sandbox.eventDelayMilliseconds ?? 0;
    enableEventMode(sandbox);
  }
  const answers: Array<Promise<unknown>> = [];
  if (scenario.approval) {
    const { answer, reason } = scenario.approval;
    if (!options.answerApproval) throw new Error(`Scenario ${scenario.name} answers an approval request: give runScenario an answerApproval.`);
    const answerApproval = options.answerApproval;
    sandbox.stepFunctions.taskTokens.onScheduled(({ executionArn, state }) => {
      if (state !== AWAIT_APPROVAL_STATE) return;
      // Once the request is out, as a person would: after the notification.
      answers.push(new Promise((resolve) => setTimeout(resolve, 10)).then(() => answerApproval(executionArn, { approve: answer === 'approve', ...(reason ? { reason } : {}) })));
    });
  }
  try {
    const stages: StageRun[] = [];
    for (const stage of scenario.stages ?? [undefined]) {
      const input = { ...scenarioInput(scenario), ...(stage?.input ?? {}) };
      const callsBefore = sandbox.calls.all().length;
      const { execution, pipeline } = await deployOnce(sandbox, scenario, input, stateMachineArn, options, stage?.name);
      const mutatingCalls = sandbox.calls
        .all()
        .slice(callsBefore)
        .filter((call) => call.service === 'CloudFormation' && !call.error && MUTATING_OPERATIONS.CloudFormation.includes(call.operation))
        .map((call) => call.operation);
      stages.push({ name: stage?.name ?? scenario.name, input, execution, ...(pipeline ? { pipeline } : {}), mutatingCalls, ...(stage?.expect ? { expect: stage.expect } : {}) });
    }
    await Promise.all(answers);
    const last = stages[stages.length - 1];
    return {
      scenario,
      sandbox,
      ...(last.pipeline ? { pipeline: last.pipeline } : {}),
      execution: last.execution,
      mutatingCalls: sandbox.mutatingCalls('CloudFormation'),
      ...(scenario.stages ? { stages } : {}),
    };
  } finally {
    await sandbox.close();
  }
}

/** One deployment of the scenario's artifact with this input: through the pipeline's trigger, or started directly. */
async function deployOnce(
  sandbox: Sandbox,
  scenario: Scenario,
  input: Record<string, unknown>,
  stateMachineArn: string,
  options: ScenarioRunOptions,
  stage: string | undefined,
): Promise<{ execution: ExecutionOutcome; pipeline?: PipelineJobResult }> {
  const seen = new Set(sandbox.stepFunctions.allExecutions().map((execution) => execution.executionArn));
  let pipeline: PipelineJobResult | undefined;
  let executionArn: string;
  if (options.trigger) {
    sandbox.s3.createBucket(DOCUMENTS_BUCKET);
    const documentKey = stage ? DOCUMENT_KEY.replace(/input\.json$/, `${stage}.json`) : DOCUMENT_KEY;
    const { revisionS3Bucket: _bucket, revisionS3Key: _key, ...document } = input;
    sandbox.s3.putObject(DOCUMENTS_BUCKET, documentKey, JSON.stringify(document, null, 2), 'application/json');
    pipeline = await sandbox.runPipelineJob({
      invoke: options.trigger,
      userParameters: JSON.stringify({ s3Bucket: DOCUMENTS_BUCKET, stateMachineFile: documentKey }),
      inputArtifacts: [{ name: 'SourceArtifact', bucket: scenario.artifact.bucket, key: scenario.artifact.key }],
    });
    executionArn = sandbox.stepFunctions.allExecutions().find((execution) => !seen.has(execution.executionArn))?.executionArn ?? '';
  } else {
    const sfn = new SFNClient({});
    const name = options.executionName ?? `scenario-${scenario.name}`;
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: stage ? `${name}-${stage}` : name, input: JSON.stringify(input) }));
    executionArn = started.executionArn ?? '';
    for (let describes = 0; describes < MAX_DESCRIBES; describes++) {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (described.status !== 'RUNNING') break;
    }
  }
  await sandbox.stepFunctions.idle();
  const result = executionArn ? await sandbox.stepFunctions.result(executionArn) : undefined;
  const inspection = result ? inspectionFromEvents(result.events) : undefined;
  return {
    ...(pipeline ? { pipeline } : {}),
    execution: {
      executionArn,
      status: result?.status ?? 'NOT_STARTED',
      ...(result?.output === undefined ? {} : { output: result.output }),
      ...(result?.error === undefined ? {} : { error: result.error }),
      ...(result?.cause === undefined ? {} : { cause: result.cause }),
      ...(inspection ? { inspection } : {}),
    },
  };
}
