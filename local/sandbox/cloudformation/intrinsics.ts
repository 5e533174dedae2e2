import { isDeepStrictEqual } from 'util';
import { raise } from '../aws-errors';
import { SANDBOX_ACCOUNT, SANDBOX_PARTITION, SANDBOX_REGION } from '../constants';
import { validationError } from './errors';
import type { Template, TemplateResource } from './template';

/**
 * Enough of CloudFormation's intrinsic functions to do what the sandbox needs: resolve parameters,
 * pseudo parameters, mappings and conditions (so a change to a parameter's value shows up as a
 * change to the properties that use it, as in a real change set), and evaluate stack outputs once
 * the resources have physical ids. What cannot be resolved is left as it is, never guessed.
 */
export interface Parameter {
  ParameterKey?: string;
  ParameterValue?: string;
  UsePreviousValue?: boolean;
}

/** A deployed resource, as `Ref` and `Fn::GetAtt` see it. */
export interface ResolvedResource {
  ref: string;
  attribute: (name: string) => string;
}

export interface ResolveContext {
  stackName: string;
  stackId: string;
  parameters: Record<string, string>;
  parameterTypes: Record<string, string>;
  mappings: Template['Mappings'];
  conditions: Record<string, boolean>;
  /** Deployed resources, when evaluating outputs; absent while computing a change set. */
  resources?: (logicalId: string) => ResolvedResource | undefined;
  /** Values exported by other stacks (`Fn::ImportValue`). */
  imports?: (exportName: string) => string | undefined;
}

/** Marks an `AWS::NoValue`: the property or list element disappears. */
const NO_VALUE = Symbol('AWS::NoValue');

const AVAILABILITY_ZONES = ['a', 'b', 'c'].map((zone) => `${SANDBOX_REGION}${zone}`);

function pseudoParameter(name: string, context: ResolveContext): unknown {
  switch (name) {
    case 'AWS::StackName':
      return context.stackName;
    case 'AWS::StackId':
      return context.stackId;
    case 'AWS::Region':
      return SANDBOX_REGION;
    case 'AWS::AccountId':
      return SANDBOX_ACCOUNT;
    case 'AWS::Partition':
      return SANDBOX_PARTITION;
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::NotificationARNs':
      return [];
    case 'AWS::NoValue':
      return NO_VALUE;
    default:
      return undefined;
  }
}

function isListType(type: string | undefined): boolean {
  return type !== undefined && (type.startsWith('List<') || type === 'CommaDelimitedList');
}

function resolveRef(name: string, context: ResolveContext): unknown {
  if (name.startsWith('AWS::')) return pseudoParameter(name, context);
  if (name in context.parameters) {
    const value = context.parameters[name];
    return isListType(context.parameterTypes[name]) ? value.split(',').map((item) => item.trim()) : value;
  }
  return context.resources?.(name)?.ref;
}

function resolveSub(text: string, variables: Record<string, unknown>, context: ResolveContext): string | undefined {
  let complete = true;
  const replaced = text.replace(/\$\{([^}]*)\}/g, (whole, expression: string) => {
    if (expression.startsWith('!')) return whole;
    if (expression in variables) {
      const value = variables[expression];
      if (typeof value === 'string') return value;
      complete = false;
      return whole;
    }
    const [name, attribute] = expression.split(/\.(.*)/s);
    const value = attribute ? context.resources?.(name)?.attribute(attribute) : resolveRef(name, context);
    if (typeof value === 'string') return value;
    complete = false;
    return whole;
  });
  return complete ? replaced.replace(/\$\{!/g, '${') : undefined;
}

/** Evaluates what it can of a value; anything it cannot resolve stays as it was written. */
function partial(value: unknown, context: ResolveContext): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => partial(item, context)).filter((item) => item !== NO_VALUE);
  }
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [key, argument] = entries[0];
    const evaluated = intrinsic(key, argument, context);
    if (evaluated !== undefined) return evaluated;
    if (key === 'Ref' || key.startsWith('Fn::')) return { [key]: key === 'Ref' ? argument : partial(argument, context) };
  }
  const result: Record<string, unknown> = {};
  for (const [key, inner] of entries) {
    const evaluated = partial(inner, context);
    if (evaluated !== NO_VALUE) result[key] = evaluated;
  }
  return result;
}

