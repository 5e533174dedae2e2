/**
 * Entries of a safety policy list: a logical id (`UsersTable`), a nested stack's resource by its
 * path (`Network/Subnet`) or a resource type (`AWS::SNS::Topic`), each of which may use `*` (any run
 * of characters, `/` included) and `?` (any one character): `Network/*`, `AWS::Lambda::*`, `Custom::*`.
 */

/** What an entry may look like: logical id segments joined by `/`, or a type of `::`-joined segments. */
const LOGICAL_PATH = /^[A-Za-z0-9*?]+(\/[A-Za-z0-9*?]+)*$/;
// Custom resource type names may also use _, @ and - (`Custom::Seed-Data`); a module's type has a
// fourth part (`MyOrg::Network::Vpc::MODULE`).
const RESOURCE_TYPE = /^[A-Za-z0-9*?]+(::[A-Za-z0-9_@*?-]+){1,3}$/;

/** Why an entry can never match anything, or undefined when it is well formed. */
export function patternProblem(entry: string): string | undefined {
  if (entry.trim() === '') return 'is empty';
  if (entry !== entry.trim()) return 'has spaces around it';
  if (!LOGICAL_PATH.test(entry) && !RESOURCE_TYPE.test(entry)) {
    return 'is neither a logical id (letters and digits, "Parent/Child" for a nested stack\'s resource) nor a resource type like "AWS::SNS::Topic" (either may use * and ?)';
  }
  return undefined;
}

function toRegExp(entry: string): RegExp {
  const body = entry.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

const compiled = new Map<string, RegExp>();

/** Whether an entry names this resource: by its logical id path, or by its type. */
export function entryMatches(entry: string, logicalPath: string, resourceType: string | undefined): boolean {
  let pattern = compiled.get(entry);
  if (!pattern) {
    pattern = toRegExp(entry);
    compiled.set(entry, pattern);
  }
  // A type entry (it has "::") names types; any other entry names logical ids.
  return entry.includes('::') ? resourceType !== undefined && pattern.test(resourceType) : pattern.test(logicalPath);
}

/** The first entry of a list that names this resource. */
export function firstMatch(list: readonly string[], logicalPath: string, resourceType: string | undefined): string | undefined {
  return list.find((entry) => entryMatches(entry, logicalPath, resourceType));
}
