import { readableCause } from '../../../functions/trigger/execution-failure';
import type { ExecutionOutput } from '../../../functions/shared/state';
import type { ScenarioExpectation } from './format';
import type { ScenarioRun } from './run';

/** The readable text of a cause: a Lambda error's `errorMessage`, or the cause as it is (the trigger's own reading). */
export function causeText(cause: string | undefined): string {
  return readableCause(cause) ?? '';
}

/** What a run did differently from what its scenario expects; empty when it did what was expected. */
export function unmetExpectations(run: ScenarioRun, expected: ScenarioExpectation = run.scenario.expect): string[] {
  const problems: string[] = [];
  const { execution } = run;
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
  if (expected.mutatingCalls !== undefined && JSON.stringify(run.mutatingCalls) !== JSON.stringify(expected.mutatingCalls)) {
    problems.push(`mutating calls [${run.mutatingCalls.join(', ')}], expected [${expected.mutatingCalls.join(', ')}]`);
  }
  if (expected.stackStatus !== undefined) {
    const stackName = `${String(run.scenario.input.environmentName)}-${String(run.scenario.input.stackName)}`;
    const status = run.sandbox.cloudFormation.stack(stackName)?.status ?? '(no stack)';
    if (status !== expected.stackStatus) problems.push(`stack ${stackName} is ${status}, expected ${expected.stackStatus}`);
  }
  for (const [key, value] of Object.entries(expected.outputs ?? {})) {
    const found = output.result?.outputs?.find((candidate) => candidate.OutputKey === key)?.OutputValue;
    if (found !== value) problems.push(`output ${key} is ${found ?? '(missing)'}, expected ${value}`);
  }
  return problems;
}
