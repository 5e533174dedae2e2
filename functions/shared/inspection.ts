import { allChanges, changeSetRef } from './change-sets';
import { fullLogicalId, judgeChanges } from './safety-policy';
import { MAX_CHANGES_IN_OUTPUT, MAX_DECISION_RECORD_BYTES } from './limits';
import type { ChangeDecision, ChangeSetState, DecisionRecord, Deployment, Inspection } from './state';

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/**
 * The record as the execution's data carries it: at most `maxChanges` changes and `maxBytes` of
 * JSON, blocked changes kept first (the record lists them first). The counts are left exact, and
 * `omitted` says how many changes the list leaves out.
 */
export function fitDecisionRecord(record: DecisionRecord, maxChanges = MAX_CHANGES_IN_OUTPUT, maxBytes = MAX_DECISION_RECORD_BYTES): DecisionRecord {
  const total = record.changes.length + record.omitted;
  const kept: ChangeDecision[] = [];
  let bytes = jsonBytes({ ...record, changes: [], omitted: total });
  for (const change of record.changes.slice(0, maxChanges)) {
    // Each listed change adds its JSON and a comma.
    const added = jsonBytes(change) + 1;
    if (bytes + added > maxBytes) break;
    kept.push(change);
    bytes += added;
  }
  return { ...record, changes: kept, omitted: total - kept.length };
}

/** Reads every change (all pages, nested stacks too) and judges each against the deployment's safety policy. */
export async function inspectChangeSet(deployment: Deployment, changeSet: ChangeSetState): Promise<Inspection> {
  const located = await allChanges(changeSetRef(deployment.stackName, changeSet));
  const record = judgeChanges(located, deployment.safetyPolicy);
  const { counts } = record;
  const blocked = record.changes.filter((change) => change.verdict === 'BLOCKED');
  return {
    safe: counts.blocked === 0,
    changeCount: counts.changes,
    offendingCount: counts.blocked,
    summary:
      counts.blocked === 0
        ? `${counts.changes} change(s), none removes or replaces anything the safety policy protects: safe to execute (${counts.replacements} replacement(s), ${counts.removals} removal(s) allowed).`
        : `${counts.blocked} of ${counts.changes} change(s) would remove or replace a resource the safety policy does not allow: ${listed(blocked.map(fullLogicalId))}.`,
    decision: fitDecisionRecord(record),
  };
}

/** One line per blocked change: logical id, type, action, replacement, what forces it, and why it is blocked. */
export function describeDecision(change: ChangeDecision): string {
  const replacement = change.replacement ? `, Replacement ${change.replacement}` : '';
  const policy = change.policyAction ? `, PolicyAction ${change.policyAction}` : '';
  const causes = change.causes.length ? `; forced by ${change.causes.join(', ')}` : '';
  const physical = change.physicalResourceId ? ` [${change.physicalResourceId}]` : '';
  return `- ${fullLogicalId(change)} (${change.resourceType})${physical}: ${change.action}${replacement}${policy}: ${change.explanation}${causes}`;
}

/** How many blocked changes the rejection message spells out; the execution's output holds more. */
const MAX_OFFENDING_IN_MESSAGE = 50;

function listed(ids: string[]): string {
  return ids.length > MAX_OFFENDING_IN_MESSAGE
    ? `${ids.slice(0, MAX_OFFENDING_IN_MESSAGE).join(', ')} … and ${ids.length - MAX_OFFENDING_IN_MESSAGE} more`
    : ids.join(', ');
}

export function rejectionMessage(deployment: Deployment, changeSet: ChangeSetState, inspection: Inspection): string {
  const blocked = inspection.decision.changes.filter((change) => change.verdict === 'BLOCKED');
  const shown = blocked.slice(0, MAX_OFFENDING_IN_MESSAGE);
  return [
    `Change set ${changeSet.name} on stack ${deployment.stackName} was rejected and deleted, not executed: ${inspection.offendingCount} resource change(s) would remove or replace resources the safety policy does not allow.`,
    ...shown.map(describeDecision),
    ...(inspection.offendingCount > shown.length
      ? [`- … and ${inspection.offendingCount - shown.length} more (inspection.decision in the execution's data lists ${blocked.length} of the ${inspection.offendingCount})`]
      : []),
    "Nothing was changed. If these removals or replacements are intended, list the logical ids (or resource types) in the input document's safetyPolicy.allowRemoval / safetyPolicy.allowReplacement (a protected one also in safetyPolicy.unprotect, or out of safetyPolicy.protect) and run the deployment again.",
  ].join('\n');
}
