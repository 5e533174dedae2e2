import type { SafetyPolicy } from '../../functions/shared/input';
import { judgePredictedChange } from './judge';
import { predictChangeSet, type PredictionInput } from './predict';

/** One predicted resource change and the policy's verdict on it. */
export interface PlannedChange {
  logicalResourceId: string;
  resourceType: string;
  action: string;
  replacement?: string;
  policyAction?: string;
  causes: string[];
  verdict: 'allowed' | 'blocked';
  rule: string;
  reason: string;
  notes: string[];
}

/**
 * - `pass`: the deployment would execute the change set;
 * - `no-changes`: CloudFormation would report an empty change set (a successful no-op);
 * - `blocked`: the safety policy would reject it;
 * - `refused`: CloudFormation would refuse to create it (a resource's type changes).
 */
export type PlanOutcome = 'pass' | 'no-changes' | 'blocked' | 'refused';

export interface PlanReport {
  outcome: PlanOutcome;
  summary: string;
  changes: PlannedChange[];
  blockedCount: number;
  refused: Array<{ logicalId: string; from: string; to: string }>;
  notes: string[];
  /** Said every time: the prediction is advice; the change set CloudFormation computes decides. */
  disclaimer: string;
}

export const PLAN_DISCLAIMER =
  'This is an offline prediction from the two templates; the change set CloudFormation computes at deploy time decides, and the deployment judges that one.';

/** Predicts the change set for a template pair and judges every change with the deployment's policy. */
export function planDeployment(input: PredictionInput, policy: SafetyPolicy): PlanReport {
  const prediction = predictChangeSet(input);
  const changes = prediction.changes.map(({ change, notes }): PlannedChange => {
    const verdict = judgePredictedChange(change, policy);
    return {
      logicalResourceId: change.LogicalResourceId ?? '(unknown)',
      resourceType: change.ResourceType ?? '(unknown type)',
      action: change.Action ?? '(no action)',
      ...(change.Replacement ? { replacement: change.Replacement } : {}),
      ...(change.PolicyAction ? { policyAction: change.PolicyAction } : {}),
      causes: verdict.causes,
      verdict: verdict.allowed ? 'allowed' : 'blocked',
      rule: verdict.rule,
      reason: verdict.reason,
      notes,
    };
  });
  const blocked = changes.filter((change) => change.verdict === 'blocked');
  const outcome: PlanOutcome = prediction.typeChanges.length
    ? 'refused'
    : blocked.length
      ? 'blocked'
      : changes.length || prediction.stackLevelChanges
        ? 'pass'
        : 'no-changes';
  return {
    outcome,
    summary:
      outcome === 'pass' && changes.length === 0
        ? 'Would pass: no resource changes, but the outputs or parameter values change, so CloudFormation would create a change set with no resource changes and the deployment would execute it.'
        : summaryOf(outcome, changes.length, blocked, prediction.typeChanges),
    changes,
    blockedCount: blocked.length,
    refused: prediction.typeChanges,
    notes: prediction.notes,
    disclaimer: PLAN_DISCLAIMER,
  };
}

function summaryOf(outcome: PlanOutcome, count: number, blocked: PlannedChange[], refused: PlanReport['refused']): string {
  switch (outcome) {
    case 'refused':
      return `CloudFormation would refuse this change set: the type of ${refused.map((change) => `${change.logicalId} (${change.from} → ${change.to})`).join(', ')} changes, which an update cannot do. Give the resource a new logical id instead.`;
    case 'blocked':
      return `Would be blocked: ${blocked.length} of ${count} change(s) would remove or replace a resource the safety policy does not allow: ${blocked.map((change) => change.logicalResourceId).join(', ')}.`;
    case 'pass':
      return `Would pass: ${count} change(s), none removes or replaces a resource the safety policy protects.`;
    case 'no-changes':
      return 'No changes: CloudFormation would report an empty change set, and the deployment would end without executing anything.';
  }
}
