import * as z from './zod';
import { DEFAULT_MAX_STACKS, DEFAULT_MAX_WAIT_SECONDS, GENERATION_SUFFIX_LENGTH, MAX_MAX_STACKS, MAX_MAX_WAIT_SECONDS, MIN_MAX_WAIT_SECONDS, MAX_STACK_NAME_LENGTH } from './limits';
import { InvalidInputError } from './errors';
import { PROTECTED_DATA_TYPES } from './built-in-policy';
import { patternProblem } from './policy-patterns';

/** Letters, digits and hyphens, a letter first: what CloudFormation accepts in a stack name. */
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]*$/;
const NAME_HINT = 'use letters, digits and hyphens, starting with a letter';

const namePart = z
  .string({ error: 'must be a string' })
  .check(
    z.minLength(1, 'must not be empty'),
    z.maxLength(MAX_STACK_NAME_LENGTH, `must be at most ${MAX_STACK_NAME_LENGTH} characters`),
    z.regex(NAME_PATTERN, NAME_HINT),
  );

const artifactPath = z.string({ error: 'must be a string' }).check(z.minLength(1, 'must not be empty'));

export const WAIT_MODES = ['event', 'poll'] as const;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

export const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'] as const;

const policyEntry = z.string({ error: 'must be a string' }).check(
  z.superRefine((entry, context) => {
    const problem = patternProblem(entry);
    if (problem) context.addIssue({ code: 'custom', message: `"${entry}" ${problem}` });
  }),
);
const policyList = z._default(z.array(policyEntry, { error: 'must be a list of logical ids or resource types' }), []);

/**
 * Which removals and replacements a deployment may make. Entries are logical ids (`UsersTable`,
 * `Network/Subnet`) or resource types (`AWS::SNS::Subscription`), with `*` and `?`; nothing is
 * allowed by default, `protect` beats every allow, and data-bearing types are protected built in.
 */
export const SafetyPolicySchema = z
  .strictObject({
    allowRemoval: policyList,
    allowReplacement: policyList,
    /** Never removed or replaced, whatever an allow list says. */
    protect: policyList,
    /** Built-in protected types (PROTECTED_DATA_TYPES) this deployment may remove or replace, by exact name. */
    unprotect: z._default(
      z.array(z.enum(Object.keys(PROTECTED_DATA_TYPES) as [string, ...string[]], { error: `must name built-in protected types: ${Object.keys(PROTECTED_DATA_TYPES).join(', ')}` })),
      [],
    ),
    /** false: the built-in harmless replacements (HARMLESS_REPLACEMENT_TYPES) need an allow entry like any other. */
    builtInAllowances: z._default(z.boolean({ error: 'must be true or false' }), true),
    /** `allow` (default): a removal CloudFormation retains (DeletionPolicy Retain) deletes nothing and passes. */
    retainedRemovals: z._default(z.enum(['allow', 'reject'], { error: 'must be "allow" or "reject"' }), 'allow'),
  })
  .check(
    z.superRefine((policy, context) => {
      for (const entry of policy.protect) {
        for (const list of ['allowRemoval', 'allowReplacement'] as const) {
          if (policy[list].includes(entry)) {
            context.addIssue({ code: 'custom', path: [list], message: `"${entry}" is also in protect, which always wins: remove it from one of the two lists` });
          }
        }
      }
    }),
  );
export type SafetyPolicy = z.infer<typeof SafetyPolicySchema>;

/** The policy of a deployment whose input document names none: everything at its default. */
export function defaultSafetyPolicy(): SafetyPolicy {
  return SafetyPolicySchema.parse({});
}

export const ON_BUSY = ['fail', 'wait'] as const;
/**
 * What an unsafe change does: fail (the change set is deleted), wait for a person to approve
 * exactly it, or leave the live stack untouched and deploy a new generation beside it.
 */
export const ON_UNSAFE = ['fail', 'approve', 'new-stack'] as const;

export type OnUnsafe = (typeof ON_UNSAFE)[number];
export type OnBusy = (typeof ON_BUSY)[number];

