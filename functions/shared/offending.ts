import type { OffendingChange } from './state';

// Its own module, with no client behind it: the approval request quotes it without bundling CloudFormation.
/** One line per offending resource: logical id, type, action, replacement, and what forces it. */
export function describeOffending(change: OffendingChange): string {
  const replacement = change.replacement ? `, Replacement ${change.replacement}` : '';
  const policy = change.policyAction ? `, PolicyAction ${change.policyAction}` : '';
  const causes = change.causes.length ? `; forced by ${change.causes.join(', ')}` : '';
  const physical = change.physicalResourceId ? ` [${change.physicalResourceId}]` : '';
  return `- ${change.logicalResourceId} (${change.resourceType})${physical}: ${change.action}${replacement}${policy}: ${change.reason}${causes}`;
}
