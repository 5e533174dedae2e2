import type { ResourceChange, ResourceChangeDetail } from '@aws-sdk/client-cloudformation';
import { HARMLESS_REPLACEMENT_TYPES, PROTECTED_DATA_TYPES } from './built-in-policy';
import type { SafetyPolicy } from './input';
import { firstMatch } from './policy-patterns';

/**
 * The rules that decide whether one resource change may go out. Each is a small pure function over
 * the change and the deployment's policy; its explanation lives beside it, in RULE_MESSAGES.
 * Anything not known to be safe is unsafe: an action this code has never heard of blocks the update.
 */
export type RuleId =
  | 'add'
  | 'import'
  | 'in-place-modify'
  | 'removal'
  | 'retained-removal'
  | 'replacement'
  | 'conditional-replacement'
  | 'unstated-replacement'
  | 'dynamic'
  | 'unknown-action';

export interface Verdict {
  safe: boolean;
  rule: RuleId;
  reason: string;
  /** The policy entry that decided it, e.g. `safetyPolicy.allowReplacement: AWS::Lambda::*` or `built-in protected type: AWS::S3::Bucket`. */
  matched?: string;
}

export const RULE_MESSAGES: Record<RuleId, string> = {
  add: 'adds a new resource',
  import: 'imports an existing resource into the stack',
  'in-place-modify': 'modifies the resource in place',
  removal: 'deletes the resource',
  'retained-removal': 'removes the resource from the stack; CloudFormation keeps it in the account (DeletionPolicy Retain)',
  replacement: 'replaces the resource (a new one is created and the old one deleted)',
  'conditional-replacement': 'may replace the resource (Replacement Conditional: whether it does depends on the new property values)',
  'unstated-replacement': 'may replace the resource: CloudFormation did not say whether this replaces the resource, so it is judged as a possible replacement',
  dynamic: 'is an action CloudFormation cannot determine before the update (Action Dynamic): it may remove or replace the resource',
  'unknown-action': 'is an action this deployer does not know; it is not executed until a rule says it is safe',
};

const REPLACING: ReadonlySet<RuleId> = new Set(['replacement', 'conditional-replacement', 'unstated-replacement']);

/** What a replacement's PolicyAction does with the old resource, when it does not simply delete it. */
const KEPT_ON_REPLACEMENT: Readonly<Record<string, string>> = {
  ReplaceAndRetain: 'the old one is kept in the account (ReplaceAndRetain), but the stack moves to the new, empty resource',
  ReplaceAndSnapshot: 'the old one is deleted after a snapshot (ReplaceAndSnapshot)',
};

function targetName(detail: ResourceChangeDetail): string {
  return [detail.Target?.Attribute, detail.Target?.Name].filter(Boolean).join('.');
}

/**
 * The rule's sentence, with what the change itself adds: the properties whose replacing change
 * CloudFormation can only evaluate during the update (`Evaluation: Dynamic`, e.g. a reference to a
 * resource that may itself be replaced), and what the PolicyAction does with the old resource.
 */
function describe(rule: RuleId, change: ResourceChange): string {
  if (!REPLACING.has(rule)) return RULE_MESSAGES[rule];
  const forcing = (change.Details ?? []).filter((d) => d.Target?.RequiresRecreation === 'Always' || d.Target?.RequiresRecreation === 'Conditionally');
  // A property CloudFormation also evaluated statically is known to change; only the purely dynamic ones are uncertain.
  const known = new Set(forcing.filter((d) => d.Evaluation !== 'Dynamic').map(targetName));
  const dynamic = [...new Set(forcing.filter((d) => d.Evaluation === 'Dynamic').map(targetName))].filter((name) => !known.has(name));
  const notes = [
    ...(dynamic.length ? [`CloudFormation can only tell during the update whether ${dynamic.join(', ')} change${dynamic.length === 1 ? 's' : ''} (Evaluation Dynamic)`] : []),
    ...(change.PolicyAction && Object.hasOwn(KEPT_ON_REPLACEMENT, change.PolicyAction) ? [KEPT_ON_REPLACEMENT[change.PolicyAction]] : []),
  ];
  return [RULE_MESSAGES[rule], ...notes].join('; ');
}

