import type { ResourceChange, ResourceChangeDetail } from '@aws-sdk/client-cloudformation';
import type { SafetyPolicy } from '../../functions/shared/input';
import { judgeChange, replacementCauses } from '../../functions/shared/safety-policy';

/** The deployer's verdict on one predicted change, in the words `plan` prints. */
export interface PlanVerdict {
  allowed: boolean;
  /** The policy rule that decided, as the deployment's inspection names it. */
  rule: string;
  reason: string;
  /** The properties that force (or may force) a replacement, as the deployment's rejection lists them. */
  causes: string[];
}

/**
 * The one place `plan` calls the deployment's policy code (the same functions the
 * "Inspect Change Set Changes" state uses), so a new policy API is a change here and nowhere else.
 */
export function judgePredictedChange(change: ResourceChange, policy: SafetyPolicy): PlanVerdict {
  const verdict = judgeChange(change, policy);
  return { allowed: verdict.safe, rule: verdict.rule, reason: verdict.reason, causes: replacementCauses({ ...change, Details: mostSpecific(change.Details ?? []) }) };
}

const targetKey = (detail: ResourceChangeDetail) => `${detail.Target?.Attribute}/${detail.Target?.Name ?? ''}`;

/**
 * A property changed through a parameter or a reference also gets a bare DirectModification detail
 * (as in real change sets); for the causes, the detail that names what changed it says more.
 */
function mostSpecific(details: ResourceChangeDetail[]): ResourceChangeDetail[] {
  const named = new Set(details.filter((detail) => detail.CausingEntity).map(targetKey));
  return details.filter((detail) => detail.CausingEntity || !named.has(targetKey(detail)));
}
