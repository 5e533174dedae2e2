/**
 * The checks CloudFormation makes on a request before it does anything: names, where the template
 * comes from and how large it is, and the capabilities its resources need.
 */
import type { Template } from './template';
import { raise } from '../aws-errors';
import { insufficientCapabilities, validationError } from './errors';
import type { SandboxStack } from './model';


/** CloudFormation's limits on a template given inline and by URL. */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;
export const MAX_TEMPLATE_URL_BYTES = 1_000_000;
const NAME_PATTERN = /^[a-zA-Z][-a-zA-Z0-9]*$/;
const MAX_NAME_LENGTH = 128;

/** Statuses from which a stack can be updated (CloudFormation's own rule). */
export const UPDATABLE_STATUSES = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);

const IAM_TYPES = new Set([
  'AWS::IAM::AccessKey',
  'AWS::IAM::Group',
  'AWS::IAM::InstanceProfile',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::Policy',
  'AWS::IAM::Role',
  'AWS::IAM::User',
  'AWS::IAM::UserToGroupAddition',
]);
const IAM_NAME_PROPERTIES = ['RoleName', 'UserName', 'GroupName', 'ManagedPolicyName', 'InstanceProfileName'];

export function validateName(value: string | undefined, member: string): string {
  if (!value || value.length > MAX_NAME_LENGTH || !NAME_PATTERN.test(value)) {
    raise(
      validationError(
        `1 validation error detected: Value '${value ?? ''}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
      ),
    );
  }
  return value;
}

export function isArn(value: string): boolean {
  return value.startsWith('arn:');
}

/** `https://bucket.s3.region.amazonaws.com/key`, `https://s3.region.amazonaws.com/bucket/key` and the legacy forms. */
export function parseS3Url(url: string): { bucket: string; key: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const path = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  const virtualHosted = /^(.+)\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com$/.exec(parsed.hostname);
  if (virtualHosted) return { bucket: virtualHosted[1], key: path };
  if (/^s3[.-]([a-z0-9-]+\.)?amazonaws\.com$/.test(parsed.hostname)) {
    const slash = path.indexOf('/');
    return slash > 0 ? { bucket: path.slice(0, slash), key: path.slice(slash + 1) } : undefined;
  }
  return undefined;
}

export function requiredCapability(template: Template): string | undefined {
  if (template.Transform !== undefined) return 'CAPABILITY_AUTO_EXPAND';
  const iam = Object.values(template.Resources).filter((resource) => IAM_TYPES.has(resource.Type));
  if (iam.some((resource) => IAM_NAME_PROPERTIES.some((key) => resource.Properties?.[key] !== undefined))) return 'CAPABILITY_NAMED_IAM';
  return iam.length ? 'CAPABILITY_IAM' : undefined;
}

export function checkCapabilities(template: Template, given: string[] | undefined): void {
  const needed = requiredCapability(template);
  if (!needed) return;
  const has = new Set(given ?? []);
  const satisfied = has.has(needed) || (needed === 'CAPABILITY_IAM' && has.has('CAPABILITY_NAMED_IAM'));
  if (!satisfied) raise(insufficientCapabilities(needed));
}

export function noEchoOf(template: Template): Set<string> {
  return new Set(
    Object.entries(template.Parameters ?? {})
      .filter(([, definition]) => definition.NoEcho === true || definition.NoEcho === 'true')
      .map(([key]) => key),
  );
}

/** Whether an update with no resource changes still changes something the stack shows (outputs, parameters). */
export function outputsOrParametersChanged(stack: SandboxStack, template: Template, changedParameters: ReadonlySet<string>): boolean {
  return changedParameters.size > 0 || JSON.stringify(stack.template?.Outputs ?? {}) !== JSON.stringify(template.Outputs ?? {});
}
