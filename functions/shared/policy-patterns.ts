/**
 * The entries of a safety policy's lists. An entry names resources in one of two ways:
 *
 * - a logical id, or a nested stack's resource by its path: `UsersTable`, `Network/Subnet`;
 * - a resource type: `AWS::DynamoDB::Table`, `Custom::Seeder` (anything with `::`).
 *
 * Both may use `*` (any run of characters, `/` and `::` included) and `?` (exactly one character);
 * there are no other wildcards. An entry is checked once, when the input is read, so that one
 * which can never match anything (a typo such as `Users-Table`, a regular expression, an empty
 * string) is an error at once instead of a silent no-op at inspection time.
 */

export type PatternKind = 'resource' | 'type';

export interface CompiledPattern {
  entry: string;
  kind: PatternKind;
  regex: RegExp;
}

/**
 * CloudFormation logical ids are letters and digits only; a nested path joins them with `/`.
 * Wildcards may stand anywhere a character may.
 */
const RESOURCE_PATTERN = /^[A-Za-z0-9*?]+(\/[A-Za-z0-9*?]+)*$/;
/**
 * `Vendor::Service::Resource` (AWS, Alexa, third-party registry types, `::MODULE` types) or
 * `Custom::Name`; custom type names also allow `_`, `@` and `-`.
 */
const TYPE_PATTERN = /^[A-Za-z0-9_@*?-]+(::[A-Za-z0-9_@*?-]+){1,3}$/;

export function patternKind(entry: string): PatternKind {
  return entry.includes('::') ? 'type' : 'resource';
}

/**
 * Why an entry can never match anything, in words that say how to fix it; undefined when it is a
 * well-formed logical id, nested path or type pattern.
 */
export function patternProblem(entry: string): string | undefined {
  if (entry.trim() === '') return 'is empty; name a logical id (UsersTable), a nested path (Network/Subnet) or a resource type (AWS::S3::Bucket)';
  if (entry !== entry.trim()) return 'has leading or trailing spaces; remove them';
  if (patternKind(entry) === 'type') {
    return TYPE_PATTERN.test(entry)
      ? undefined
      : 'is not a resource type pattern: write Vendor::Service::Resource (AWS::Lambda::Function, AWS::Lambda::*, Custom::*); * and ? are the only wildcards';
  }
  if (entry.includes(':')) return 'is not a resource type: resource types separate their parts with "::" (AWS::S3::Bucket)';
  if (entry.startsWith('/') || entry.endsWith('/') || entry.includes('//')) {
    return 'is not a nested path: join logical ids with single "/" (Network/Subnet, Network/*)';
  }
  return RESOURCE_PATTERN.test(entry)
    ? undefined
    : 'is not a logical id: CloudFormation logical ids have only letters and digits (a nested resource is Parent/Child); * and ? are the only wildcards';
}

function escapeRegex(text: string): string {
  return text.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
}

/** Compiles a well-formed entry (check it with `patternProblem` first). */
export function compilePattern(entry: string): CompiledPattern {
  const source = [...entry].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : escapeRegex(char))).join('');
  return { entry, kind: patternKind(entry), regex: new RegExp(`^${source}$`) };
}

/** Whether a pattern (or a plain name) names a resource with this full logical id (`Parent/Child`) and type. */
export function patternMatches(pattern: CompiledPattern, resource: { id: string; type: string }): boolean {
  return pattern.regex.test(pattern.kind === 'type' ? resource.type : resource.id);
}

/** Whether a type pattern covers a given type name (`AWS::RDS::*` covers `AWS::RDS::DBCluster`). */
export function patternCoversType(pattern: CompiledPattern, type: string): boolean {
  return pattern.kind === 'type' && pattern.regex.test(type);
}

/** The first entry of a list that names the resource, or undefined. */
export function firstMatch(patterns: readonly CompiledPattern[], resource: { id: string; type: string }): CompiledPattern | undefined {
  return patterns.find((pattern) => patternMatches(pattern, resource));
}
