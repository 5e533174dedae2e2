import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import { deepEqual } from '@aws-cdk/cloudformation-diff';

/**
 * Which property changes replace a resource, read from the CloudFormation resource schemas as the
 * `@aws-cdk/aws-service-spec` database carries them: a schema's `createOnlyProperties` become
 * `causesReplacement: 'yes'`, the older specification's conditional updates `'maybe'`. Nothing
 * here is a hand-written list.
 */
export type Recreation = 'Always' | 'Conditionally' | 'Never';

/** Where a property's recreation rule came from, so the prediction can say it plainly. */
export type RecreationBasis = 'schema' | 'unknown-type' | 'unknown-property';

export interface PropertyRecreation {
  recreation: Recreation;
  basis: RecreationBasis;
}

// The database's own types come from @aws-cdk/service-spec-types, of which two versions are installed
// (one nested under aws-service-spec); these are the few fields read here, so neither version is pinned.
type SchemaType =
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'array' | 'map'; element: SchemaType }
  | { type: 'union'; types: SchemaType[] }
  | { type: 'string' | 'number' | 'integer' | 'boolean' | 'json' | 'date-time' | 'null' | 'tag' };

interface SchemaProperty {
  causesReplacement?: 'yes' | 'no' | 'maybe';
  type: SchemaType;
}

interface SchemaResource {
  cloudFormationType: string;
  properties: Record<string, SchemaProperty>;
  /** Paths below a property (`['CreationInfo', 'OwnerUid']`, `*` for any list element) that also replace. */
  additionalReplacementProperties?: string[][];
}

interface SchemaTypeDefinition {
  properties: Record<string, SchemaProperty>;
}

interface SchemaDatabase {
  lookup(key: 'resource', index: 'cloudFormationType', how: 'equals', value: string): readonly unknown[];
  get(key: 'typeDefinition', reference: { $ref: string }): unknown;
}

/** How deep a property's nested types are followed: schemas nest a few levels; a cycle must not loop. */
const MAX_NESTING = 12;

let database: SchemaDatabase | undefined;

/** Loaded on first use (it takes a moment), then kept for the process. */
function schemas(): SchemaDatabase {
  database ??= loadAwsServiceSpecSync() as unknown as SchemaDatabase;
  return database;
}

export function resourceSchema(type: string): SchemaResource | undefined {
  return schemas().lookup('resource', 'cloudFormationType', 'equals', type)[0] as SchemaResource | undefined;
}

const RANK: Record<Recreation, number> = { Never: 0, Conditionally: 1, Always: 2 };

export function strongest(recreations: Iterable<Recreation>): Recreation {
  let result: Recreation = 'Never';
  for (const recreation of recreations) if (RANK[recreation] > RANK[result]) result = recreation;
  return result;
}

function fromSchema(causesReplacement: SchemaProperty['causesReplacement']): Recreation {
  if (causesReplacement === 'yes') return 'Always';
  if (causesReplacement === 'maybe') return 'Conditionally';
  return 'Never';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value);
}

/** The strongest recreation among the sub-properties that differ between `before` and `after`. */
function nestedRecreation(type: SchemaType, before: unknown, after: unknown, depth: number): Recreation {
  if (depth > MAX_NESTING || deepEqual(before, after)) return 'Never';
  switch (type.type) {
    case 'ref': {
      if (!isRecord(before) || !isRecord(after)) return 'Never';
      const definition = schemas().get('typeDefinition', type.reference) as SchemaTypeDefinition | undefined;
      if (!definition) return 'Never';
      const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
      return strongest(
        [...keys].map((key) => {
          if (deepEqual(before[key], after[key])) return 'Never';
          const property = definition.properties[key];
          if (!property) return 'Never';
          const own = fromSchema(property.causesReplacement);
          return own === 'Never' ? nestedRecreation(property.type, before[key], after[key], depth + 1) : own;
        }),
      );
    }
    case 'array': {
      // Elements are compared where both lists have one; an added or removed element is the list's own change.
      if (!Array.isArray(before) || !Array.isArray(after)) return 'Never';
      const shared = Math.min(before.length, after.length);
      return strongest(Array.from({ length: shared }, (_, index) => nestedRecreation(type.element, before[index], after[index], depth + 1)));
    }
    case 'map': {
      if (!isRecord(before) || !isRecord(after)) return 'Never';
      const keys = Object.keys(before).filter((key) => key in after);
      return strongest(keys.map((key) => nestedRecreation(type.element, before[key], after[key], depth + 1)));
    }
    case 'union':
      return strongest(type.types.map((member) => nestedRecreation(member, before, after, depth + 1)));
    default:
      return 'Never';
  }
}

/** The values at a path (`*` stands for every element of a list). */
function valuesAt(value: unknown, path: readonly string[]): unknown[] {
  if (path.length === 0) return [value];
  const [head, ...rest] = path;
  if (head === '*') return Array.isArray(value) ? value.flatMap((item) => valuesAt(item, rest)) : [];
  return isRecord(value) && head in value ? valuesAt(value[head], rest) : [undefined];
}

/**
 * How a change of one top-level property affects the resource: from the schema's create-only
 * properties (also below the top level), or, for a type the schemas do not know, "may replace".
 */
export function propertyRecreation(resourceType: string, property: string, before: unknown, after: unknown): PropertyRecreation {
  const schema = resourceSchema(resourceType);
  if (!schema) return { recreation: 'Conditionally', basis: 'unknown-type' };
  const definition = schema.properties[property];
  if (!definition) return { recreation: 'Conditionally', basis: 'unknown-property' };
  const own = fromSchema(definition.causesReplacement);
  if (own !== 'Never') return { recreation: own, basis: 'schema' };
  const additional = (schema.additionalReplacementProperties ?? [])
    .filter(([head]) => head === property)
    .some((path) => !deepEqual(valuesAt(before, path.slice(1)), valuesAt(after, path.slice(1))));
  if (additional) return { recreation: 'Always', basis: 'schema' };
  return { recreation: nestedRecreation(definition.type, before, after, 0), basis: 'schema' };
}
