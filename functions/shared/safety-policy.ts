import type { ResourceChange } from '@aws-sdk/client-cloudformation';
import type { SafetyPolicy } from './input';

/**
 * The rules that decide whether one resource change may go out. Each is a small pure function over
 * the change and the deployment's policy; its explanation lives beside it, in RULE_MESSAGES.
 * Anything not known to be safe is unsafe: an action this code has never heard of blocks the update.
 */
export type RuleId = 'add' | 'import' | 'in-place-modify' | 'removal' | 'replacement' | 'conditional-replacement' | 'unstated-replacement' | 'dynamic' | 'unknown-action';

export interface Verdict {
  safe: boolean;
  rule: RuleId;
  reason: string;
}

export const RULE_MESSAGES: Record<RuleId, string> = {
  add: 'adds a new resource',
  import: 'imports an existing resource into the stack',
  'in-place-modify': 'modifies the resource in place',
  removal: 'deletes the resource',
  replacement: 'replaces the resource (a new one is created and the old one deleted)',
  'conditional-replacement': 'may replace the resource (CloudFormation decides at deploy time)',
  'unstated-replacement': 'may replace the resource: CloudFormation did not say whether this replaces the resource, so it is judged as a possible replacement',
  dynamic: 'changes the resource in a way CloudFormation can only decide at deploy time',
  'unknown-action': 'is an action this deployer does not know; it is not executed until a rule says it is safe',
};

/** An entry names a resource by its logical id, a nested stack's resource by its path (`Parent/Child`), or a resource type. */
function matches(list: readonly string[], change: ResourceChange, path: string): boolean {
  const logicalId = `${path}${change.LogicalResourceId ?? ''}`;
  return list.some((entry) => entry === logicalId || entry === change.ResourceType);
}

function allowed(rule: RuleId, list: readonly string[], change: ResourceChange, path: string, field: string): Verdict {
  const permitted = matches(list, change, path);
  const reason = permitted ? `${RULE_MESSAGES[rule]}; allowed by safetyPolicy.${field}` : RULE_MESSAGES[rule];
  return { safe: permitted, rule, reason };
}

/** Rules for a Modify (and a drift-sync, which modifies the same way), by `Replacement`. */
function modifyVerdict(change: ResourceChange, policy: SafetyPolicy, path: string): Verdict {
  switch (change.Replacement) {
    case 'False':
      return { safe: true, rule: 'in-place-modify', reason: RULE_MESSAGES['in-place-modify'] };
    case 'True':
      return allowed('replacement', policy.allowReplacement, change, path, 'allowReplacement');
    case undefined:
      // Some AWS-compatible endpoints leave the field out: that says nothing, so it may replace.
      return allowed('unstated-replacement', policy.allowReplacement, change, path, 'allowReplacement');
    default:
      // `Conditional`, or a value this code does not know: either may replace.
      return allowed('conditional-replacement', policy.allowReplacement, change, path, 'allowReplacement');
  }
}

const ACTION_RULES: Record<string, (change: ResourceChange, policy: SafetyPolicy, path: string) => Verdict> = {
  Add: () => ({ safe: true, rule: 'add', reason: RULE_MESSAGES.add }),
  Import: () => ({ safe: true, rule: 'import', reason: RULE_MESSAGES.import }),
  Modify: modifyVerdict,
  SyncWithActual: modifyVerdict,
  Remove: (change, policy, path) => allowed('removal', policy.allowRemoval, change, path, 'allowRemoval'),
  Dynamic: () => ({ safe: false, rule: 'dynamic', reason: RULE_MESSAGES.dynamic }),
};

export function judgeChange(change: ResourceChange, policy: SafetyPolicy, path = ''): Verdict {
  const action = change.Action ?? '';
  // Own keys only: an action named like an Object member ("constructor") is unknown, not a rule.
  const rule = Object.hasOwn(ACTION_RULES, action) ? ACTION_RULES[action] : undefined;
  return rule ? rule(change, policy, path) : { safe: false, rule: 'unknown-action', reason: `${RULE_MESSAGES['unknown-action']} (${change.Action ?? 'no Action'})` };
}

/** The properties and attributes whose change forces (or may force) a replacement, e.g. `Properties.TableName`. */
export function replacementCauses(change: ResourceChange): string[] {
  const causes = (change.Details ?? [])
    .filter((detail) => detail.Target?.RequiresRecreation === 'Always' || detail.Target?.RequiresRecreation === 'Conditionally')
    .map((detail) => {
      const target = detail.Target!;
      const name = [target.Attribute, target.Name].filter(Boolean).join('.');
      const how = target.RequiresRecreation === 'Always' ? 'always replaces' : 'may replace';
      const source = detail.ChangeSource ? `, ${detail.ChangeSource}${detail.CausingEntity ? ` ${detail.CausingEntity}` : ''}` : '';
      return `${name} (${how}${source})`;
    });
  return [...new Set(causes)];
}
