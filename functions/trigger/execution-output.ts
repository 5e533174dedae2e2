import * as z from '../shared/zod';
import { trimTo } from './job-result';
import { MAX_OUTPUT_VARIABLES_BYTES, MAX_REASON_IN_SUMMARY_LENGTH, OUTPUT_VARIABLE_KEY_PATTERN } from './limits';

/**
 * The parts of a SUCCEEDED execution's output the trigger reports (see `functions/shared/state.ts`
 * for the whole shape). Read leniently: a field the trigger does not need never fails a
 * deployment that succeeded.
 */
const ExecutionOutputSchema = z.object({
  deployment: z.optional(
    z.partial(
      z.object({
        stackName: z.string(),
        changeSetName: z.optional(z.string()),
        // onUnsafe new-stack: `stackName` names the new stack, deployed beside this one.
        newStack: z.object({ previousStackName: z.string(), suffix: z.optional(z.string()), reason: z.optional(z.string()) }),
      }),
    ),
  ),
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
        // onUnsafe approve: who approved the unsafe change set. Only told, so a malformed one is ignored.
        approval: z.catch(z.optional(z.looseObject({ approver: z.string(), reason: z.optional(z.string()) })), undefined),
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
        warnings: z.array(z.string()),
      }),
    ),
  ),
  recreate: z.optional(z.partial(z.object({ note: z.string() }))),
});
type ExecutionOutput = z.infer<typeof ExecutionOutputSchema>;

/**
 * The variables the trigger always sets when it has them. They are never left out for the size
 * budget (they are small and go in first), and a stack output of the same name is left out: the
 * deployer's own win, so `#{ns.Strategy}` always means what the README says.
 */
export const FIXED_VARIABLE_NAMES = [
  'StackName',
  'StackId',
  'ChangeSetName',
  'Decision',
  'Removals',
  'Replacements',
  'Blocked',
  'DeployedStackName',
  'PreviousStackName',
  'Strategy',
] as const;
/** Set after an approval (onUnsafe approve), within the size budget: ApprovedBy before the stack outputs, ApprovalReason after them. */
export const APPROVAL_VARIABLE_NAMES = ['ApprovedBy', 'ApprovalReason'] as const;
const RESERVED_VARIABLE_NAMES: ReadonlySet<string> = new Set([...FIXED_VARIABLE_NAMES, ...APPROVAL_VARIABLE_NAMES]);

/** How the deployment went out: into the live stack, or as a new stack beside it (onUnsafe new-stack). */
export type Strategy = 'IN_PLACE' | 'NEW_STACK';

export interface LeftOutVariable {
  key: string;
  reason: string;
  /** A stack output, or one of the trigger's own approval variables. */
  from: 'stack output' | 'approval';
  /** A stack output named like one of the trigger's own variables. */
  nameTaken?: true;
}

