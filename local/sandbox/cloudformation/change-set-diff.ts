import { fullDiff, ResourceImpact, type ResourceDifference } from '@aws-cdk/cloudformation-diff';
import type { Change, PolicyAction, ResourceAttribute, ResourceChangeDetail, ResourceTargetDefinition } from '@aws-sdk/client-cloudformation';
import { isDeepStrictEqual } from 'util';
import type { SandboxResource } from './model';
import { referencedNames, type Template } from './template';

/**
 * The changes of a change set, computed from the deployed template and the new one the way
 * CloudFormation plans them. Which property changes replace a resource comes from
 * `@aws-cdk/cloudformation-diff`, which reads the CloudFormation resource specification
 * (`causesReplacement`: yes → Always, maybe → Conditionally), not from rules written here.
 *
 * Both templates are materialized first (parameters, conditions and mappings resolved), so a new
 * parameter value shows up on the properties that use it, with a `ParameterReference` detail.
 * A resource that refers to a replaced resource changes too (its `Ref` or attribute will change),
 * with a `ResourceReference` or `ResourceAttribute` detail, as in real change sets.
 */
export interface ChangePlanInput {
  /** The deployed template, materialized; undefined for a stack that has none (a CREATE change set). */
  before?: Template;
  after: Template;
  /** The templates as written, to tell a direct edit from a change that comes through a parameter. */
  rawBefore?: Template;
  rawAfter: Template;
  changedParameters: ReadonlySet<string>;
  deployed: ReadonlyMap<string, SandboxResource>;
}

export interface ChangePlan {
  changes: Change[];
  /** Resources whose Type changed: CloudFormation refuses such a change set. */
  typeChanges: string[];
}

type RequiresRecreation = 'Always' | 'Conditionally' | 'Never';

/** Resource attributes that a change set reports as their own Target.Attribute. */
const REPORTED_ATTRIBUTES = new Set(['Metadata', 'UpdatePolicy', 'CreationPolicy']);

const REPLACED_MARK = ' (replaced)';

function requiresRecreation(impact: ResourceImpact | undefined): RequiresRecreation {
  if (impact === ResourceImpact.WILL_REPLACE) return 'Always';
  if (impact === ResourceImpact.MAY_REPLACE) return 'Conditionally';
  return 'Never';
}

function target(property: string, recreation: RequiresRecreation): ResourceTargetDefinition {
  // CloudFormation reports the Tags property as its own attribute, without a name.
  return property === 'Tags'
    ? { Attribute: 'Tags', RequiresRecreation: recreation }
    : { Attribute: 'Properties', Name: property, RequiresRecreation: recreation };
}

/** Rewrites references to `replaced` resources so that the diff sees the values that will change. */
function markReferences(value: unknown, replaced: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => markReferences(item, replaced));
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [key, argument] = entries[0];
    if (key === 'Ref' && typeof argument === 'string' && replaced.has(argument)) return { Ref: argument + REPLACED_MARK };
    if (key === 'Fn::GetAtt' && Array.isArray(argument) && replaced.has(String(argument[0]))) {
      return { 'Fn::GetAtt': [String(argument[0]) + REPLACED_MARK, ...argument.slice(1)] };
    }
    if (key === 'Fn::Sub') {
      const [text, variables] = Array.isArray(argument) ? argument : [argument, undefined];
      if (typeof text === 'string') {
        const marked = text.replace(/\$\{([^!}.]+)(\.[^}]*)?\}/g, (whole, name: string, attribute: string | undefined) =>
          replaced.has(name) ? `\${${name}${REPLACED_MARK}${attribute ?? ''}}` : whole,
        );
        return { 'Fn::Sub': variables === undefined ? marked : [marked, markReferences(variables, replaced)] };
      }
    }
  }
  return Object.fromEntries(entries.map(([key, inner]) => [key, markReferences(inner, replaced)]));
}

/** How each referenced resource is used in a value: `Ref X` / `${X}`, or `X.Attr`. */
function referenceCauses(value: unknown, replaced: ReadonlySet<string>): Array<{ source: 'ResourceReference' | 'ResourceAttribute'; entity: string }> {
  const causes: Array<{ source: 'ResourceReference' | 'ResourceAttribute'; entity: string }> = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, inner] of Object.entries(node)) {
      if (key === 'Ref' && typeof inner === 'string' && replaced.has(inner)) causes.push({ source: 'ResourceReference', entity: inner });
      else if (key === 'Fn::GetAtt' && Array.isArray(inner) && replaced.has(String(inner[0]))) {
        causes.push({ source: 'ResourceAttribute', entity: inner.join('.') });
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        if (typeof text === 'string') {
          for (const match of text.matchAll(/\$\{([^!}.]+)(?:\.([^}]*))?\}/g)) {
            if (!replaced.has(match[1])) continue;
            causes.push(match[2] ? { source: 'ResourceAttribute', entity: `${match[1]}.${match[2]}` } : { source: 'ResourceReference', entity: match[1] });
          }
        }
        if (Array.isArray(inner)) visit(inner[1]);
      } else visit(inner);
    }
  };
  visit(value);
  return causes;
}

function isReplacement(difference: ResourceDifference): boolean {
  return difference.changeImpact === ResourceImpact.WILL_REPLACE || difference.changeImpact === ResourceImpact.MAY_REPLACE;
}

/**
 * Diffs the templates, marking references to replaced resources until no new replacement appears
 * (a replacement can force the replacement of a resource that names it in a replace-only property).
 */
