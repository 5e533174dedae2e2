import type { Change, ResourceChange, ResourceChangeDetail } from '@aws-sdk/client-cloudformation';
import { builtInHarmlessReplacement, builtInProtection } from './policy-built-ins';
import { compilePattern, firstMatch, type CompiledPattern } from './policy-patterns';
import { withPolicyDefaults, type SafetyPolicy } from './safety-policy-schema';
import type { ChangeDecision, ChangeKind, DecisionCounts, DecisionRecord, MatchedEntry, PolicyRule } from './state';

/**
 * The safety policy: whether each change of a change set may go out, and why.
 *
 * Every change is first classified (what it does to its resource), then judged by the first rule
 * that applies, in this order:
 *
 *   1. adds, imports and in-place modifications are safe;
 *   2. an action this code does not know, and a `Dynamic` action, are blocked (nothing allows them);
 *   3. `safetyPolicy.protect` blocks, whatever else says otherwise;
 *   4. a retained removal (`PolicyAction: Retain`) is allowed, unless `retainedRemovals: "reject"`
 *      (then it is judged like any removal below);
 *   5. a built-in protected type blocks, unless `safetyPolicy.unprotect` names the type or the resource;
 *   6. a built-in harmless replacement is allowed, replaced or removed (the CDK rotates some by
 *      logical id: the new one added, the old one removed), unless `builtInAllowances: false`;
 *   7. `allowRemoval` / `allowReplacement` allow;
 *   8. anything else is blocked.
 *
 * The sentences that explain each kind and each rule live beside them in KIND_MESSAGES and the
 * rule functions; the decision logic never builds prose of its own.
 */

/** What each kind of change does, as the decision record says it. */
export const KIND_MESSAGES: Record<ChangeKind, string> = {
  add: 'adds a new resource',
  import: 'imports an existing resource into the stack',
  'in-place-modify': 'modifies the resource in place',
  replacement: 'replaces the resource: a new one is created and the old one deleted',
  'conditional-replacement': 'may replace the resource (Replacement: Conditional): it depends on the new values',
  'unstated-replacement': 'CloudFormation did not say whether this replaces the resource (no Replacement field), so it is judged as a possible replacement',
  removal: 'deletes the resource',
  'retained-removal': 'removed from the stack, kept in the account (PolicyAction: Retain)',
  dynamic: 'CloudFormation cannot determine this action before the update (Action: Dynamic): it may remove or replace the resource',
  'unknown-action': 'is an action this deployer does not know; it is not executed until a rule says it is safe',
};

/** Replacement kinds: the allowReplacement list applies to them. */
const REPLACEMENT_KINDS: ReadonlySet<ChangeKind> = new Set(['replacement', 'conditional-replacement', 'unstated-replacement']);
const SAFE_KINDS: ReadonlySet<ChangeKind> = new Set(['add', 'import', 'in-place-modify']);

/** A change with the path of nested stacks it sits in: `Parent/Child/` (as `allChanges` gives it) or `Parent/Child`. */
export interface PathedChange {
  path: string;
  change: Change;
}

/** The policy's lists compiled once per change set. */
interface CompiledPolicy {
  policy: SafetyPolicy;
  protect: CompiledPattern[];
  unprotect: CompiledPattern[];
  allowRemoval: CompiledPattern[];
  allowReplacement: CompiledPattern[];
}

function compile(policy: SafetyPolicy): CompiledPolicy {
  return {
    policy,
    protect: policy.protect.map(compilePattern),
    unprotect: policy.unprotect.map(compilePattern),
    allowRemoval: policy.allowRemoval.map(compilePattern),
    allowReplacement: policy.allowReplacement.map(compilePattern),
  };
}