function allStrings(values: unknown[]): values is string[] {
  return values.every((item) => typeof item === 'string');
}

/** One intrinsic function, or `undefined` when it cannot be resolved (yet). */
function intrinsic(name: string, argument: unknown, context: ResolveContext): unknown {
  switch (name) {
    case 'Ref':
      return typeof argument === 'string' ? resolveRef(argument, context) : undefined;
    case 'Fn::If': {
      if (!Array.isArray(argument) || argument.length !== 3 || typeof argument[0] !== 'string') return undefined;
      const holds = context.conditions[argument[0]];
      if (holds === undefined) return undefined;
      return partial(holds ? argument[1] : argument[2], context);
    }
    case 'Fn::Sub': {
      const [text, rawVariables] = Array.isArray(argument) ? argument : [argument, {}];
      if (typeof text !== 'string') return undefined;
      const variables = partial(rawVariables ?? {}, context) as Record<string, unknown>;
      return resolveSub(text, variables, context);
    }
    case 'Fn::Join': {
      if (!Array.isArray(argument) || typeof argument[0] !== 'string') return undefined;
      const items = partial(argument[1], context);
      return Array.isArray(items) && allStrings(items) ? items.join(argument[0]) : undefined;
    }
    case 'Fn::Select': {
      if (!Array.isArray(argument)) return undefined;
      const index = Number(partial(argument[0], context));
      const items = partial(argument[1], context);
      return Array.isArray(items) && Number.isInteger(index) && typeof items[index] === 'string' ? items[index] : undefined;
    }
    case 'Fn::Split': {
      if (!Array.isArray(argument) || typeof argument[0] !== 'string') return undefined;
      const text = partial(argument[1], context);
      return typeof text === 'string' ? text.split(argument[0]) : undefined;
    }
    case 'Fn::FindInMap': {
      if (!Array.isArray(argument)) return undefined;
      const keys = argument.map((item) => partial(item, context));
      if (!allStrings(keys)) return undefined;
      return context.mappings?.[keys[0]]?.[keys[1]]?.[keys[2]];
    }
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split(/\.(.*)/s);
      if (typeof logicalId !== 'string' || typeof attribute !== 'string') return undefined;
      return context.resources?.(logicalId)?.attribute(attribute);
    }
    case 'Fn::GetAZs':
      return AVAILABILITY_ZONES;
    case 'Fn::Base64': {
      const text = partial(argument, context);
      return typeof text === 'string' ? Buffer.from(text, 'utf8').toString('base64') : undefined;
    }
    case 'Fn::ImportValue': {
      const exportName = partial(argument, context);
      return typeof exportName === 'string' ? context.imports?.(exportName) : undefined;
    }
    default:
      return undefined;
  }
}

/** A condition's value; one that cannot be evaluated counts as true (the resource is kept). */
function evaluateCondition(expression: unknown, context: ResolveContext, definitions: Record<string, unknown>, seen: Set<string>): boolean {
  if (!expression || typeof expression !== 'object') return expression === true || expression === 'true';
  const [key, argument] = Object.entries(expression)[0] ?? [];
  const items = Array.isArray(argument) ? argument : [];
  switch (key) {
    case 'Fn::Equals': {
      const [left, right] = items.map((item) => partial(item, context));
      return isDeepStrictEqual(left, right);
    }
    case 'Fn::Not':
      return !evaluateCondition(items[0], context, definitions, seen);
    case 'Fn::And':
      return items.every((item) => evaluateCondition(item, context, definitions, seen));
    case 'Fn::Or':
      return items.some((item) => evaluateCondition(item, context, definitions, seen));
    case 'Condition':
      return conditionValue(String(argument), context, definitions, seen);
    default:
      return true;
  }
}

