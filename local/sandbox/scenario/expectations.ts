import { readableCause } from '../../../functions/trigger/execution-failure';
import type { ExecutionOutput } from '../../../functions/shared/state';
import type { ScenarioExpectation } from './format';
import type { ScenarioRun } from './run';

/** The readable text of a cause: a Lambda error's `errorMessage`, or the cause as it is (the trigger's own reading). */
export function causeText(cause: string | undefined): string {
  return readableCause(cause) ?? '';
}

/**
 * What a run did differently from what its scenario expects; empty when it did what was expected.
 * A staged scenario's stages are held to their own `expect` too, each problem named after its stage.
 */
export function unmetExpectations(run: ScenarioRun, expected: ScenarioExpectation = run.scenario.expect): string[] {
  const lastInput = run.stages?.[run.stages.length - 1]?.input ?? run.scenario.input;
  const problems = unmetBy(run, { execution: run.execution, input: lastInput, mutatingCalls: run.mutatingCalls }, expected);
  for (const stage of run.stages ?? []) {
    if (stage.expect) problems.push(...unmetBy(run, stage, stage.expect).map((problem) => `stage ${stage.name}: ${problem}`));
  }
  return problems;
}

/** The account and region a deployment with this input goes to: targetRoleArn's account, and region. */
function targetOf(input: Record<string, unknown>): { account?: string; region?: string } {
  const account = typeof input.targetRoleArn === 'string' ? input.targetRoleArn.split(':')[4] : undefined;
  return { ...(account ? { account } : {}), ...(typeof input.region === 'string' ? { region: input.region } : {}) };
}

function unmetBy(
  run: ScenarioRun,
  deployed: { execution: ScenarioRun['execution']; input: Record<string, unknown>; mutatingCalls: string[] },
  expected: ScenarioExpectation,
): string[] {
  const problems: string[] = [];
  const { execution } = deployed;
  if (execution.status !== expected.status) {
    problems.push(`status ${execution.status}, expected ${expected.status} (error ${execution.error ?? '-'}: ${causeText(execution.cause)})`);
  }
  if (expected.error !== undefined && execution.error !== expected.error) problems.push(`error ${execution.error ?? '(none)'}, expected ${expected.error}`);
  const cause = causeText(execution.cause);
  for (const text of expected.causeIncludes ?? []) {
    if (!cause.includes(text)) problems.push(`cause does not mention "${text}": ${cause}`);
  }
  const output = (execution.output ?? {}) as Partial<ExecutionOutput>;
  if (expected.decision !== undefined && output.result?.decision !== expected.decision) {
    problems.push(`decision ${output.result?.decision ?? '(none)'}, expected ${expected.decision}`);
  }
  if (expected.mutatingCalls !== undefined && JSON.stringify(deployed.mutatingCalls) !== JSON.stringify(expected.mutatingCalls)) {
    problems.push(`mutating calls [${deployed.mutatingCalls.join(', ')}], expected [${expected.mutatingCalls.join(', ')}]`);
  }
  if (expected.stackStatus !== undefined) {
    const stackName = `${String(deployed.input.environmentName)}-${String(deployed.input.stackName)}`;
    const { account, region } = targetOf(deployed.input);
    const status = run.sandbox.cloudFormationIn(account, region).stack(stackName)?.status ?? '(no stack)';
    const where = account || region ? ` (account ${account ?? 'own'}, region ${region ?? 'own'})` : '';
    if (status !== expected.stackStatus) problems.push(`stack ${stackName}${where} is ${status}, expected ${expected.stackStatus}`);
  }
  for (const [key, value] of Object.entries(expected.outputs ?? {})) {
    const found = output.result?.outputs?.find((candidate) => candidate.OutputKey === key)?.OutputValue;
    if (found !== value) problems.push(`output ${key} is ${found ?? '(missing)'}, expected ${value}`);
  }
  return problems;
}
