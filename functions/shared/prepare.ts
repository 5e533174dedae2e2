import { parseDeploymentInput, defaultSafetyPolicy, DEFAULTS, type DeploymentInput } from './input';
import { normaliseEntryPath } from './artifact';
import { loadTemplate, maskNoEcho, type LoadedTemplate, type TemplateSource } from './template-source';
import { InvalidInputError } from './errors';
import { MAX_MAX_WAIT_SECONDS, MIN_MAX_WAIT_SECONDS } from './limits';
import { changeSetNameFor, clientRequestTokenFor } from './names';
import type { Deployment, DeploymentTarget, Parameter, WaitMode } from './state';
import { STACK_WAIT_TABLE_ENV } from './stack-events';
import type { CloudFormationTemplate } from './template';

/** The environment variable naming the CloudFormation service role used when the input names none. */
export const DEFAULT_ROLE_ENV = 'DEFAULT_CLOUDFORMATION_ROLE_ARN';

export interface ValidatedInput {
  input: DeploymentInput;
  source: TemplateSource;
}

/**
 * Checks the input document alone: its fields, that its paths stay inside the artifact, and (when
 * `runningArn`, any ARN of the account running the deployment, says which account that is) that
 * the service role is of that account.
 */
export function validateInput(rawInput: unknown, runningArn?: string): ValidatedInput {
  const input = parseDeploymentInput(rawInput);
  if (input.targetRoleArn || input.targetExternalId) checkTarget(input);
  else checkRoleAccount(input.cloudFormationRoleArn, runningArn);
  const templatePath = normaliseEntryPath(input.templatePath, 'templatePath');
  const templateConfigurationPath = input.templateConfigurationPath
    ? normaliseEntryPath(input.templateConfigurationPath, 'templateConfigurationPath')
    : undefined;
  const artifact = {
    bucket: input.revisionS3Bucket,
    key: input.revisionS3Key,
    ...(input.revisionS3ObjectVersion ? { version: input.revisionS3ObjectVersion } : {}),
  };
  return { input, source: { artifact, templatePath, ...(templateConfigurationPath ? { templateConfigurationPath } : {}) } };
}

/** What will be deployed, from a validated input and the template read from its artifact. */
export function buildDeployment({ input, source }: ValidatedInput, loaded: LoadedTemplate, executionName: string, startedAt?: string): Deployment {
  const parameters = loaded.configuration?.parameters ?? [];
  checkParametersDeclared(parameters, loaded.template, source.templateConfigurationPath);
  // The orchestrator's own service role is of its own account: a target account has its own.
  const roleArn = input.cloudFormationRoleArn ?? (input.targetRoleArn ? undefined : process.env[DEFAULT_ROLE_ENV] || undefined);
  const target = targetOf(input);
  const onUnsafe = input.onUnsafe ?? DEFAULTS.onUnsafe;
  const approvalTimeoutSeconds = onUnsafe === 'approve' ? (input.approvalTimeoutSeconds ?? DEFAULTS.approvalTimeoutSeconds) : undefined;
  const maxWaitSeconds = budgetFor(input.maxWaitSeconds, approvalTimeoutSeconds);
  return {
    environmentName: input.environmentName,
    stackName: `${input.environmentName}-${input.stackName}`,
    ...source,
    template: loaded.summary,
    // NoEcho values stay out of the execution's data (input, output, history, validate --json).
    parameters: maskNoEcho(parameters, loaded.template),
    tags: loaded.configuration?.tags ?? [],
    capabilities: input.capabilities ?? [],
    ...(roleArn ? { roleArn } : {}),
    safetyPolicy: input.safetyPolicy ?? defaultSafetyPolicy(),
    maxWaitSeconds,
    ...deadlineFields(startedAt, maxWaitSeconds),
    onBusy: input.onBusy ?? DEFAULTS.onBusy,
    onUnsafe,
    ...(approvalTimeoutSeconds ? { approvalTimeoutSeconds } : {}),
    ...(onUnsafe === 'new-stack' ? { maxStacks: input.maxStacks ?? DEFAULTS.maxStacks } : {}),
    waitMode: waitModeFor(input.waitMode),
    ...(target ? { target } : {}),
    changeSetName: changeSetNameFor(executionName),
    clientRequestToken: clientRequestTokenFor(executionName),
  };
}

/**
 * Validates everything a deployment needs before anything is touched: the input document, the
 * artifact, the template and its configuration. Bad input fails here, having changed nothing.
 */
export async function prepareDeployment(rawInput: unknown, executionName: string, startedAt?: string, runningArn?: string): Promise<Deployment> {
  const validated = validateInput(rawInput, runningArn);
  return buildDeployment(validated, await loadTemplate(validated.source), executionName, startedAt);
}

/**
 * Event mode needs the wait table and the status change rule of the orchestrator's stack, which
 * name the table in the task functions' environment; without them a deployment polls. Asking for
 * events where there are none is refused before anything is touched.
 */
function waitModeFor(asked: WaitMode | undefined): WaitMode {
  const eventsAvailable = Boolean(process.env[STACK_WAIT_TABLE_ENV]);
  if (asked === 'event' && !eventsAvailable) {
    throw new InvalidInputError(
      `waitMode is "event", but this orchestrator has no stack event wait table (${STACK_WAIT_TABLE_ENV} is not set): deploy the orchestrator stack with its event resources, or set "waitMode": "poll".`,
    );
  }
  return asked ?? (eventsAvailable ? 'event' : 'poll');
}

