import { AssumeRoleCommand, GetCallerIdentityCommand, STSServiceException } from '@aws-sdk/client-sts';
import { raise, type AwsFailure, type ExceptionClass } from '../aws-errors';
import { route, type Route } from '../interceptor';
import type { SeededRandom } from '../random';
import type { VirtualClock } from '../clock';
import { SANDBOX_ACCOUNT, SANDBOX_PARTITION } from '../constants';

/**
 * STS for target accounts: roles that may be assumed (registered by the test or scenario, with the
 * ExternalId their trust policy asks for), AssumeRole handing out credentials that the sandbox
 * recognises again on every later call, and GetCallerIdentity. A role not registered, or asked for
 * with the wrong ExternalId, is refused as AWS refuses it.
 */
export interface AssumableRole {
  roleArn: string;
  /** The ExternalId the trust policy requires; none when unset. */
  externalId?: string;
}

export interface AssumedSession {
  accessKeyId: string;
  roleArn: string;
  account: string;
  sessionName: string;
  /** Handed out once; kept here so that a test can prove they were never logged or recorded. */
  secretAccessKey: string;
  sessionToken: string;
  externalId?: string;
}

/** The access key the sandbox gives the orchestrator's own functions (as Lambda gives a function its role's). */
export const ORCHESTRATOR_ACCESS_KEY_ID = 'ASIASANDBOXORCHESTRATOR';
export const ORCHESTRATOR_PRINCIPAL = `arn:${SANDBOX_PARTITION}:sts::${SANDBOX_ACCOUNT}:assumed-role/SafeDeployOrchestrator-TaskRole/deploy-task`;

const accessDenied = (principal: string, roleArn: string): AwsFailure => ({
  exceptionClass: STSServiceException as unknown as ExceptionClass,
  spec: { name: 'AccessDenied', message: `User: ${principal} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, httpStatusCode: 403, members: { Code: 'AccessDenied', Type: 'Sender' } },
});

export class StsSandbox {
  private readonly roles = new Map<string, AssumableRole>();
  private readonly sessions = new Map<string, AssumedSession>();
  /** Every AssumeRole that succeeded, in order. */
  readonly assumed: AssumedSession[] = [];

  constructor(private readonly deps: { clock: VirtualClock; random: SeededRandom }) {}

  allowRole(role: AssumableRole): void {
    this.roles.set(role.roleArn, { ...role });
  }

  /** The session an access key belongs to; undefined for the orchestrator's own credentials. */
  session(accessKeyId: string | undefined): AssumedSession | undefined {
    return accessKeyId ? this.sessions.get(accessKeyId) : undefined;
  }

  /** The account a caller with this access key acts in. */
  accountOf(accessKeyId: string | undefined): string {
    return this.session(accessKeyId)?.account ?? SANDBOX_ACCOUNT;
  }

  routes(): Route[] {
    return [
      route('AssumeRole', AssumeRoleCommand, (input) => {
        const roleArn = input.RoleArn ?? '';
        const role = this.roles.get(roleArn);
        if (!role || (role.externalId !== undefined && role.externalId !== input.ExternalId)) raise(accessDenied(ORCHESTRATOR_PRINCIPAL, roleArn));
        const session: AssumedSession = {
          accessKeyId: `ASIA${this.deps.random.hex(16).toUpperCase()}`,
          roleArn,
          account: roleArn.split(':')[4],
          sessionName: input.RoleSessionName ?? '',
          secretAccessKey: this.deps.random.hex(40),
          sessionToken: this.deps.random.hex(64),
          ...(input.ExternalId ? { externalId: input.ExternalId } : {}),
        };
        this.sessions.set(session.accessKeyId, session);
        this.assumed.push(session);
        const roleName = roleArn.split('/').pop();
        return {
          Credentials: {
            AccessKeyId: session.accessKeyId,
            SecretAccessKey: session.secretAccessKey,
            SessionToken: session.sessionToken,
            Expiration: new Date(this.deps.clock.now().getTime() + (input.DurationSeconds ?? 3600) * 1000),
          },
          AssumedRoleUser: {
            AssumedRoleId: `AROA${this.deps.random.hex(16).toUpperCase()}:${session.sessionName}`,
            Arn: `arn:${SANDBOX_PARTITION}:sts::${session.account}:assumed-role/${roleName}/${session.sessionName}`,
          },
        };
      }),
      route('GetCallerIdentity', GetCallerIdentityCommand, () => ({
        Account: SANDBOX_ACCOUNT,
        Arn: ORCHESTRATOR_PRINCIPAL,
        UserId: 'AROASANDBOXORCHESTRATOR:deploy-task',
      })),
    ];
  }
}