/**
 * A removal or a replacement, and what may still let it through, strongest first: `protect` (the
 * user's, then the built-in data-bearing types) blocks whatever an allow list says; a removal that
 * CloudFormation retains deletes nothing; a built-in harmless type may be replaced or removed; then
 * the allow list.
 */
function allowed(rule: RuleId, list: readonly string[], change: ResourceChange, path: string, field: string, policy: SafetyPolicy): Verdict {
  const what = describe(rule, change);
  const logicalPath = `${path}${change.LogicalResourceId ?? ''}`;
  const type = change.ResourceType;
  const retained = rule === 'removal' && change.PolicyAction === 'Retain' && policy.retainedRemovals === 'allow';
  const protectedBy = firstMatch(policy.protect, logicalPath, type);
  if (protectedBy) {
    return { safe: false, rule, reason: `${what}; protected by safetyPolicy.protect ("${protectedBy}"), which no allow list overrides`, matched: `safetyPolicy.protect: ${protectedBy}` };
  }
  const data = type !== undefined && Object.hasOwn(PROTECTED_DATA_TYPES, type) && !policy.unprotect.includes(type) ? PROTECTED_DATA_TYPES[type] : undefined;
  // A retained removal keeps the data in the account: it is what protecting data-bearing types is for.
  if (data && !retained) {
    return {
      safe: false,
      rule,
      reason: `${what}; ${type} is protected built in (${data}). Name it in safetyPolicy.unprotect to allow this`,
      matched: `built-in protected type: ${type}`,
    };
  }
  if (retained) return { safe: true, rule: 'retained-removal', reason: RULE_MESSAGES['retained-removal'], matched: 'safetyPolicy.retainedRemovals: allow' };
  // Replaced by design, holding no data, whether CloudFormation replaces them in place or a new
  // logical id (CDK's hash suffix) removes the old one.
  if ((REPLACING.has(rule) || rule === 'removal') && policy.builtInAllowances && type !== undefined && Object.hasOwn(HARMLESS_REPLACEMENT_TYPES, type)) {
    return { safe: true, rule, reason: `${what}; allowed built in: ${HARMLESS_REPLACEMENT_TYPES[type]}`, matched: `built-in harmless replacement: ${type}` };
  }
  const entry = firstMatch(list, logicalPath, type);
  if (entry) return { safe: true, rule, reason: `${what}; allowed by safetyPolicy.${field} ("${entry}")`, matched: `safetyPolicy.${field}: ${entry}` };
  return { safe: false, rule, reason: what };
}

/** Rules for a Modify (and a drift-sync, which modifies the same way), by `Replacement`. */
function modifyVerdict(change: ResourceChange, policy: SafetyPolicy, path: string): Verdict {
  switch (change.Replacement) {
    case 'False':
      return { safe: true, rule: 'in-place-modify', reason: RULE_MESSAGES['in-place-modify'] };
    case 'True':
      return allowed('replacement', policy.allowReplacement, change, path, 'allowReplacement', policy);
    case undefined:
      // Some AWS-compatible endpoints leave the field out: that says nothing, so it may replace.
      return allowed('unstated-replacement', policy.allowReplacement, change, path, 'allowReplacement', policy);
    default:
      // `Conditional`, or a value this code does not know: either may replace.
      return allowed('conditional-replacement', policy.allowReplacement, change, path, 'allowReplacement', policy);
  }
}

const ACTION_RULES: Record<string, (change: ResourceChange, policy: SafetyPolicy, path: string) => Verdict> = {
  Add: () => ({ safe: true, rule: 'add', reason: RULE_MESSAGES.add }),
  Import: () => ({ safe: true, rule: 'import', reason: RULE_MESSAGES.import }),
  Modify: modifyVerdict,
  SyncWithActual: modifyVerdict,
  Remove: (change, policy, path) => allowed('removal', policy.allowRemoval, change, path, 'allowRemoval', policy),
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