function diffWithReferences(before: Template, after: Template): { diff: ReturnType<typeof fullDiff>; replaced: Set<string> } {
  let replaced = new Set<string>();
  for (;;) {
    const marked = { ...after, Resources: markReferences(after.Resources, replaced) as Template['Resources'] };
    const diff = fullDiff(before, marked);
    const now = new Set<string>();
    diff.resources.forEachDifference((logicalId, difference) => {
      if (difference.isUpdate && isReplacement(difference)) now.add(logicalId);
    });
    if ([...now].every((id) => replaced.has(id))) return { diff, replaced: now };
    replaced = new Set([...replaced, ...now]);
  }
}

function modifyDetails(
  logicalId: string,
  difference: ResourceDifference,
  input: ChangePlanInput,
  replaced: ReadonlySet<string>,
): ResourceChangeDetail[] {
  const details: ResourceChangeDetail[] = [];
  const rawBefore = input.rawBefore?.Resources[logicalId]?.Properties ?? {};
  const rawAfter = input.rawAfter.Resources[logicalId]?.Properties ?? {};
  for (const [property, propertyDifference] of Object.entries(difference.propertyUpdates).sort(([a], [b]) => a.localeCompare(b))) {
    const recreation = requiresRecreation(propertyDifference.changeImpact);
    const written = rawAfter[property];
    const editedDirectly = !isDeepStrictEqual(rawBefore[property], written);
    const parameters = [...referencedNames(written)].filter((name) => input.changedParameters.has(name));
    const references = referenceCauses(written, replaced);
    if (editedDirectly || (parameters.length === 0 && references.length === 0)) {
      details.push({ Target: target(property, recreation), Evaluation: 'Static', ChangeSource: 'DirectModification' });
    }
    if (!editedDirectly && parameters.length > 0) {
      details.push({ Target: target(property, recreation), Evaluation: 'Dynamic', ChangeSource: 'DirectModification' });
    }
    for (const parameter of editedDirectly ? [] : parameters) {
      details.push({ Target: target(property, recreation), Evaluation: 'Static', ChangeSource: 'ParameterReference', CausingEntity: parameter });
    }
    for (const reference of editedDirectly ? [] : references) {
      details.push({ Target: target(property, recreation), Evaluation: 'Static', ChangeSource: reference.source, CausingEntity: reference.entity });
    }
  }
  for (const attribute of Object.keys(difference.otherChanges).sort()) {
    if (!REPORTED_ATTRIBUTES.has(attribute)) continue;
    details.push({ Target: { Attribute: attribute as ResourceAttribute, RequiresRecreation: 'Never' }, Evaluation: 'Static', ChangeSource: 'DirectModification' });
  }
  return details;
}

function replacementOf(details: ResourceChangeDetail[]): 'True' | 'Conditional' | 'False' {
  const recreations = details.map((detail) => detail.Target?.RequiresRecreation);
  if (recreations.includes('Always')) return 'True';
  if (recreations.includes('Conditionally')) return 'Conditional';
  return 'False';
}

function removalPolicy(deletionPolicy: string | undefined): 'Delete' | 'Retain' | 'Snapshot' {
  if (deletionPolicy === 'Retain' || deletionPolicy === 'RetainExceptOnCreate') return 'Retain';
  if (deletionPolicy === 'Snapshot') return 'Snapshot';
  return 'Delete';
}

function replacementPolicy(updateReplacePolicy: string | undefined): PolicyAction {
  return `ReplaceAnd${removalPolicy(updateReplacePolicy)}`;
}

export function planChanges(input: ChangePlanInput): ChangePlan {
  const before: Template = input.before ?? { Resources: {} };
  const { diff, replaced } = diffWithReferences(before, input.after);
  const changes: Change[] = [];
  const typeChanges: string[] = [];
  const order = [
    ...Object.keys(input.after.Resources),
    ...Object.keys(before.Resources).filter((logicalId) => !(logicalId in input.after.Resources)),
  ];
  for (const logicalId of order) {
    if (!diff.resources.has(logicalId)) continue;
    const difference = diff.resources.get(logicalId);
    const deployed = input.deployed.get(logicalId);
    if (difference.isAddition) {
      changes.push({
        Type: 'Resource',
        ResourceChange: { Action: 'Add', LogicalResourceId: logicalId, ResourceType: difference.newResourceType, Scope: [], Details: [] },
      });
    } else if (difference.isRemoval) {
      changes.push({
        Type: 'Resource',
        ResourceChange: {
          Action: 'Remove',
          LogicalResourceId: logicalId,
          PhysicalResourceId: deployed?.physicalId,
          ResourceType: difference.oldResourceType,
          PolicyAction: removalPolicy(before.Resources[logicalId]?.DeletionPolicy),
          Scope: [],
          Details: [],
        },
      });
    } else if (difference.resourceTypeChanged) {
      typeChanges.push(logicalId);
    } else if (difference.isDifferent) {
      const details = modifyDetails(logicalId, difference, input, replaced);
      if (details.length === 0) continue;
      const replacement = replacementOf(details);
      changes.push({
        Type: 'Resource',
        ResourceChange: {
          Action: 'Modify',
          LogicalResourceId: logicalId,
          PhysicalResourceId: deployed?.physicalId,
          ResourceType: difference.resourceType,
          Replacement: replacement,
          ...(replacement === 'False' ? {} : { PolicyAction: replacementPolicy(input.after.Resources[logicalId]?.UpdateReplacePolicy) }),
          Scope: [...new Set(details.map((detail) => detail.Target?.Attribute ?? 'Properties'))],
          Details: details,
        },
      });
    }
  }
  return { changes, typeChanges };
}
