import type { PolicyAction, ResourceAttribute, ResourceChange, ResourceChangeDetail } from '@aws-sdk/client-cloudformation';
import { deepEqual } from '@aws-cdk/cloudformation-diff';
import type { CloudFormationTemplate } from '../../functions/shared/template';
// The sandbox's evaluator of intrinsic functions: parameters, mappings, conditions and pseudo
// parameters resolved, references between resources left as written. Offline, that is all there is to know.
import { materialize, resolveContext } from '../sandbox/cloudformation/intrinsics';
import { SANDBOX_ACCOUNT, SANDBOX_REGION } from '../sandbox/constants';
import { referencedNames, type Template, type TemplateResource } from '../sandbox/cloudformation/template';
import { propertyRecreation, strongest, type Recreation } from './resource-schemas';

/**
 * The change set CloudFormation would compute for a stack deployed from one template and updated
 * with another, predicted offline, in the DescribeChangeSet shape the deployer's policy judges.
 */
export interface TemplateWithParameters {
  template: CloudFormationTemplate;
  parameters: Record<string, string>;
}

export interface PredictionInput {
  deployed: TemplateWithParameters;
  proposed: TemplateWithParameters;
  /** The stack's name, for `AWS::StackName`; the same on both sides, so it changes nothing but the wording. */
  stackName?: string;
}

export interface PredictedChange {
  change: ResourceChange;
  /** What the prediction could not know, in plain words (e.g. a type the schemas do not describe). */
  notes: string[];
}

export interface Prediction {
  changes: PredictedChange[];
  /** Resources whose Type changed: CloudFormation refuses such a change set. */
  typeChanges: Array<{ logicalId: string; from: string; to: string }>;
  /** The outputs or a parameter value change: a change set with no resource changes is still created and executed. */
  stackLevelChanges: boolean;
  notes: string[];
}

/** Resource attributes that a change set reports as their own Target.Attribute (never replacing). */
const REPORTED_ATTRIBUTES = ['Metadata', 'UpdatePolicy', 'CreationPolicy'] as const;

const PLACEHOLDER_STACK_NAME = 'planned-stack';

type Reference = { source: 'ResourceReference' | 'ResourceAttribute' | 'ParameterReference'; entity: string };

/** Parameters of these types hold a Systems Manager parameter's name; CloudFormation reads its value at every deployment. */
const SSM_PARAMETER_TYPE = /^AWS::SSM::Parameter::Value</;

function isIntrinsic(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

/** Whether a materialized value still holds an intrinsic function: its value is only known at deploy time. */
function unresolved(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(unresolved);
  if (!value || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return isIntrinsic(record) || Object.values(record).some(unresolved);
}

/**
 * The references in a value whose value may differ at deploy time: to resources that are (or may be)
 * replaced (their `Ref` or attributes will change), and to parameters read from SSM Parameter Store.
 */
function deployTimeReferences(value: unknown, replaced: ReadonlySet<string>, ssmParameters: ReadonlySet<string>): Reference[] {
  const found: Reference[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, inner] of Object.entries(node)) {
      if (key === 'Ref' && typeof inner === 'string') {
        if (replaced.has(inner)) found.push({ source: 'ResourceReference', entity: inner });
        if (ssmParameters.has(inner)) found.push({ source: 'ParameterReference', entity: inner });
      } else if (key === 'Fn::GetAtt') {
        const [target, ...attribute] = Array.isArray(inner) ? inner.map(String) : String(inner).split('.');
        if (replaced.has(target)) found.push({ source: 'ResourceAttribute', entity: [target, ...attribute].join('.') });
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        if (typeof text === 'string') {
          for (const match of text.matchAll(/\$\{([^!}.]+)(?:\.([^}]*))?\}/g)) {
            if (!match[2] && ssmParameters.has(match[1])) found.push({ source: 'ParameterReference', entity: match[1] });
            if (!replaced.has(match[1])) continue;
            found.push(match[2] ? { source: 'ResourceAttribute', entity: `${match[1]}.${match[2]}` } : { source: 'ResourceReference', entity: match[1] });
          }
        }
        if (Array.isArray(inner)) visit(inner[1]);
      } else visit(inner);
    }
  };
  visit(value);
  return found;
}

function target(property: string, recreation: Recreation): ResourceChangeDetail['Target'] {
  // CloudFormation reports the Tags property as its own attribute, without a name.
  return property === 'Tags' ? { Attribute: 'Tags', RequiresRecreation: recreation } : { Attribute: 'Properties', Name: property, RequiresRecreation: recreation };
}

function removalPolicy(deletionPolicy: unknown): 'Delete' | 'Retain' | 'Snapshot' {
  if (deletionPolicy === 'Retain' || deletionPolicy === 'RetainExceptOnCreate') return 'Retain';
  if (deletionPolicy === 'Snapshot') return 'Snapshot';
  return 'Delete';
}

