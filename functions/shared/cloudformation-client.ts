import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { currentCloudFormation } from './target';

/**
 * One client per service, each in its own module so that a Lambda's bundle carries only the
 * clients it uses. Tests and the offline sandbox intercept `send`.
 *
 * This one sends each call to the current deployment's target (target.ts): the orchestrator's own
 * account and region, or the target account through the role assumed there for this invocation.
 */
export const cloudFormation: CloudFormationClient = new Proxy({} as CloudFormationClient, {
  get(_unused, property) {
    const client = currentCloudFormation();
    const value: unknown = Reflect.get(client, property, client);
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(client) : value;
  },
});
