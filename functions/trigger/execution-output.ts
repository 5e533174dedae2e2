import * as z from '../shared/zod';
import { MAX_OUTPUT_VARIABLES_BYTES, OUTPUT_VARIABLE_KEY_PATTERN } from './limits';

/**
 * The parts of a SUCCEEDED execution's output the trigger reports (see `functions/shared/state.ts`
 * for the whole shape). Read leniently: a field the trigger does not need never fails a
 * deployment that succeeded.
 */
const ExecutionOutputSchema = z.object({
  deployment: z.optional(z.partial(z.object({ stackName: z.string(), changeSetName: z.optional(z.string()) }))),
  stack: z.optional(z.partial(z.object({ exists: z.boolean(), action: z.string() }))),
  changeSet: z.optional(z.partial(z.object({ name: z.string() }))),
  inspection: z.optional(
    z.partial(
      z.object({
        summary: z.string(),
        counts: z.object({ removals: z.number(), replacements: z.number(), blocked: z.number() }),
        changes: z.array(z.record(z.string(), z.unknown())),
        changeCount: z.number(),
        truncated: z.boolean(),
      }),
    ),
  ),
  result: z.optional(
    z.partial(
      z.object({
        decision: z.string(),
        stackId: z.string(),
        status: z.string(),
        summary: z.string(),
        outputs: z.array(z.looseObject({ OutputKey: z.string(), OutputValue: z.string() })),
      }),
    ),
  ),
  recreate: z.optional(z.partial(z.object({ note: z.string() }))),
});
type ExecutionOutput = z.infer<typeof ExecutionOutputSchema>;

/** The variables the trigger always sets when it has them; a stack output of the same name is left out. */
export const FIXED_VARIABLE_NAMES = ['StackName', 'StackId', 'ChangeSetName', 'Decision', 'Removals', 'Replacements', 'Blocked'] as const;

export interface SuccessReport {
  summary: string;
  outputVariables: Record<string, string>;
  /** Stack outputs not passed on as variables, with the reason, for the log. */
  leftOut: Array<{ key: string; reason: string }>;
  /** The decision record of an inspected change set, for the action's output artifact. */
  decision?: Record<string, unknown>;
}

/** Reads a SUCCEEDED execution's output into the job's summary and output variables. */
export function successReport(outputJson: string | undefined, executionName: string): SuccessReport {
  const output = parseOutput(outputJson);
  if (!output) {
    return {
      summary: `Deployment succeeded (execution ${executionName}), but its output could not be read, so no output variables were set.`,
      outputVariables: {},
      leftOut: [],
    };
  }
  const { outputVariables, leftOut } = outputVariablesOf(output);
  const { changes, counts: tally, changeCount, truncated } = output.inspection ?? {};
  const decision = changes ? { stackName: output.deployment?.stackName, changeSetName: output.changeSet?.name, changeCount, truncated, counts: tally, changes } : undefined;
  return { summary: summaryOf(output, executionName, leftOut.length), outputVariables, leftOut, ...(decision ? { decision } : {}) };
}

function parseOutput(outputJson: string | undefined): ExecutionOutput | undefined {
  if (!outputJson) return undefined;
  try {
    const parsed = ExecutionOutputSchema.safeParse(JSON.parse(outputJson));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function summaryOf(output: ExecutionOutput, executionName: string, leftOutCount: number): string {
  const stackName = output.deployment?.stackName ?? 'the stack';
  const parts = [output.result?.summary ?? `Deployment of ${stackName} succeeded${output.result?.decision ? `: ${output.result.decision}` : ''}.`];
  if (output.recreate?.note) parts.push(output.recreate.note);
  if (leftOutCount > 0) parts.push(`${leftOutCount} stack output(s) were not set as output variables (see the trigger's log).`);
  parts.push(`(execution ${executionName})`);
  return parts.join(' ');
}

function counts(output: ExecutionOutput, kind: 'removals' | 'replacements' | 'blocked'): string | undefined {
  const count = output.inspection?.counts?.[kind];
  return count === undefined ? undefined : String(count);
}

/**
 * StackName, StackId, ChangeSetName (only when a change set was used), Decision, Removals,
 * Replacements and Blocked (only when a change set was inspected), then every stack
 * output under its OutputKey, as CodePipeline's own CloudFormation action names them. Outputs are
 * added while the whole map stays under CodePipeline's size limit; the rest are left out and named.
 */
export function outputVariablesOf(output: ExecutionOutput): Pick<SuccessReport, 'outputVariables' | 'leftOut'> {
  const fixed: Record<(typeof FIXED_VARIABLE_NAMES)[number], string | undefined> = {
    StackName: output.deployment?.stackName,
    StackId: output.result?.stackId,
    ChangeSetName: output.changeSet?.name,
    Decision: output.result?.decision,
    // The decision record's counts, when a change set was inspected (a create has none).
    Removals: counts(output, 'removals'),
    Replacements: counts(output, 'replacements'),
    Blocked: counts(output, 'blocked'),
  };
  const outputVariables: Record<string, string> = {};
  for (const [key, value] of Object.entries(fixed)) {
    if (value) outputVariables[key] = value;
  }

  const leftOut: SuccessReport['leftOut'] = [];
  let bytes = jsonBytes(outputVariables);
  for (const { OutputKey: key, OutputValue: value } of output.result?.outputs ?? []) {
    if ((FIXED_VARIABLE_NAMES as readonly string[]).includes(key)) {
      leftOut.push({ key, reason: `its name is taken by the trigger's own ${key} variable` });
      continue;
    }
    if (!OUTPUT_VARIABLE_KEY_PATTERN.test(key)) {
      leftOut.push({ key, reason: 'CodePipeline variable names allow only letters, digits, @, - and _' });
      continue;
    }
    if (value === '') {
      leftOut.push({ key, reason: 'its value is empty' });
      continue;
    }
    // Each entry adds `,"key":"value"` to the JSON map: count it the same way.
    const added = jsonBytes({ [key]: value }) - 1;
    if (bytes + added > MAX_OUTPUT_VARIABLES_BYTES) {
      leftOut.push({ key, reason: `CodePipeline allows ${MAX_OUTPUT_VARIABLES_BYTES} bytes of output variables per action` });
      continue;
    }
    outputVariables[key] = value;
    bytes += added;
  }
  return { outputVariables, leftOut };
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
