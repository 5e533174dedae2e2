import { SFNClient } from '@aws-sdk/client-sfn';
import { statesEntered } from '../execution-history';
import { parseFlags } from '../args';
import { readJsonFile } from '../files';
import { EXIT, UsageError } from '../errors';
import { loadDefinition } from '../../statemachine/definition';
import { toMermaid } from '../../statemachine/diagram';

const FAIL_STATE = 'Deployment Failed';

/** The states of a local run's result, as `run --json` or `simulate --json` wrote it. */
function pathOfResultFile(file: string): string[] {
  const result = readJsonFile(file, 'execution result') as { path?: unknown; summary?: { path?: unknown } };
  const path = result.path ?? result.summary?.path;
  if (!Array.isArray(path) || !path.every((name) => typeof name === 'string')) {
    throw new UsageError(`${file} holds no "path" of states: pass the output of "run --json", or an execution ARN.`);
  }
  return path;
}

export async function graphCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseFlags('graph', args, { execution: { type: 'string' } });
  const execution = values.execution ?? positionals[0];
  const definition = loadDefinition();
  if (!execution) {
    out(toMermaid(definition));
    return EXIT.OK;
  }
  const visited = execution.startsWith('arn:')
    ? (await statesEntered(new SFNClient({}), execution)).map((state) => state.name)
    : pathOfResultFile(execution);
  const unknown = visited.filter((name) => !definition.States[name]);
  if (unknown.length) throw new UsageError(`The execution entered state(s) this definition does not have: ${unknown.join(', ')}.`);
  const failedIndex = visited.indexOf(FAIL_STATE);
  out(toMermaid(definition, { visited, failedAt: failedIndex > 0 ? visited[failedIndex - 1] : undefined }));
  return EXIT.OK;
}
