import { fullLogicalId } from '../functions/shared/safety-policy';
import type { ChangeDecision, DecisionRecord, MatchedEntry } from '../functions/shared/state';

/** The columns of the decision table, in order. */
const COLUMNS = ['VERDICT', 'RESOURCE', 'TYPE', 'ACTION', 'REPLACEMENT', 'RULE', 'POLICY ENTRY'] as const;

/** `protect: UsersTable`, `built-in: AWS::Lambda::Version`, `retainedRemovals: allow`. */
export function describeEntry(matched: MatchedEntry | undefined): string {
  if (!matched) return '-';
  if (matched.builtIn) return `built-in: ${matched.entry}`;
  const entry = `${matched.source.replace(/^safetyPolicy\./, '')}: ${matched.entry}`;
  return matched.unprotectedBy ? `${entry} (unprotect: ${matched.unprotectedBy})` : entry;
}

function row(change: ChangeDecision): string[] {
  // A Modify that does not say whether it replaces is shown as such, not as a blank.
  const replacement = change.replacement ?? (change.action === 'Modify' || change.action === 'SyncWithActual' ? '(not stated)' : '-');
  return [change.verdict, fullLogicalId(change), change.resourceType, change.action, replacement, change.rule, describeEntry(change.matched)];
}

function countsLine(record: DecisionRecord): string {
  const { counts } = record;
  return (
    `Safety policy: ${record.verdict}. ${counts.changes} change(s): ${counts.adds} added, ${counts.inPlaceModifications} modified in place, ` +
    `${counts.replacements} replacement(s), ${counts.removals} removal(s)${counts.undetermined ? `, ${counts.undetermined} undetermined` : ''}; ${counts.blocked} blocked.`
  );
}

/** The decision record as a table: one row per change, blocked first, columns padded to their widest cell. */
export function formatDecisionTable(record: DecisionRecord, indent = '  '): string[] {
  const rows = record.changes.map(row);
  const widths = COLUMNS.map((title, column) => Math.max(title.length, ...rows.map((cells) => cells[column].length)));
  const line = (cells: readonly string[]) => `${indent}  ${cells.map((cell, column) => cell.padEnd(widths[column])).join('  ')}`.trimEnd();
  return [
    `${indent}${countsLine(record)}`,
    ...(rows.length ? [line(COLUMNS), ...rows.map(line)] : []),
    ...(record.omitted ? [`${indent}  … and ${record.omitted} more change(s), counted above but not kept in the execution's data`] : []),
  ];
}
