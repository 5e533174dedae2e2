import { parseDocument } from 'yaml';
// The same short-form tags as the deployer's own template parser: one table of CloudFormation's intrinsics.
import { CLOUDFORMATION_TAGS } from '../../../functions/shared/template';
import { raise } from '../aws-errors';
import { validationError } from './errors';

/**
 * Templates as CloudFormation reads them: JSON or YAML with the short-form intrinsic tags, checked
 * the way CreateStack and CreateChangeSet check them before anything starts, with the same
 * "Template format error" messages.
 */
export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: unknown;
  [attribute: string]: unknown;
}

export interface TemplateParameter {
  Type: string;
  Default?: unknown;
  AllowedValues?: unknown[];
  NoEcho?: boolean | string;
  [attribute: string]: unknown;
}

export interface TemplateOutput {
  Value: unknown;
  Description?: string;
  Condition?: string;
  Export?: { Name: unknown };
}

export interface Template {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Metadata?: unknown;
  Parameters?: Record<string, TemplateParameter>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Conditions?: Record<string, unknown>;
  Transform?: unknown;
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, TemplateOutput>;
  Rules?: unknown;
}

const TOP_LEVEL_SECTIONS = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
]);


function formatError(message: string): never {
  return raise(validationError(`Template format error: ${message}`));
}

function parseText(text: string): unknown {
  if (text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch (error) {
      const position = /position (\d+)/.exec(error instanceof Error ? error.message : '');
      const offset = position ? Number(position[1]) : 0;
      const line = text.slice(0, offset).split('\n').length;
      const column = offset - text.lastIndexOf('\n', offset - 1);
      return formatError(`JSON not well-formed. (line ${line}, column ${column})`);
    }
  }
  const document = parseDocument(text, { customTags: CLOUDFORMATION_TAGS, prettyErrors: true });
  const first = document.errors[0];
  if (first) {
    const [line, column] = first.linePos?.[0] ? [first.linePos[0].line, first.linePos[0].col] : [1, 1];
    return formatError(`YAML not well-formed. (line ${line}, column ${column})`);
  }
  return document.toJSON();
}

/** Every `Ref` and `Fn::GetAtt` target in a value. */
export function referencedNames(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedNames(item, found);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') found.add(inner);
      else if (key === 'Fn::GetAtt') {
        const target = Array.isArray(inner) ? inner[0] : typeof inner === 'string' ? inner.split('.')[0] : undefined;
        if (typeof target === 'string') found.add(target);
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        const variables = Array.isArray(inner) && inner[1] && typeof inner[1] === 'object' ? Object.keys(inner[1]) : [];
        if (typeof text === 'string') {
          for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
            const name = match[1].split('.')[0];
            if (!variables.includes(name)) found.add(name);
          }
        }
        if (Array.isArray(inner)) referencedNames(inner[1], found);
      } else referencedNames(inner, found);
    }
  }
  return found;
}

/** Parses a template body and applies the checks CloudFormation makes before it accepts the call. */
export function parseTemplate(text: string): Template {
  const parsed = parseText(text);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return formatError('unsupported structure.');
  }
  const sections = Object.keys(parsed);
  const unknown = sections.filter((section) => !TOP_LEVEL_SECTIONS.has(section));
  if (unknown.length) return formatError(`Invalid template property or properties [${unknown.join(', ')}]`);
  const template = parsed as Template;
  const resources = template.Resources;
  if (!resources || typeof resources !== 'object' || Object.keys(resources).length === 0) {
    return formatError('At least one Resources member must be defined.');
  }
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!resource || typeof resource !== 'object' || typeof resource.Type !== 'string') {
      return formatError(`[/Resources/${logicalId}] Every Resources object must contain a Type member.`);
    }
  }
  const known = new Set([...Object.keys(resources), ...Object.keys(template.Parameters ?? {})]);
  for (const block of ['Resources', 'Outputs'] as const) {
    const unresolved = [...referencedNames(template[block] ?? {})].filter((name) => !known.has(name) && !name.startsWith('AWS::'));
    if (unresolved.length) {
      return formatError(`Unresolved resource dependencies [${unresolved.sort().join(', ')}] in the ${block} block of the template`);
    }
  }
  return template;
}
