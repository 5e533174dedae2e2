import type { ResourceChange } from '@aws-sdk/client-cloudformation';
import { allChanges, changeSetRef } from './change-sets';
import { judgeChange, replacementCauses } from './safety-policy';
import { MAX_CHANGES_IN_OUTPUT, MAX_INSPECTION_LIST_BYTES } from './limits';
import type { ChangeSetState, ChangeSummary, DecidedChange, DecisionCounts, Deployment, Inspection, OffendingChange } from './state';
import { describeOffending } from './offending';

export { describeOffending };

function summarise(change: ResourceChange, path: string): ChangeSummary {
  return {
    logicalResourceId: `${path}${change.LogicalResourceId ?? '(unknown)'}`,
    resourceType: change.ResourceType ?? '(unknown type)',
    action: change.Action ?? '(no action)',
    ...(change.Replacement ? { replacement: change.Replacement } : {}),
    ...(change.PhysicalResourceId ? { physicalResourceId: change.PhysicalResourceId } : {}),
    ...(change.PolicyAction ? { policyAction: change.PolicyAction } : {}),
  };
}

/** Reads every change (all pages, nested stacks too) and judges each against the deployment's safety policy. */
export async function inspectChangeSet(deployment: Deployment, changeSet: ChangeSetState): Promise<Inspection> {
  const located = await allChanges(changeSetRef(deployment.stackName, changeSet));
  const changes: DecidedChange[] = [];
  const offending: OffendingChange[] = [];
  const counts: DecisionCounts = { removals: 0, replacements: 0, blocked: 0 };
  for (const { path, change } of located) {
    // A change with nothing to judge is a kind this deployer does not know: unsafe until a rule says otherwise.
    // Its Type stands in for the action, so the operator sees what kind of change it was.
    const resource: ResourceChange = change.ResourceChange ?? ({ Action: change.Type ?? '(none)', LogicalResourceId: '(unknown)' } as unknown as ResourceChange);
    const summary = summarise(resource, path);
    const verdict = judgeChange(resource, deployment.safetyPolicy, path);
    const causes = replacementCauses(resource);
    changes.push({ ...summary, verdict: verdict.safe ? 'allowed' : 'blocked', rule: verdict.rule, reason: verdict.reason, ...(verdict.matched ? { matched: verdict.matched } : {}), causes });
    if (resource.Action === 'Remove') counts.removals += 1;
    if (resource.Action === 'Modify' && resource.Replacement !== 'False') counts.replacements += 1;
    if (!verdict.safe) {
      counts.blocked += 1;
      offending.push({ ...summary, rule: verdict.rule, reason: verdict.reason, causes });
    }
  }
  const safe = offending.length === 0;
  // The offending changes first: the rejection names them. The decision record gets what is left.
  const keptOffending = withinBytes(offending.slice(0, MAX_CHANGES_IN_OUTPUT), MAX_INSPECTION_LIST_BYTES);
  const keptChanges = withinBytes(changes.slice(0, MAX_CHANGES_IN_OUTPUT), MAX_INSPECTION_LIST_BYTES - jsonBytes(keptOffending));
  return {
    safe,
    changeCount: changes.length,
    changes: keptChanges,
    counts,
    truncated: keptChanges.length < changes.length,
    offending: keptOffending,
    offendingCount: offending.length,
    summary: safe
      ? `${changes.length} change(s), none removes or replaces a protected resource: safe to execute.`
      : `${offending.length} of ${changes.length} change(s) would remove or replace a resource: ${listed(offending.map((o) => o.logicalResourceId))}.`,
  };
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** The first items whose JSON, as a list, fits in `budget` bytes. */
function withinBytes<T>(items: readonly T[], budget: number): T[] {
  const kept: T[] = [];
  let bytes = 2; // []
  for (const item of items) {
    // Each item adds its JSON and a comma.
    const added = jsonBytes(item) + 1;
    if (bytes + added > budget) break;
    kept.push(item);
    bytes += added;
  }
  return kept;
}


/** How many offending resources the rejection message spells out; the execution's output holds more. */
const MAX_OFFENDING_IN_MESSAGE = 50;

function listed(ids: string[]): string {
  return ids.length > MAX_OFFENDING_IN_MESSAGE
    ? `${ids.slice(0, MAX_OFFENDING_IN_MESSAGE).join(', ')} … and ${ids.length - MAX_OFFENDING_IN_MESSAGE} more`
    : ids.join(', ');
}

export function rejectionMessage(deployment: Deployment, changeSet: ChangeSetState, inspection: Inspection): string {
  const shown = inspection.offending.slice(0, MAX_OFFENDING_IN_MESSAGE);
  return [
    `Change set ${changeSet.name} on stack ${deployment.stackName} was rejected and deleted, not executed: ${inspection.offendingCount} resource change(s) would remove or replace resources.`,
    ...shown.map(describeOffending),
    ...(inspection.offendingCount > shown.length ? [`- … and ${inspection.offendingCount - shown.length} more (see the execution's output, inspection.offending)`] : []),
    'Nothing was changed. If these removals or replacements are intended, list the logical ids (or resource types) in the input document\'s safetyPolicy.allowRemoval / safetyPolicy.allowReplacement and run the deployment again.',
  ].join('\n');
}