function kindOf(change: ResourceChange): ChangeKind {
  switch (change.Action) {
    case 'Add':
      return 'add';
    case 'Import':
      return 'import';
    case 'Modify':
    case 'SyncWithActual': // drift-aware change sets: it modifies the same way, Replacement says how
      if (change.Replacement === 'False') return 'in-place-modify';
      if (change.Replacement === 'True') return 'replacement';
      if (change.Replacement === 'Conditional') return 'conditional-replacement';
      return 'unstated-replacement';
    case 'Remove':
      return change.PolicyAction === 'Retain' ? 'retained-removal' : 'removal';
    case 'Dynamic':
      return 'dynamic';
    default:
      return 'unknown-action';
  }
}

/** The recreation-forcing details, for the causes and the Dynamic wording. */
function recreationDetails(change: ResourceChange): ResourceChangeDetail[] {
  return (change.Details ?? []).filter(
    (detail) => detail.Target?.RequiresRecreation === 'Always' || detail.Target?.RequiresRecreation === 'Conditionally',
  );
}

function targetName(detail: ResourceChangeDetail): string {
  return [detail.Target?.Attribute, detail.Target?.Name].filter(Boolean).join('.');
}

/** The properties and attributes whose change forces (or may force) a replacement, e.g. `Properties.TableName (always replaces)`. */
export function replacementCauses(change: ResourceChange): string[] {
  const causes = recreationDetails(change).map((detail) => {
    const how = detail.Target?.RequiresRecreation === 'Always' ? 'always replaces' : 'may replace';
    const source = detail.ChangeSource ? `, ${detail.ChangeSource}${detail.CausingEntity ? ` ${detail.CausingEntity}` : ''}` : '';
    return `${targetName(detail)} (${how}${source})`;
  });
  return [...new Set(causes)];
}

/** What the change does, in words, with what PolicyAction and `Evaluation: Dynamic` add to it. */
function describeKind(kind: ChangeKind, change: ResourceChange): string {
  const base = kind === 'unknown-action' ? `${KIND_MESSAGES[kind]} (${change.Action ?? 'no Action'})` : KIND_MESSAGES[kind];
  if (REPLACEMENT_KINDS.has(kind)) {
    // A target CloudFormation also evaluated statically is known to change; only the purely Dynamic ones are uncertain.
    const details = recreationDetails(change);
    const staticTargets = new Set(details.filter((d) => d.Evaluation !== 'Dynamic').map(targetName));
    const dynamic = [...new Set(details.filter((d) => d.Evaluation === 'Dynamic').map(targetName))].filter((name) => !staticTargets.has(name));
    const dynamicNote = dynamic.length
      ? `; CloudFormation can only tell during the update whether ${dynamic.join(', ')} change${dynamic.length === 1 ? 's' : ''} (Evaluation: Dynamic, a value resolved then)`
      : '';
    const policyNote = REPLACEMENT_POLICY_NOTES[change.PolicyAction ?? ''] ?? '';
    if (kind === 'replacement' && policyNote) return `replaces the resource: a new one is created${policyNote}${dynamicNote}`;
    if (policyNote) return `${base}${dynamicNote}; if it does, a new one is created${policyNote}`;
    return `${base}${dynamicNote}${policyNote}`;
  }
  if (kind === 'removal' && change.PolicyAction === 'Snapshot') return `${base} after a final snapshot (PolicyAction: Snapshot)`;
  return base;
}

/** What a replacement's PolicyAction does with the old resource, where it is not simply deleted. */
const REPLACEMENT_POLICY_NOTES: Record<string, string> = {
  ReplaceAndRetain: ' and the old one kept in the account (ReplaceAndRetain), but the stack moves to the new, empty resource',
  ReplaceAndSnapshot: ' and the old one deleted after a snapshot (ReplaceAndSnapshot)',
};

interface Judgement {
  rule: PolicyRule;
  allowed: boolean;
  matched?: MatchedEntry;
  /** Why, appended to what the change does. */
  because?: string;
}

const fromList = (source: MatchedEntry['source'], pattern: CompiledPattern): MatchedEntry => ({ source, entry: pattern.entry, builtIn: false });

