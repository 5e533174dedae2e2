import { AsyncLocalStorage } from 'async_hooks';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { sts } from './sts-client';
import { errorName, isAccessDenied, isTransient, errorMessage } from './aws-errors';
import { AwsCallError, AwsTransientError, TargetAccessDeniedError } from './errors';
import type { Deployment, DeploymentTarget } from './state';

/**
 * Where a deployment's CloudFormation calls go. With no target they go to the orchestrator's own
 * account and region, with the function's own credentials. With `targetRoleArn` they go to the
 * target account, with credentials of that role, assumed once per invocation (never kept across
 * invocations, never logged); with `region`, to that region.
 *
 * Each handler runs inside `withDeploymentTarget`, and the shared `cloudFormation` client sends
 * through the current invocation's client, so the helpers that call CloudFormation need not be
 * handed a client.
 */

/** Credentials last the shortest AssumeRole allows: one invocation needs them for seconds. */
const SESSION_SECONDS = 900;
/** RoleSessionName: 2–64 characters of `[\w+=,.@-]`. */
const MAX_SESSION_NAME = 64;

interface Invocation {
  target?: DeploymentTarget;
  sessionName: string;
  client?: CloudFormationClient;
}

const storage = new AsyncLocalStorage<Invocation>();
const ownAccountClient = new CloudFormationClient({});

/** The CloudFormation client of the current invocation's target (the orchestrator's own outside any). */
export function currentCloudFormation(): CloudFormationClient {
  const invocation = storage.getStore();
  if (!invocation?.target || (!invocation.target.roleArn && !invocation.target.region)) return ownAccountClient;
  invocation.client ??= clientFor(invocation.target, invocation.sessionName);
  return invocation.client;
}

/** Runs `run` with the deployment's target as the destination of its CloudFormation calls. */
export function inTargetOf<T>(deployment: Pick<Deployment, 'target' | 'changeSetName'> | undefined, run: () => Promise<T>): Promise<T> {
  return storage.run({ target: deployment?.target, sessionName: sessionNameFor(deployment?.changeSetName) }, run);
}

/** A handler whose event carries the deployment, made to send its CloudFormation calls to the deployment's target. */
export function withDeploymentTarget<E extends { deployment?: Pick<Deployment, 'target' | 'changeSetName'> }, R>(
  handler: (event: E) => Promise<R>,
): (event: E) => Promise<R> {
  return (event) => inTargetOf(event?.deployment, () => handler(event));
}

/**
 * The session name CloudTrail shows for every call made with the assumed role: the deployment's
 * change set name, which is `deploy-<execution name>`, so each call leads back to its execution.
 */
export function sessionNameFor(changeSetName: string | undefined): string {
  const name = (changeSetName ?? 'deploy-orchestrator').replace(/[^\w+=,.@-]/g, '-').slice(0, MAX_SESSION_NAME);
  return name.length >= 2 ? name : 'deploy-orchestrator';
}

function clientFor(target: DeploymentTarget, sessionName: string): CloudFormationClient {
  if (!target.roleArn) return new CloudFormationClient({ region: target.region });
  const roleArn = target.roleArn;
  let assumed: Promise<AwsCredentialIdentity> | undefined;
  return new CloudFormationClient({
    ...(target.region ? { region: target.region } : {}),
    // Assumed on the first call, then the same credentials for the rest of the invocation.
    credentials: () => (assumed ??= assumeRole(roleArn, target.externalId, sessionName).catch((error: unknown) => {
      assumed = undefined;
      throw error;
    })),
  });
}

async function assumeRole(roleArn: string, externalId: string | undefined, sessionName: string): Promise<AwsCredentialIdentity> {
  try {
    const response = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: SESSION_SECONDS, ...(externalId ? { ExternalId: externalId } : {}) }),
    );
    const credentials = response.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) throw new AwsCallError(`STS AssumeRole ${roleArn} returned no credentials.`);
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiration: credentials.Expiration,
    };
  } catch (error) {
    if (error instanceof AwsCallError) throw error;
    if (isTransient(error)) throw new AwsTransientError(`STS AssumeRole ${roleArn} failed with ${errorName(error)}: ${errorMessage(error)} (transient; the state retries it with backoff)`, { cause: error });
    if (isAccessDenied(error)) throw new TargetAccessDeniedError(await accessDeniedMessage(roleArn, externalId), { cause: error });
    throw new AwsCallError(`STS AssumeRole ${roleArn} failed with ${errorName(error)}: ${errorMessage(error)}.`, { cause: error });
  }
}

/** Names the role, the trust it needs and the principal that tried; never the credentials. */
async function accessDeniedMessage(roleArn: string, externalId: string | undefined): Promise<string> {
  const principal = await sts
    .send(new GetCallerIdentityCommand({}))
    .then((identity) => identity.Arn ?? 'this function\'s role')
    .catch(() => 'this function\'s role');
  const account = roleArn.split(':')[4];
  return (
    `The deployment may not assume targetRoleArn ${roleArn}: AccessDenied for ${principal}. ` +
    `The role's trust policy must allow sts:AssumeRole to the orchestrator's task roles${externalId ? ', with the condition sts:ExternalId equal to the input document\'s targetExternalId' : ''}, ` +
    `and their own policy must allow assuming it. Deploy the target-account stack in account ${account} ` +
    '(npx cdk deploy SafeDeployTarget -c orchestratorAccount=<this account>), or fix targetRoleArn. Nothing was changed in the target account.'
  );
}