/** The state machine's input: the document in S3 named by `UserParameters`, or typed by hand. */
export const DeploymentInputSchema = z.strictObject({
  environmentName: namePart,
  stackName: namePart,
  templatePath: artifactPath,
  revisionS3Bucket: z.string({ error: 'must be a string' }).check(z.minLength(3, 'must be an S3 bucket name')),
  revisionS3Key: z.string({ error: 'must be a string' }).check(z.minLength(1, 'must be the S3 key of the artifact zip')),
  revisionS3ObjectVersion: z.optional(z.string().check(z.minLength(1))),
  /** Which of the pipeline action's input artifacts holds the template; the trigger fills revisionS3Bucket/Key from it. */
  sourceArtifactName: z.optional(z.string().check(z.minLength(1))),
  templateConfigurationPath: z.optional(artifactPath),
  capabilities: z.optional(z.array(z.enum(CAPABILITIES))),
  cloudFormationRoleArn: z.optional(z.string().check(z.regex(ROLE_ARN, 'must be an IAM role ARN, arn:aws:iam::<account>:role/<name>'))),
  /** A role in another account that the deployment assumes for every CloudFormation call it makes there. */
  targetRoleArn: z.optional(z.string().check(z.regex(ROLE_ARN, 'must be an IAM role ARN, arn:aws:iam::<account>:role/<name>'))),
  /** The ExternalId the target role's trust policy asks for. */
  targetExternalId: z.optional(
    z.string().check(z.regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2 to 1224 characters of letters, digits and +=,.@:/-')),
  ),
  /** The region to deploy into; the orchestrator's own by default. */
  region: z.optional(z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be an AWS region name, e.g. eu-west-1'))),
  safetyPolicy: z.optional(SafetyPolicySchema),
  maxWaitSeconds: z.optional(
    z
      .number()
      .check(
        z.int('must be a whole number of seconds'),
        z.minimum(MIN_MAX_WAIT_SECONDS, `must be at least ${MIN_MAX_WAIT_SECONDS}`),
        z.maximum(MAX_MAX_WAIT_SECONDS, `must be at most ${MAX_MAX_WAIT_SECONDS} (CodePipeline stops a Lambda action after 24 hours)`),
      ),
  ),
  /** Another deployment holds the stack: `fail` at once (default), or `wait` for it within maxWaitSeconds. */
  onBusy: z.optional(z.enum(ON_BUSY, { error: 'must be "fail" or "wait"' })),
  /** An unsafe change set: `fail` (default) deletes it; `approve` keeps it and waits for a person's answer. */
  onUnsafe: z.optional(z.enum(ON_UNSAFE, { error: 'must be "fail", "approve" or "new-stack"' })),
  /** With `new-stack`: how many generations of the stack may exist at once, the live one included. */
  maxStacks: z.optional(
    z.number().check(z.int('must be a whole number'), z.minimum(2, 'must be at least 2 (the live stack and one new generation)'), z.maximum(MAX_MAX_STACKS, `must be at most ${MAX_MAX_STACKS}`)),
  ),
  /** How long an unsafe change set waits for approval before it is deleted. */
  approvalTimeoutSeconds: z.optional(
    z
      .number()
      .check(
        z.int('must be a whole number of seconds'),
        z.minimum(MIN_MAX_WAIT_SECONDS, `must be at least ${MIN_MAX_WAIT_SECONDS}`),
        z.maximum(MAX_MAX_WAIT_SECONDS - MIN_MAX_WAIT_SECONDS, `must be at most ${MAX_MAX_WAIT_SECONDS - MIN_MAX_WAIT_SECONDS}, leaving time for the update within CodePipeline's 24 hours`),
      ),
  ),
  /**
   * How the deployment waits for a stack create or update: `event` (CloudFormation's status change
   * events wake it; the default where the orchestrator was deployed with them) or `poll`.
   */
  waitMode: z.optional(z.enum(WAIT_MODES, { error: 'must be "event" or "poll"' })),
});
export type DeploymentInput = z.infer<typeof DeploymentInputSchema>;

export const DEFAULTS = { maxWaitSeconds: DEFAULT_MAX_WAIT_SECONDS, onBusy: 'fail', onUnsafe: 'fail', approvalTimeoutSeconds: 3600, maxStacks: DEFAULT_MAX_STACKS } as const;

/** Validates an input document and returns it typed, or throws one error naming every bad field. */
export function parseDeploymentInput(raw: unknown): DeploymentInput {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidInputError('The deployment input must be a JSON object with environmentName, stackName, templatePath, revisionS3Bucket and revisionS3Key.');
  }
  // reportInput: without it zod leaves `issue.input` undefined, and every wrong type would read as missing.
  const parsed = DeploymentInputSchema.safeParse(raw, { reportInput: true });
  if (parsed.success) {
    const stackName = `${parsed.data.environmentName}-${parsed.data.stackName}`;
    const newStack = parsed.data.onUnsafe === 'new-stack';
    const longest = MAX_STACK_NAME_LENGTH - (newStack ? GENERATION_SUFFIX_LENGTH : 0);
    if (stackName.length > longest) {
      const why = newStack ? `; with onUnsafe "new-stack" a new generation adds ${GENERATION_SUFFIX_LENGTH} characters, so at most ${longest} are left` : '';
      throw new InvalidInputError(
        `Invalid deployment input: environmentName-stackName ("${stackName}") is ${stackName.length} characters; CloudFormation allows ${MAX_STACK_NAME_LENGTH}${why}. Shorten stackName.`,
      );
    }
    if (parsed.data.approvalTimeoutSeconds !== undefined && parsed.data.onUnsafe !== 'approve') {
      throw new InvalidInputError('Invalid deployment input: approvalTimeoutSeconds is how long an unsafe change set waits for a person with onUnsafe "approve", and this document\'s onUnsafe is not "approve": remove approvalTimeoutSeconds, or set "onUnsafe": "approve".');
    }
    if (parsed.data.maxStacks !== undefined && !newStack) {
      throw new InvalidInputError('Invalid deployment input: maxStacks counts the generations of onUnsafe "new-stack", and this document\'s onUnsafe is not "new-stack": remove maxStacks, or set "onUnsafe": "new-stack".');
    }
    return parsed.data;
  }
  const problems = parsed.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const where = issue.path.length ? `${issue.path.join('.')}.` : '';
      return issue.keys.map((key) => `${where}${key}: unknown field (check its spelling; see the README for the fields)`).join('; ');
    }
    const field = issue.path.join('.') || '(document)';
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    return `${field}: ${missing ? 'is required' : issue.message}`;
  });
  throw new InvalidInputError(`Invalid deployment input: ${problems.join('; ')}.`);
}