function allowListFor(kind: ChangeKind): 'allowRemoval' | 'allowReplacement' {
  return REPLACEMENT_KINDS.has(kind) ? 'allowReplacement' : 'allowRemoval';
}

/** Rules 3 to 8 for a change that removes or (possibly) replaces its resource. */
function judgeRisky(kind: ChangeKind, resource: { id: string; type: string }, compiled: CompiledPolicy): Judgement {
  const { policy } = compiled;
  const protectedBy = firstMatch(compiled.protect, resource);
  if (protectedBy) {
    return {
      rule: 'protect',
      allowed: false,
      matched: fromList('safetyPolicy.protect', protectedBy),
      because: `blocked: protected by safetyPolicy.protect "${protectedBy.entry}", which beats every allowance`,
    };
  }
  if (kind === 'retained-removal' && policy.retainedRemovals === 'allow') {
    return {
      rule: 'retained-removal',
      allowed: true,
      matched: { source: 'safetyPolicy.retainedRemovals', entry: 'allow', builtIn: false },
      because: 'allowed: nothing is deleted (safetyPolicy.retainedRemovals is "allow", the default)',
    };
  }
  const builtIn = builtInProtection(resource.type);
  const unprotectedBy = builtIn ? firstMatch(compiled.unprotect, resource) : undefined;
  if (builtIn && !unprotectedBy) {
    return {
      rule: 'built-in-protection',
      allowed: false,
      matched: { source: 'built-in protected types', entry: builtIn.type, builtIn: true, reason: builtIn.reason },
      because: `blocked: ${builtIn.type} is a built-in protected type (${builtIn.reason}); to allow it, list the resource or the type in safetyPolicy.unprotect and ${allowListFor(kind)}`,
    };
  }
  const harmless = policy.builtInAllowances ? builtInHarmlessReplacement(resource.type) : undefined;
  if (harmless) {
    return {
      rule: 'built-in-allowance',
      allowed: true,
      matched: { source: 'built-in harmless replacements', entry: harmless.type, builtIn: true, reason: harmless.reason },
      because: `allowed: a built-in harmless replacement (${harmless.reason})`,
    };
  }
  const list = allowListFor(kind);
  const allowedBy = firstMatch(compiled[list], resource);
  const lifted = unprotectedBy ? ` (its built-in protection lifted by safetyPolicy.unprotect "${unprotectedBy.entry}")` : '';
  if (allowedBy) {
    return {
      rule: 'allow-list',
      allowed: true,
      matched: { ...fromList(`safetyPolicy.${list}`, allowedBy), ...(unprotectedBy ? { unprotectedBy: unprotectedBy.entry } : {}) },
      because: `allowed by safetyPolicy.${list} "${allowedBy.entry}"${lifted}`,
    };
  }
  return { rule: 'not-allowed', allowed: false, because: `blocked: not listed in safetyPolicy.${list}${lifted}` };
}

function judge(kind: ChangeKind, resource: { id: string; type: string }, compiled: CompiledPolicy): Judgement {
  if (SAFE_KINDS.has(kind)) return { rule: 'safe-change', allowed: true };
  if (kind === 'unknown-action') return { rule: 'unknown-action', allowed: false };
  if (kind === 'dynamic') {
    const protectedBy = firstMatch(compiled.protect, resource);
    return protectedBy
      ? { rule: 'protect', allowed: false, matched: fromList('safetyPolicy.protect', protectedBy), because: `blocked: protected by safetyPolicy.protect "${protectedBy.entry}"` }
      : { rule: 'not-allowed', allowed: false, because: 'blocked: no policy entry allows a change whose action CloudFormation cannot state' };
  }
  return judgeRisky(kind, resource, compiled);
}

/** `Parent/Child/` or `Parent/Child` → `Parent/Child`. */
function normalisePath(path: string): string {
  return path.replace(/\/+$/, '');
}

