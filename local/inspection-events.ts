import type { Inspection } from '../functions/shared/state';

/** The state whose result (`$.inspection`) holds the decision record. */
export const INSPECT_STATE = 'Inspect Change Set Changes';

/**
 * The inspection of an execution, read from its history: a rejected deployment ends FAILED with
 * no output, yet its decision record is what the operator wants to see. The last exit of the
 * Inspect state carries it (its output is the execution's data with `$.inspection` added).
 * Events are in the local engine's shape (`{ type: 'StateExited', state: { name, output } }`).
 */
export function inspectionFromEvents(events: readonly unknown[]): Inspection | undefined {
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index] as { type?: string; state?: { name?: string; output?: unknown } };
    if (event.type !== 'StateExited' || event.state?.name !== INSPECT_STATE) continue;
    const inspection = (event.state.output as { inspection?: Inspection } | undefined)?.inspection;
    if (inspection?.changes) return inspection;
  }
  return undefined;
}