export interface SuccessReport {
  summary: string;
  outputVariables: Record<string, string>;
  /** Variables not set, with the reason, for the log. */
  leftOut: LeftOutVariable[];
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
  return { summary: summaryOf(output, executionName, leftOut), outputVariables, leftOut, ...(decision ? { decision } : {}) };
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

function summaryOf(output: ExecutionOutput, executionName: string, leftOut: readonly LeftOutVariable[]): string {
  const stackName = output.deployment?.stackName ?? 'the stack';
  const parts: string[] = [];
  const newStack = output.deployment?.newStack;
  if (newStack) {
    // The result's own summary says the same at more length: the status and any warnings are what it adds.
    const why = newStack.reason ? `: ${sentence(trimTo(newStack.reason, MAX_REASON_IN_SUMMARY_LENGTH))}` : '.';
    parts.push(`Deployed as new stack ${stackName} beside ${newStack.previousStackName} (left untouched)${why}`);
    if (output.result?.status) parts.push(`Stack status ${output.result.status}.`);
    const warnings = output.result?.warnings ?? [];
    if (warnings.length) parts.push(`Warning: the update's clean-up left ${warnings.length} old resource(s) behind: ${sentence(trimTo(warnings.join('; '), MAX_REASON_IN_SUMMARY_LENGTH))}`);
  } else {
    parts.push(output.result?.summary ?? `Deployment of ${stackName} succeeded${output.result?.decision ? `: ${output.result.decision}` : ''}.`);
  }
  if (output.recreate?.note) parts.push(output.recreate.note);
  const approval = output.inspection?.approval;
  if (approval) {
    parts.push(`Approved by ${approval.approver}${approval.reason ? `: ${sentence(trimTo(approval.reason, MAX_REASON_IN_SUMMARY_LENGTH))}` : ' (no reason given).'}`);
  }
  const taken = leftOut.filter((entry) => entry.nameTaken).map((entry) => entry.key);
  if (taken.length) parts.push(`Stack output(s) ${taken.join(', ')} were not set as output variables: the deployer's own variables of those names win.`);
  const otherOutputs = leftOut.filter((entry) => entry.from === 'stack output' && !entry.nameTaken).length;
  if (otherOutputs > 0) parts.push(`${otherOutputs} stack output(s) were not set as output variables (see the trigger's log).`);
  for (const { key, reason } of leftOut.filter((entry) => entry.from === 'approval')) parts.push(`${key} was not set as an output variable: ${reason}.`);
  parts.push(`(execution ${executionName})`);
  return parts.join(' ');
}

/** Ends the text as a sentence, so the summary's next part does not run on from it. */
function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

function counts(output: ExecutionOutput, kind: 'removals' | 'replacements' | 'blocked'): string | undefined {
  const count = output.inspection?.counts?.[kind];
  return count === undefined ? undefined : String(count);
}

/**
 * StackName, StackId, ChangeSetName (only when a change set was used), Decision, Removals,
 * Replacements and Blocked (only when a change set was inspected), DeployedStackName,
 * PreviousStackName and Strategy (IN_PLACE, or NEW_STACK beside the live stack); after an
 * approval ApprovedBy; then every stack output under its OutputKey, as CodePipeline's own
 * CloudFormation action names them; then ApprovalReason (when given). The fixed variables always
 * go in; the others are added while the whole map stays under CodePipeline's size limit, and the
 * rest are left out and named.
 */
export function outputVariablesOf(output: ExecutionOutput): Pick<SuccessReport, 'outputVariables' | 'leftOut'> {
  const deployedStackName = output.deployment?.stackName;
  const newStack = output.deployment?.newStack;
  const strategy: Strategy = newStack ? 'NEW_STACK' : 'IN_PLACE';
  const fixed: Record<(typeof FIXED_VARIABLE_NAMES)[number], string | undefined> = {
    StackName: deployedStackName,
    StackId: output.result?.stackId,
    ChangeSetName: output.changeSet?.name,
    Decision: output.result?.decision,
    // The decision record's counts, when a change set was inspected (a create has none).
    Removals: counts(output, 'removals'),
    Replacements: counts(output, 'replacements'),
    Blocked: counts(output, 'blocked'),
    DeployedStackName: deployedStackName,
    // In place, the stack deployed to is the one that was live.
    PreviousStackName: newStack ? newStack.previousStackName : deployedStackName,
    Strategy: strategy,
  };
  const outputVariables: Record<string, string> = {};
  for (const [key, value] of Object.entries(fixed)) {
    if (value) outputVariables[key] = value;
  }

  const approval = output.inspection?.approval;
  // The approver (an ARN: small) before the stack outputs; the reason, free text of any length,
  // after them, so a long one never crowds out an output a later action needs.
  const candidates: Array<{ key: string; value: string; from: LeftOutVariable['from'] }> = [
    ...(approval ? [{ key: 'ApprovedBy', value: approval.approver, from: 'approval' as const }] : []),
    ...(output.result?.outputs ?? []).map(({ OutputKey: key, OutputValue: value }) => ({ key, value, from: 'stack output' as const })),
    ...(approval?.reason ? [{ key: 'ApprovalReason', value: approval.reason, from: 'approval' as const }] : []),
  ];

  const leftOut: LeftOutVariable[] = [];
  let bytes = jsonBytes(outputVariables);
  for (const { key, value, from } of candidates) {
    if (from === 'stack output' && RESERVED_VARIABLE_NAMES.has(key)) {
      leftOut.push({ key, reason: `its name is taken by the trigger's own ${key} variable`, from, nameTaken: true });
      continue;
    }
    if (!OUTPUT_VARIABLE_KEY_PATTERN.test(key)) {
      leftOut.push({ key, reason: 'CodePipeline variable names allow only letters, digits, @, - and _', from });
      continue;
    }
    if (value === '') {
      leftOut.push({ key, reason: 'its value is empty', from });
      continue;
    }
    // Each entry adds `,"key":"value"` to the JSON map: count it the same way.
    const added = jsonBytes({ [key]: value }) - 1;
    if (bytes + added > MAX_OUTPUT_VARIABLES_BYTES) {
      leftOut.push({ key, reason: `CodePipeline allows ${MAX_OUTPUT_VARIABLES_BYTES} bytes of output variables per action`, from });
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
