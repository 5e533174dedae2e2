import type { Sandbox } from './sandbox';
import { handler as completeStackWait } from '../functions/complete-stack-wait/handler';
import { STACK_STATUS_EVENT_PATTERN, STACK_WAIT_TABLE_ENV } from '../functions/shared/stack-events';

/** The wait table's name in the sandbox (any name works; the CDK app lets CloudFormation name the real one). */
export const SANDBOX_WAIT_TABLE = 'deploy-orchestrator-stack-waits';

/**
 * Gives an installed sandbox what the CDK app gives an account in event mode: the wait table, the
 * task functions' STACK_WAIT_TABLE, the status change rule with the real completion function as
 * its target, and stack operations that run on their own. Deployments then wait for events
 * (waitMode defaults to event, as in AWS).
 */
export function enableEventMode(sandbox: Sandbox, options: { driverIntervalMilliseconds?: number } = {}): void {
  sandbox.dynamoDb.createTable(SANDBOX_WAIT_TABLE, { partitionKey: 'stackId', sortKey: 'waiter' });
  sandbox.setEnv(STACK_WAIT_TABLE_ENV, SANDBOX_WAIT_TABLE);
  sandbox.events.addRule('StackStatusChange', STACK_STATUS_EVENT_PATTERN, (event) => completeStackWait(event));
  sandbox.startStackDriver(options.driverIntervalMilliseconds);
}