interface Side {
  raw: CloudFormationTemplate;
  resources: Template['Resources'];
  parameters: Record<string, string>;
  /** Parameters whose value CloudFormation reads from SSM Parameter Store when it deploys: unknown here. */
  ssmParameters: Set<string>;
}

function evaluate(side: TemplateWithParameters, stackName: string): Side {
  const template = side.template as unknown as Template;
  const declared = template.Parameters ?? {};
  const ssmParameters = new Set(Object.keys(declared).filter((key) => SSM_PARAMETER_TYPE.test(String(declared[key]?.Type))));
  // An SSM parameter's value is left out, so its references stay as written and read as unknown.
  const known = Object.fromEntries(Object.entries(side.parameters).filter(([key]) => !ssmParameters.has(key)));
  const context = resolveContext(template, { stackName, stackId: `arn:aws:cloudformation:::stack/${stackName}/planned`, parameters: known });
  return { raw: side.template, resources: materialize(template, context).Resources, parameters: side.parameters, ssmParameters };
}

interface Modification {
  details: ResourceChangeDetail[];
  notes: string[];
}

/** The details of one modified resource, each property judged by its schema and by what is known offline. */
function modification(
  logicalId: string,
  type: string,
  before: TemplateResource,
  after: TemplateResource,
  sides: { deployed: Side; proposed: Side },
  changedParameters: ReadonlySet<string>,
  replaced: ReadonlySet<string>,
): Modification {
  const details: ResourceChangeDetail[] = [];
  const notes = new Set<string>();
  const beforeProperties = before.Properties ?? {};
  const afterProperties = after.Properties ?? {};
  const rawBefore = sides.deployed.raw.Resources[logicalId]?.Properties ?? {};
  const rawAfter = sides.proposed.raw.Resources[logicalId]?.Properties ?? {};
  const names = [...new Set([...Object.keys(beforeProperties), ...Object.keys(afterProperties)])].sort();
  for (const name of names) {
    const references = deployTimeReferences(afterProperties[name], replaced, sides.proposed.ssmParameters);
    const changed = !deepEqual(beforeProperties[name], afterProperties[name]);
    if (!changed && references.length === 0) continue;
    const rule = propertyRecreation(type, name, beforeProperties[name], afterProperties[name]);
    // A value that depends on an intrinsic CloudFormation evaluates at deploy time (a replaced
    // resource's new id, an import, an attribute, an SSM parameter) is not known here: it may or may not change.
    const known = references.length === 0 && !unresolved(beforeProperties[name]) && !unresolved(afterProperties[name]);
    const recreation: Recreation = !known && rule.recreation === 'Always' ? 'Conditionally' : rule.recreation;
    if (rule.basis === 'unknown-type') notes.add(`${type} is not in the CloudFormation resource schemas this tool reads: any modification may replace it`);
    if (rule.basis === 'unknown-property') notes.add(`${name} is not a property of ${type} in its schema: its change may replace the resource`);
    if (!known && rule.recreation === 'Always') notes.add(`${name} replaces the resource if its value changes, and its new value is only known at deploy time`);
    for (const reference of references.filter((found) => found.source === 'ParameterReference')) {
      notes.add(`${name} takes the value of SSM parameter ${reference.entity} at deploy time: it changes if that value changed since the last deployment`);
    }
    const evaluation = known ? 'Static' : 'Dynamic';
    const editedDirectly = !deepEqual(rawBefore[name], rawAfter[name]);
    const parameters = [...referencedNames(rawAfter[name])].filter((parameter) => changedParameters.has(parameter) && !sides.proposed.ssmParameters.has(parameter));
    if (editedDirectly || (parameters.length === 0 && references.length === 0)) {
      details.push({ Target: target(name, recreation), Evaluation: evaluation, ChangeSource: 'DirectModification' });
    }
    if (!editedDirectly && parameters.length > 0) {
      details.push({ Target: target(name, recreation), Evaluation: 'Dynamic', ChangeSource: 'DirectModification' });
      for (const parameter of parameters) {
        details.push({ Target: target(name, recreation), Evaluation: 'Static', ChangeSource: 'ParameterReference', CausingEntity: parameter });
      }
    }
    for (const reference of editedDirectly ? [] : references) {
      details.push({ Target: target(name, recreation), Evaluation: 'Dynamic', ChangeSource: reference.source, CausingEntity: reference.entity });
    }
  }
  for (const attribute of REPORTED_ATTRIBUTES) {
    if (deepEqual(before[attribute], after[attribute])) continue;
    details.push({ Target: { Attribute: attribute as ResourceAttribute, RequiresRecreation: 'Never' }, Evaluation: 'Static', ChangeSource: 'DirectModification' });
  }
  return { details, notes: [...notes] };
}

function replacementOf(details: ResourceChangeDetail[]): 'True' | 'Conditional' | 'False' {
  const recreation = strongest(details.map((detail) => (detail.Target?.RequiresRecreation ?? 'Never') as Recreation));
  return recreation === 'Always' ? 'True' : recreation === 'Conditionally' ? 'Conditional' : 'False';
}

