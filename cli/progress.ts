import type { LocalEvent } from '../local/engine';
import type { AslDefinition } from '../statemachine/definition';

/** Progress lines while a deployment runs: each state entered, each wait, the time since the start. */
export interface Progress {
  stateEntered(name: string, type: string, waitSeconds?: number): void;
  note(text: string): void;
}

export function progressPrinter(write: (line: string) => void, started = Date.now()): Progress {
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`;
  return {
    stateEntered(name, type, waitSeconds) {
      const wait = type === 'Wait' && waitSeconds !== undefined ? ` (${waitSeconds}s)` : '';
      const marker = type === 'Wait' ? '…' : type === 'Choice' ? '?' : type === 'Fail' ? '✖' : type === 'Succeed' ? '✔' : '▸';
      write(`${elapsed()} ${marker} ${name}${wait}`);
    },
    note(text) {
      write(`${elapsed()}   ${text}`);
    },
  };
}

export const silentProgress: Progress = { stateEntered: () => undefined, note: () => undefined };

/** Reads `$.a.b` out of a state's input: how long a Wait state is about to sleep. */
function readPath(data: unknown, jsonPath: string | undefined): unknown {
  if (!jsonPath?.startsWith('$.')) return undefined;
  return jsonPath
    .slice(2)
    .split('.')
    .reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), data);
}

/**
 * Follows the local engine's events: each state entered goes to `progress` (with the seconds a
 * Wait state will sleep, read through its SecondsPath) and onto `path`, the states in order.
 */
export function followStates(definition: AslDefinition, progress: Progress, path: string[]): (event: LocalEvent) => void {
  return (event) => {
    if (event.type !== 'StateEntered' || !('state' in event)) return;
    path.push(event.state.name);
    const seconds = readPath(event.state.input, definition.States[event.state.name]?.SecondsPath as string | undefined);
    progress.stateEntered(event.state.name, event.state.type, typeof seconds === 'number' ? seconds : undefined);
  };
}