function conditionValue(name: string, context: ResolveContext, definitions: Record<string, unknown>, seen: Set<string>): boolean {
  if (name in context.conditions) return context.conditions[name];
  if (seen.has(name)) return true;
  seen.add(name);
  const value = evaluateCondition(definitions[name], context, definitions, seen);
  context.conditions[name] = value;
  return value;
}

/**
 * The parameter values of a create or update, checked as CloudFormation checks them: every
 * parameter needs a value or a default, and only declared parameters may be given.
 */
export function resolveParameters(
  template: Template,
  given: Parameter[] = [],
  previous: Record<string, string> = {},
): Record<string, string> {
  const declared = template.Parameters ?? {};
  const undeclared = given.map((parameter) => parameter.ParameterKey ?? '').filter((key) => !(key in declared));
  if (undeclared.length) raise(validationError(`Parameters: [${undeclared.join(', ')}] do not exist in the template`));
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const [key, definition] of Object.entries(declared)) {
    const supplied = given.find((parameter) => parameter.ParameterKey === key);
    const value = supplied?.UsePreviousValue ? previous[key] : (supplied?.ParameterValue ?? stringValue(definition.Default));
    if (value === undefined) {
      missing.push(key);
      continue;
    }
    if (Array.isArray(definition.AllowedValues) && !definition.AllowedValues.map(String).includes(value)) {
      raise(validationError(`Parameter '${key}' must be one of AllowedValues`));
    }
    values[key] = value;
  }
  if (missing.length) raise(validationError(`Parameters: [${missing.join(', ')}] must have values`));
  return values;
}

function stringValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** The context to resolve a template's values in, its conditions evaluated. */
export function resolveContext(
  template: Template,
  base: Omit<ResolveContext, 'conditions' | 'mappings' | 'parameterTypes'>,
): ResolveContext {
  const context: ResolveContext = {
    ...base,
    mappings: template.Mappings,
    parameterTypes: Object.fromEntries(Object.entries(template.Parameters ?? {}).map(([key, definition]) => [key, String(definition.Type)])),
    conditions: {},
  };
  const definitions = template.Conditions ?? {};
  for (const name of Object.keys(definitions)) conditionValue(name, context, definitions, new Set());
  return context;
}

function conditionHolds(condition: string | undefined, context: ResolveContext): boolean {
  return condition === undefined || context.conditions[condition] !== false;
}

/**
 * The template as it will be deployed: resources whose condition is false left out, parameters,
 * pseudo parameters, mappings and `Fn::If` resolved. References between resources stay as they
 * are, so the diff sees what CloudFormation sees when it plans a change set.
 */
export function materialize(template: Template, context: ResolveContext): Template {
  const resources: Record<string, TemplateResource> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (!conditionHolds(resource.Condition, context)) continue;
    const { Condition: _condition, ...rest } = resource;
    resources[logicalId] = partial(rest, context) as TemplateResource;
  }
  return {
    ...(template.Description === undefined ? {} : { Description: template.Description }),
    ...(template.Metadata === undefined ? {} : { Metadata: template.Metadata }),
    Resources: resources,
  };
}

export interface EvaluatedOutput {
  OutputKey: string;
  OutputValue: string;
  Description?: string;
  ExportName?: string;
}

/** The stack's outputs once its resources exist. */
export function evaluateOutputs(template: Template, context: ResolveContext): EvaluatedOutput[] {
  const outputs: EvaluatedOutput[] = [];
  for (const [key, output] of Object.entries(template.Outputs ?? {})) {
    if (!conditionHolds(output.Condition, context)) continue;
    const value = partial(output.Value, context);
    const exportName = output.Export ? partial(output.Export.Name, context) : undefined;
    outputs.push({
      OutputKey: key,
      OutputValue: typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : JSON.stringify(value),
      ...(output.Description ? { Description: output.Description } : {}),
      ...(typeof exportName === 'string' ? { ExportName: exportName } : {}),
    });
  }
  return outputs;
}
