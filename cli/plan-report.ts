import type { PlanReport, PlannedChange } from '../local/plan';

const HEADERS = ['Logical id', 'Type', 'Action', 'Replacement', 'Causes', 'Verdict', 'Reason'] as const;

/** A column's cell for one change; the last column is not padded. */
function cells(change: PlannedChange): string[] {
  return [
    change.logicalResourceId,
    change.resourceType,
    change.action + (change.policyAction ? ` (${change.policyAction})` : ''),
    change.replacement ?? '-',
    change.causes.join('; ') || '-',
    change.verdict === 'allowed' ? 'allowed' : 'BLOCKED',
    [change.reason, ...change.notes].join('; '),
  ];
}

function table(rows: string[][]): string[] {
  const widths = HEADERS.map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ').trimEnd());
}

const HEADLINE: Record<PlanReport['outcome'], string> = {
  pass: '✔',
  'no-changes': '✔',
  blocked: '✖',
  refused: '✖',
};

/** The human report: the predicted changes as a table, the verdict line, what the prediction could not know. */
export function formatPlan(report: PlanReport): string {
  const lines: string[] = [];
  if (report.changes.length) lines.push(...table([[...HEADERS], ...report.changes.map(cells)]), '');
  lines.push(`${HEADLINE[report.outcome]} ${report.summary}`);
  for (const note of report.notes) lines.push(`  Note: ${note}`);
  lines.push(`  ${report.disclaimer}`);
  return lines.join('\n');
}
