import type { DecidedChange } from '../functions/shared/state';
import { readableCause } from '../functions/trigger/execution-failure';
import type { ExecutionOutput, Inspection, StackOutput } from '../functions/shared/state';

/** What the command line reports at the end of a deployment, whichever way it ran. */
export type Outcome = 'CREATED' | 'UPDATED' | 'NO_CHANGES' | 'REJECTED' | 'FAILED';

export interface DeploymentSummary {
  outcome: Outcome;
  status: string;
  executionArn?: string;
  stackName?: string;
  stackId?: string;
  changeSetName?: string;
  error?: string;
  reason?: string;
  outputs: StackOutput[];
  /** The states the execution entered, in order. */
  path: string[];
  elapsedSeconds: number;
  notes: string[];
  /** The decision record of an inspected change set: every change with its verdict. */
  decision?: DecidedChange[];
}

export interface ExecutionEnd {
  status: string;
  executionArn?: string;
  output?: unknown;
  error?: string;
  cause?: string;
  /** The inspection read from the execution's history: a rejected run has no output to read it from. */
  inspection?: Inspection;
  path: string[];
  elapsedSeconds: number;
}

export function summarise(end: ExecutionEnd, stackNameHint?: string): DeploymentSummary {
  const output = (end.output ?? {}) as Partial<ExecutionOutput>;
  // A succeeded run's output holds the record; a rejected one's is only in the history.
  const decision = output.inspection?.changes ?? end.inspection?.changes;
  const common = {
    status: end.status,
    executionArn: end.executionArn,
    path: end.path,
    elapsedSeconds: end.elapsedSeconds,
    ...(decision?.length ? { decision } : {}),
  };
  if (end.status === 'SUCCEEDED') {
    const notes = [output.recreate?.note, output.result?.summary].filter((note): note is string => Boolean(note));
    return {
      ...common,
      outcome: output.result?.decision ?? 'FAILED',
      stackName: output.deployment?.stackName ?? stackNameHint,
      stackId: output.result?.stackId,
      changeSetName: output.changeSet?.name,
      outputs: output.result?.outputs ?? [],
      notes,
    };
  }
  return {
    ...common,
    outcome: end.error === 'ChangeSetRejected' ? 'REJECTED' : 'FAILED',
    stackName: stackNameHint,
    error: end.error ?? end.status,
    reason: readableCause(end.cause),
    outputs: [],
    notes: [],
  };
}

export function exitCodeFor(summary: DeploymentSummary): number {
  return summary.outcome === 'CREATED' || summary.outcome === 'UPDATED' || summary.outcome === 'NO_CHANGES' ? 0 : 1;
}

const HEADLINE: Record<Outcome, string> = {
  CREATED: '✔ Created',
  UPDATED: '✔ Updated',
  NO_CHANGES: '✔ No changes to',
  REJECTED: '✖ Rejected the change to',
  FAILED: '✖ Failed to deploy',
};

/** The human summary printed at the end. */
export function formatSummary(summary: DeploymentSummary): string {
  const lines = [`${HEADLINE[summary.outcome]} stack ${summary.stackName ?? '(unknown)'} in ${summary.elapsedSeconds.toFixed(1)}s (${summary.status}).`];
  if (summary.executionArn) lines.push(`  Execution: ${summary.executionArn}`);
  if (summary.changeSetName) lines.push(`  Change set: ${summary.changeSetName}`);
  for (const note of summary.notes) lines.push(`  ${note}`);
  if (summary.error) lines.push(`  Error: ${summary.error}`);
  if (summary.reason) lines.push(...summary.reason.split('\n').map((line) => `  ${line}`));
  if (summary.decision?.length) lines.push(`  Decision (${summary.decision.length} change(s)):`, ...decisionTable(summary.decision).map((line) => `    ${line}`));
  if (summary.outputs.length) {
    lines.push('  Outputs:');
    for (const output of summary.outputs) lines.push(`    ${output.OutputKey} = ${output.OutputValue}`);
  }
  return lines.join('\n');
}

/** The decision record as a table: one change a line, what decided it last. */
export function decisionTable(changes: DecidedChange[]): string[] {
  const rows = [
    ['VERDICT', 'ACTION', 'RESOURCE', 'TYPE', 'RULE', 'DECIDED BY'],
    ...changes.map((change) => [
      change.verdict.toUpperCase(),
      change.replacement && change.replacement !== 'False' ? `${change.action} (Replacement ${change.replacement})` : change.action,
      change.logicalResourceId,
      change.resourceType,
      change.rule,
      change.matched ?? '-',
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  '));
}
