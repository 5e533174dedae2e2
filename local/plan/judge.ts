import type { ResourceChange } from '@aws-sdk/client-cloudformation';
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
  return { allowed: verdict.safe, rule: verdict.rule, reason: verdict.reason, causes: replacementCauses(change) };
}
