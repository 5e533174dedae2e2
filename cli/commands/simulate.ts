import * as fs from 'fs';
import * as path from 'path';
import { parseFlags } from '../args';
import { EXIT, UsageError } from '../errors';
import { followStates, progressPrinter, silentProgress } from '../progress';
import { formatSummary, summarise, type DeploymentSummary } from '../summary';
import { TASK_HANDLERS } from '../../functions/handlers';
import { failureTypeFor } from '../../functions/trigger/execution-failure';
import { handler as trigger } from '../../functions/trigger/handler';
import { loadDefinition } from '../../statemachine/definition';
import { ScenarioError } from '../../local/sandbox';
import { listScenarios, loadScenario, runScenario, unmetExpectations, type ScenarioRun, type StageRun } from '../../local/sandbox/scenario';
import { answerApproval } from '../approval';

export const SCENARIOS_DIR = path.join(__dirname, '..', '..', 'examples', 'scenarios');
/** What `npm start` shows: a first deployment, a safe update, a rejected table replacement, a no-op. */
export const DEFAULT_SCENARIOS = ['create-new-stack', 'safe-update', 'replacement-renamed-table', 'no-changes'];

/** A scenario named on the command line: a folder of the user's, or one of examples/scenarios by name. */
function scenarioDirectory(argument: string): string {
  if (fs.existsSync(path.join(argument, 'scenario.yaml'))) return path.resolve(argument);
  if (fs.existsSync(path.join(SCENARIOS_DIR, argument, 'scenario.yaml'))) return path.join(SCENARIOS_DIR, argument);
  throw new UsageError(`No scenario "${argument}": give a folder holding a scenario.yaml, or one of: ${listScenarios(SCENARIOS_DIR).join(', ')}.`);
}

interface PipelineReport {
  status: string;
  invocations: number;
  message?: string;
  outputVariables?: Record<string, string>;
}

function pipelineReport(run: ScenarioRun): PipelineReport | undefined {
  const pipeline = run.pipeline;
  if (!pipeline) return undefined;
  const final = pipeline.final;
  return {
    status: pipeline.status,
    invocations: pipeline.invocations,
    ...(final.failure?.failureDetails?.message ? { message: final.failure.failureDetails.message } : {}),
    ...(final.success?.outputVariables ? { outputVariables: final.success.outputVariables } : {}),
    ...(final.success?.executionDetails?.summary ? { message: final.success.executionDetails.summary } : {}),
  };
}

/** One line per stage of a staged scenario: how it ended, and where it deployed. */
function formatStage(stage: StageRun): string {
  const output = stage.execution.output as { result?: { decision?: string } } | undefined;
  const account = typeof stage.input.targetRoleArn === 'string' ? stage.input.targetRoleArn.split(':')[4] : 'the orchestrator\'s own';
  const region = typeof stage.input.region === 'string' ? `, region ${stage.input.region}` : '';
  const stackName = `${String(stage.input.environmentName)}-${String(stage.input.stackName)}`;
  return `  Stage ${stage.name}: ${stage.execution.status}${output?.result?.decision ? ` (${output.result.decision})` : stage.execution.error ? ` (${stage.execution.error})` : ''}, stack ${stackName} in account ${account}${region}.`;
}

function formatPipeline(report: PipelineReport): string[] {
  const lines = [`  Pipeline job: ${report.status} after ${report.invocations} invocation(s) of the trigger.`];
  if (report.message) lines.push(...report.message.split('\n').map((line, i) => `  ${i === 0 ? 'Pipeline says: ' : '  '}${line}`));
  for (const [name, value] of Object.entries(report.outputVariables ?? {})) lines.push(`    #{${name}} = ${value}`);
  return lines;
}

/**
 * What differs from the scenario's `expect`. Scenarios speak of the execution; through the
 * pipeline, a bad input document is refused by the trigger before any execution starts, so a
 * failed job stands for the failed execution: its failure type must be the one the trigger maps
 * the expected error to, and its message must carry the expected words.
 */
