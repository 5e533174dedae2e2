import { parse as parseYaml, type Tags, YAMLMap, YAMLSeq } from 'yaml';
import { InvalidInputError } from './errors';
import { MAX_TEMPLATE_NESTING } from './limits';

/** A parsed CloudFormation template: what CloudFormation would read, intrinsic functions in long form. */
export interface CloudFormationTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
  [section: string]: unknown;
}

/** The short-form intrinsic functions CloudFormation accepts in YAML templates, and their long names. */
const INTRINSIC_FUNCTIONS: Record<string, string> = {
  Base64: 'Fn::Base64',
  Cidr: 'Fn::Cidr',
  FindInMap: 'Fn::FindInMap',
  GetAZs: 'Fn::GetAZs',
  ImportValue: 'Fn::ImportValue',
  Join: 'Fn::Join',
  Select: 'Fn::Select',
  Split: 'Fn::Split',
  Sub: 'Fn::Sub',
  Transform: 'Fn::Transform',
  And: 'Fn::And',
  Equals: 'Fn::Equals',
  If: 'Fn::If',
  Not: 'Fn::Not',
  Or: 'Fn::Or',
  Length: 'Fn::Length',
  ToJsonString: 'Fn::ToJsonString',
  Ref: 'Ref',
  Condition: 'Condition',
};

function collectionValue(node: YAMLMap.Parsed | YAMLSeq.Parsed): unknown {
  return node.toJSON();
}

function shortFormTags(): Tags {
  const tags: Tags = [];
  for (const [short, long] of Object.entries(INTRINSIC_FUNCTIONS)) {
    const tag = `!${short}`;
    tags.push({ tag, resolve: (value: string) => ({ [long]: value }) });
    tags.push({ tag, collection: 'seq', resolve: (node) => ({ [long]: collectionValue(node) }) });
    tags.push({ tag, collection: 'map', resolve: (node) => ({ [long]: collectionValue(node) }) });
  }
  // `!GetAtt Resource.Attribute` is the one short form whose scalar is not passed through as it is.
  tags.push({
    tag: '!GetAtt',
    resolve: (value: string) => {
      const dot = value.indexOf('.');
      return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
    },
  });
  tags.push({ tag: '!GetAtt', collection: 'seq', resolve: (node) => ({ 'Fn::GetAtt': collectionValue(node) }) });
  return tags;
}

/** CloudFormation's short-form intrinsic tags for the `yaml` parser. */
export const CLOUDFORMATION_TAGS = shortFormTags();

/** Parses the text of a JSON or YAML template, CloudFormation's short-form tags included. */
export function parseTemplateText(text: string): unknown {
  if (text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      // Flow-style YAML also starts with "{": let the YAML parser have it, and report its error.
    }
  }
  return parseYaml(text, { customTags: CLOUDFORMATION_TAGS, prettyErrors: true, maxAliasCount: 100 });
}

function tooDeep(where: string): InvalidInputError {
  return new InvalidInputError(
    `The template ${where} nests values more than ${MAX_TEMPLATE_NESTING} levels deep; no CloudFormation template needs that. Check that the file is the template you meant.`,
  );
}

/** How deeply arrays and mappings nest, counted without recursion (a hostile file cannot exhaust the stack). */
export function nestingDepth(value: unknown): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length) {
    const [current, depth] = pending.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_TEMPLATE_NESTING) return deepest;
    for (const child of Object.values(current as Record<string, unknown>)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Parses a template and checks that it has the shape CloudFormation requires, so that a typo fails
 * before anything is created. `where` names the file for the error message.
 */
export function parseTemplate(text: string, where: string): CloudFormationTemplate {
  let parsed: unknown;
  try {
    parsed = parseTemplateText(text);
  } catch (error) {
    // A hostile nesting exhausts the parser's stack (the YAML parser reports it in its own error).
    if (error instanceof RangeError || /Maximum call stack size exceeded/.test(String(error))) throw tooDeep(where);
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new InvalidInputError(`The template ${where} does not parse as JSON or YAML: ${reason}. Fix the template and run the pipeline again.`);
  }
  if (nestingDepth(parsed) > MAX_TEMPLATE_NESTING) throw tooDeep(where);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidInputError(`The template ${where} is not a CloudFormation template: its top level must be a mapping with a Resources section.`);
  }
  const resources = (parsed as Record<string, unknown>).Resources;
  if (resources === null || typeof resources !== 'object' || Array.isArray(resources) || Object.keys(resources).length === 0) {
    throw new InvalidInputError(`The template ${where} has no Resources section (CloudFormation requires at least one resource).`);
  }
  for (const [logicalId, resource] of Object.entries(resources as Record<string, unknown>)) {
    const type = (resource as { Type?: unknown } | null)?.Type;
    if (typeof type !== 'string') {
      throw new InvalidInputError(`The template ${where} has a resource "${logicalId}" without a Type.`);
    }
  }
  return parsed as CloudFormationTemplate;
}