function decideOne({ path, change }: PathedChange, compiled: CompiledPolicy): ChangeDecision {
  // A change with no ResourceChange is a kind this deployer does not know: its Type stands in for the action.
  const resource: ResourceChange = change.ResourceChange ?? { Action: (change.Type ?? '(none)') as ResourceChange['Action'] };
  const nestedPath = normalisePath(path);
  const logicalResourceId = resource.LogicalResourceId ?? '(unknown)';
  const resourceType = resource.ResourceType ?? '(unknown type)';
  const kind = kindOf(resource);
  const judgement = judge(kind, { id: nestedPath ? `${nestedPath}/${logicalResourceId}` : logicalResourceId, type: resourceType }, compiled);
  const what = describeKind(kind, resource);
  return {
    nestedPath,
    logicalResourceId,
    ...(resource.PhysicalResourceId ? { physicalResourceId: resource.PhysicalResourceId } : {}),
    resourceType,
    action: resource.Action ?? '(no action)',
    ...(resource.Replacement ? { replacement: resource.Replacement } : {}),
    ...(resource.PolicyAction ? { policyAction: resource.PolicyAction } : {}),
    causes: replacementCauses(resource),
    kind,
    rule: judgement.rule,
    ...(judgement.matched ? { matched: judgement.matched } : {}),
    verdict: judgement.allowed ? 'ALLOWED' : 'BLOCKED',
    explanation: judgement.because ? `${what}; ${judgement.because}` : what,
  };
}

function countOf(decisions: readonly ChangeDecision[]): DecisionCounts {
  const count = (test: (decision: ChangeDecision) => boolean) => decisions.filter(test).length;
  return {
    changes: decisions.length,
    adds: count((d) => d.kind === 'add' || d.kind === 'import'),
    inPlaceModifications: count((d) => d.kind === 'in-place-modify'),
    replacements: count((d) => REPLACEMENT_KINDS.has(d.kind)),
    removals: count((d) => d.kind === 'removal' || d.kind === 'retained-removal'),
    undetermined: count((d) => d.kind === 'dynamic' || d.kind === 'unknown-action'),
    blocked: count((d) => d.verdict === 'BLOCKED'),
  };
}

/**
 * Judges every change of a change set against a safety policy and returns the whole decision
 * record: each change with its verdict, the rule and the policy entry that decided it, and exact
 * counts. Pure (no AWS call), so an offline prediction can be judged by the same code as a real
 * change set.
 *
 * @param changes DescribeChangeSet `Change` objects, each with the path of nested stacks it sits in
 *   (`''` for the stack's own resources, `Network/` or `Network` for a nested stack's).
 * @param policy  the input document's `safetyPolicy` as validated (missing fields take their defaults).
 */
export function judgeChanges(changes: readonly PathedChange[], policy: Partial<SafetyPolicy> | undefined): DecisionRecord {
  const compiled = compile(withPolicyDefaults(policy));
  const decisions = changes.map((change) => decideOne(change, compiled));
  const counts = countOf(decisions);
  return {
    verdict: counts.blocked === 0 ? 'SAFE' : 'BLOCKED',
    counts,
    changes: [...decisions.filter((d) => d.verdict === 'BLOCKED'), ...decisions.filter((d) => d.verdict !== 'BLOCKED')],
    omitted: 0,
  };
}

/** One change judged on its own, at the stack's top level unless a path is given. */
export function judgeChange(change: ResourceChange, policy: Partial<SafetyPolicy> | undefined, path = ''): ChangeDecision {
  return judgeChanges([{ path, change: { Type: 'Resource', ResourceChange: change } }], policy).changes[0];
}

/** `Network/Subnet` for a nested resource, `Subnet` for the stack's own. */
export function fullLogicalId(decision: Pick<ChangeDecision, 'nestedPath' | 'logicalResourceId'>): string {
  return decision.nestedPath ? `${decision.nestedPath}/${decision.logicalResourceId}` : decision.logicalResourceId;
}