function unmet(run: ScenarioRun): string[] {
  const expected = run.scenario.expect;
  const failure = run.pipeline?.final.failure?.failureDetails;
  if (run.execution.status !== 'NOT_STARTED' || !failure) return unmetExpectations(run);
  const problems: string[] = [];
  if (expected.status !== 'FAILED') problems.push(`the job failed before any execution started, expected ${expected.status}: ${failure.message}`);
  if (expected.error && failureTypeFor(expected.error, failure.message) !== failure.type) {
    problems.push(`the job failed as ${failure.type}, expected the failure type of ${expected.error}`);
  }
  for (const words of expected.causeIncludes ?? []) if (!failure.message?.includes(words)) problems.push(`the job's message does not mention "${words}"`);
  if (expected.mutatingCalls && expected.mutatingCalls.join() !== run.mutatingCalls.join()) {
    problems.push(`mutating calls [${run.mutatingCalls.join(', ')}], expected [${expected.mutatingCalls.join(', ')}]`);
  }
  return problems;
}

export async function simulateCommand(args: string[], out: (line: string) => void, _err: (line: string) => void): Promise<number> {
  const { values, positionals } = parseFlags('simulate', args, {
    all: { type: 'boolean' },
    list: { type: 'boolean' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
    approve: { type: 'boolean' },
    reject: { type: 'boolean' },
    reason: { type: 'string' },
  });
  if (values.approve && values.reject) throw new UsageError('simulate: give --approve or --reject, not both.');
  if (values.reason !== undefined && !values.approve && !values.reject) throw new UsageError('simulate: --reason goes with --approve or --reject.');
  // The person's answer from the command line, in place of the one a scenario plays.
  const answer = values.approve || values.reject ? { answer: values.approve ? ('approve' as const) : ('reject' as const), ...(values.reason ? { reason: values.reason } : {}) } : undefined;
  if (values.list) {
    for (const name of listScenarios(SCENARIOS_DIR)) out(`${name}: ${loadScenario(path.join(SCENARIOS_DIR, name)).description.split('\n')[0].trim()}`);
    return EXIT.OK;
  }
  const names = positionals.length ? positionals : values.all ? listScenarios(SCENARIOS_DIR) : DEFAULT_SCENARIOS;
  const directories = names.map(scenarioDirectory);
  const definition = loadDefinition();
  const results: Array<{ scenario: string; summary: DeploymentSummary; pipeline?: PipelineReport; unmet: string[] }> = [];

  for (const directory of directories) {
    let scenario;
    try {
      scenario = loadScenario(directory);
    } catch (error) {
      if (error instanceof ScenarioError) throw new UsageError(error.message);
      throw error;
    }
    const answeredOtherwise = answer && scenario.approval && answer.answer !== scenario.approval.answer;
    if (answer && scenario.approval) scenario = { ...scenario, approval: answer };
    const progress = values.quiet || values.json ? silentProgress : progressPrinter(out);
    if (!values.json) out(`\n━━ ${scenario.name}: ${scenario.description.trim().replace(/\s+/g, ' ')}`);
    const started = Date.now();
    const statesEntered: string[] = [];
    const follow = followStates(definition, progress, statesEntered);
    const run = await runScenario(scenario, {
      handlers: TASK_HANDLERS,
      trigger,
      answerApproval: (executionArn, answer) => answerApproval(executionArn, answer),
      onEvent: (_arn, event) => follow(event),
    });
    const summary = summarise(
      { ...run.execution, path: statesEntered, elapsedSeconds: (Date.now() - started) / 1000 },
      `${String(scenario.input.environmentName)}-${String(scenario.input.stackName)}`,
    );
    const pipeline = pipelineReport(run);
    // The scenario's expectations are about its own answer: another answer is not held to them.
    const differences = answeredOtherwise ? [] : unmet(run);
    results.push({ scenario: scenario.name, summary, pipeline, unmet: differences });
    if (!values.json) {
      for (const stage of run.stages ?? []) out(formatStage(stage));
      out(formatSummary(summary));
      if (pipeline) out(formatPipeline(pipeline).join('\n'));
      out(
        answeredOtherwise
          ? `  Answered with --${answer.answer} instead of the scenario's own answer: its expectations were not checked.`
          : differences.length
            ? `  ✖ Not what the scenario expects: ${differences.join('; ')}`
            : '  As the scenario expects.',
      );
    }
  }
  if (values.json) out(JSON.stringify(results, null, 2));
  const failed = results.filter((result) => result.unmet.length);
  if (!values.json) out(`\n${results.length - failed.length} of ${results.length} scenario(s) ended as expected; no AWS account was used.`);
  return failed.length ? EXIT.FAILED : EXIT.OK;
}