/**
 * The budget counts from the execution's start, so an approval's wait is part of it: by default
 * the approval's time is added to the default budget, and a budget given by hand must leave at
 * least a minute for the update once the approval ran out.
 */
function budgetFor(maxWaitSeconds: number | undefined, approvalTimeoutSeconds: number | undefined): number {
  if (approvalTimeoutSeconds === undefined) return maxWaitSeconds ?? DEFAULTS.maxWaitSeconds;
  if (maxWaitSeconds === undefined) return Math.min(MAX_MAX_WAIT_SECONDS, DEFAULTS.maxWaitSeconds + approvalTimeoutSeconds);
  if (maxWaitSeconds < approvalTimeoutSeconds + MIN_MAX_WAIT_SECONDS) {
    throw new InvalidInputError(
      `Invalid deployment input: maxWaitSeconds ${maxWaitSeconds} does not leave room for approvalTimeoutSeconds ${approvalTimeoutSeconds}: the budget counts from the execution's start and includes the wait for approval. Raise maxWaitSeconds to at least ${approvalTimeoutSeconds + MIN_MAX_WAIT_SECONDS}, or leave it out.`,
    );
  }
  return maxWaitSeconds;
}

/** The deployment's start and deadline, when the execution's start time is known and readable. */
function deadlineFields(startedAt: string | undefined, maxWaitSeconds: number): { startedAt?: string; deadline?: string } {
  const start = startedAt ? Date.parse(startedAt) : Number.NaN;
  if (!Number.isFinite(start)) return {};
  return { startedAt: new Date(start).toISOString(), deadline: new Date(start + maxWaitSeconds * 1000).toISOString() };
}

/** A parameter the template does not declare is a typo CloudFormation would reject only after the create started. */
function checkParametersDeclared(parameters: Parameter[], template: CloudFormationTemplate, where: string | undefined): void {
  const declared = new Set(Object.keys((template.Parameters as Record<string, unknown> | undefined) ?? {}));
  const unknown = parameters.map((p) => p.ParameterKey).filter((key) => !declared.has(key));
  if (unknown.length) {
    throw new InvalidInputError(
      `The template configuration "${where}" sets parameter(s) ${unknown.join(', ')} that the template does not declare (it declares: ${[...declared].join(', ') || 'none'}).`,
    );
  }
}

function targetOf(input: DeploymentInput): DeploymentTarget | undefined {
  if (!input.targetRoleArn && !input.region) return undefined;
  const account = accountOf(input.targetRoleArn);
  return {
    ...(account ? { account } : {}),
    ...(input.targetRoleArn ? { roleArn: input.targetRoleArn } : {}),
    ...(input.targetExternalId ? { externalId: input.targetExternalId } : {}),
    ...(input.region ? { region: input.region } : {}),
  };
}

/**
 * A deployment into another account names that account's CloudFormation service role: the
 * orchestrator's own is of another account, and CloudFormation takes only one of the account it
 * deploys into. Said up front, before anything is touched.
 */
function checkTarget(input: DeploymentInput): void {
  if (!input.targetRoleArn) {
    throw new InvalidInputError('Invalid deployment input: targetExternalId is given without targetRoleArn. It is the ExternalId for assuming targetRoleArn: set targetRoleArn, or remove targetExternalId.');
  }
  const targetAccount = accountOf(input.targetRoleArn);
  if (!input.cloudFormationRoleArn) {
    throw new InvalidInputError(
      `Invalid deployment input: targetRoleArn deploys into account ${targetAccount}, so cloudFormationRoleArn must name that account's CloudFormation service role (the target-account stack's output CloudFormationServiceRoleArn); the orchestrator's own role is of another account.`,
    );
  }
  const roleAccount = accountOf(input.cloudFormationRoleArn);
  if (roleAccount !== targetAccount) {
    throw new InvalidInputError(
      `Invalid deployment input: cloudFormationRoleArn "${input.cloudFormationRoleArn}" is a role of account ${roleAccount}, but targetRoleArn deploys into account ${targetAccount}. CloudFormation can only use a service role of the account it deploys into: name a role of account ${targetAccount}.`,
    );
  }
}

/** The account in an ARN (`arn:partition:service:region:account:...`), when it has one. */
function accountOf(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/**
 * CloudFormation takes only a service role of the account it deploys into. A role of another
 * account would pass the schema and fail later, obscurely, at CreateStack or CreateChangeSet.
 */
function checkRoleAccount(roleArn: string | undefined, runningArn: string | undefined): void {
  const roleAccount = accountOf(roleArn);
  const deployAccount = accountOf(runningArn);
  if (!roleAccount || !deployAccount || roleAccount === deployAccount) return;
  throw new InvalidInputError(
    `Invalid deployment input: cloudFormationRoleArn "${roleArn}" is a role of account ${roleAccount}, but this deployment runs in account ${deployAccount}. CloudFormation can only use a service role of the account it deploys into: name a role of account ${deployAccount}, or leave cloudFormationRoleArn out to use the orchestrator's own.`,
  );
}