function modifyChange(logicalId: string, type: string, after: TemplateResource, found: Modification): PredictedChange {
  const replacement = replacementOf(found.details);
  const policyAction: PolicyAction | undefined = replacement === 'False' ? undefined : `ReplaceAnd${removalPolicy(after.UpdateReplacePolicy)}`;
  return {
    change: {
      Action: 'Modify',
      LogicalResourceId: logicalId,
      ResourceType: type,
      Replacement: replacement,
      ...(policyAction ? { PolicyAction: policyAction } : {}),
      Scope: [...new Set(found.details.map((detail) => detail.Target?.Attribute ?? 'Properties'))],
      Details: found.details,
    },
    notes: found.notes,
  };
}

/**
 * Predicts the change set. A replaced resource changes the `Ref` and attributes of every resource
 * that names it, so the resources that refer to it are judged again until no new replacement appears.
 */
export function predictChangeSet(input: PredictionInput): Prediction {
  const stackName = input.stackName ?? PLACEHOLDER_STACK_NAME;
  const deployed = evaluate(input.deployed, stackName);
  const proposed = evaluate(input.proposed, stackName);
  const allKeys = new Set([...Object.keys(deployed.parameters), ...Object.keys(proposed.parameters)]);
  const changedParameters = new Set([...allKeys].filter((key) => deployed.parameters[key] !== proposed.parameters[key]));
  const kept = Object.keys(proposed.resources).filter((id) => id in deployed.resources && deployed.resources[id].Type === proposed.resources[id].Type);

  const modificationsGiven = (replaced: ReadonlySet<string>) =>
    new Map(kept.map((id) => [id, modification(id, proposed.resources[id].Type, deployed.resources[id], proposed.resources[id], { deployed, proposed }, changedParameters, replaced)]));
  let replaced = new Set<string>();
  let modifications = modificationsGiven(replaced);
  for (;;) {
    const now = [...modifications].filter(([, found]) => replacementOf(found.details) !== 'False').map(([id]) => id);
    if (now.every((id) => replaced.has(id))) break;
    replaced = new Set([...replaced, ...now]);
    modifications = modificationsGiven(replaced);
  }

  const changes: PredictedChange[] = [];
  const typeChanges: Prediction['typeChanges'] = [];
  for (const [logicalId, resource] of Object.entries(proposed.resources)) {
    const old = deployed.resources[logicalId];
    if (!old) {
      changes.push({ change: { Action: 'Add', LogicalResourceId: logicalId, ResourceType: resource.Type, Scope: [], Details: [] }, notes: [] });
    } else if (old.Type !== resource.Type) {
      typeChanges.push({ logicalId, from: old.Type, to: resource.Type });
    } else {
      const found = modifications.get(logicalId);
      if (found && found.details.length) changes.push(modifyChange(logicalId, resource.Type, resource, found));
    }
  }
  for (const [logicalId, resource] of Object.entries(deployed.resources)) {
    if (logicalId in proposed.resources) continue;
    changes.push({
      change: {
        Action: 'Remove',
        LogicalResourceId: logicalId,
        ResourceType: resource.Type,
        PolicyAction: removalPolicy(resource.DeletionPolicy),
        Scope: [],
        Details: [],
      },
      notes: [],
    });
  }
  const stackLevelChanges = changedParameters.size > 0 || !deepEqual(input.deployed.template.Outputs ?? {}, input.proposed.template.Outputs ?? {});
  return { changes, typeChanges, stackLevelChanges, notes: templateNotes(input, proposed) };
}

/** What makes the whole prediction less certain, said once. */
function templateNotes(input: PredictionInput, proposed: Side): string[] {
  const notes: string[] = [];
  const transforms = [input.deployed.template.Transform, input.proposed.template.Transform].filter((transform) => transform !== undefined);
  if (transforms.length) {
    notes.push('The template declares a Transform (e.g. SAM or a macro): CloudFormation computes the change set from the processed template, which this offline prediction cannot see.');
  }
  const nested = Object.entries(proposed.resources).filter(([, resource]) => resource.Type === 'AWS::CloudFormation::Stack');
  if (nested.length) {
    notes.push(`Nested stack(s) ${nested.map(([id]) => id).join(', ')}: the changes inside them are not predicted; the real change set (IncludeNestedStacks) lists them.`);
  }
  const regional = /"Ref":"AWS::(Region|AccountId|Partition|URLSuffix)"|\$\{AWS::(Region|AccountId|Partition|URLSuffix)\}|"Fn::GetAZs"/;
  const mappingsChanged = !deepEqual(input.deployed.template.Mappings ?? {}, input.proposed.template.Mappings ?? {});
  if (mappingsChanged && regional.test(JSON.stringify(input.proposed.template.Resources))) {
    notes.push(
      `The Mappings change, and the resources use the region or account: offline, those are ${SANDBOX_REGION} and ${SANDBOX_ACCOUNT}, so a mapping entry of another region or account may change what this prediction shows.`,
    );
  }
  return notes;
}
