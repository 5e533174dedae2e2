import type { ResourceChange } from '@aws-sdk/client-cloudformation';
import { allChanges, changeSetRef } from './change-sets';
import { judgeChange, replacementCauses } from './safety-policy';
import { MAX_CHANGES_IN_OUTPUT } from './limits';
import type { ChangeSetState, ChangeSummary, Deployment, Inspection, OffendingChange } from './state';

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
  const changes: ChangeSummary[] = [];
  const offending: OffendingChange[] = [];
  for (const { path, change } of located) {
    const resource = change.ResourceChange;
    if (!resource) continue;
    const summary = summarise(resource, path);
    changes.push(summary);
    const verdict = judgeChange(resource, deployment.safetyPolicy, path);
    if (!verdict.safe) offending.push({ ...summary, rule: verdict.rule, reason: verdict.reason, causes: replacementCauses(resource) });
  }
  const safe = offending.length === 0;
  return {
    safe,
    changeCount: changes.length,
    changes: changes.slice(0, MAX_CHANGES_IN_OUTPUT),
    truncated: changes.length > MAX_CHANGES_IN_OUTPUT,
    offending,
    summary: safe
      ? `${changes.length} change(s), none removes or replaces a protected resource: safe to execute.`
      : `${offending.length} of ${changes.length} change(s) would remove or replace a resource: ${offending.map((o) => o.logicalResourceId).join(', ')}.`,
  };
}

/** One line per offending resource: logical id, type, action, replacement, and what forces it. */
export function describeOffending(change: OffendingChange): string {
  const replacement = change.replacement ? `, Replacement ${change.replacement}` : '';
  const policy = change.policyAction ? `, PolicyAction ${change.policyAction}` : '';
  const causes = change.causes.length ? `; forced by ${change.causes.join(', ')}` : '';
  const physical = change.physicalResourceId ? ` [${change.physicalResourceId}]` : '';
  return `- ${change.logicalResourceId} (${change.resourceType})${physical}: ${change.action}${replacement}${policy}: ${change.reason}${causes}`;
}

export function rejectionMessage(deployment: Deployment, changeSet: ChangeSetState, inspection: Inspection): string {
  return [
    `Change set ${changeSet.name} on stack ${deployment.stackName} was rejected and deleted, not executed: ${inspection.offending.length} resource change(s) would remove or replace resources.`,
    ...inspection.offending.map(describeOffending),
    'Nothing was changed. If these removals or replacements are intended, list the logical ids (or resource types) in the input document\'s safetyPolicy.allowRemoval / safetyPolicy.allowReplacement and run the deployment again.',
  ].join('\n');
}
