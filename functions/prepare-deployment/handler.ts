import type { Context } from 'aws-lambda';
import { logger } from '../shared/logger';
import { prepareDeployment } from '../shared/prepare';
import type { Deployment } from '../shared/state';

export interface PrepareDeploymentEvent {
  /** The execution's input document, as typed in the console or written by the trigger. */
  input: unknown;
  executionName: string;
  /** `$$.Execution.StartTime`: the deployment's budget is counted from it. */
  startTime?: string;
  /** `$$.Execution.Id`. */
  executionArn?: string;
}

/**
 * `context` is Lambda's: its function ARN says which account the deployment runs in (the local
 * engine passes none, and then the service role's account is not checked).
 */
export const handler = async (event: PrepareDeploymentEvent, context?: Pick<Context, 'invokedFunctionArn'>): Promise<Deployment> => {
  const deployment = await prepareDeployment(event.input, event.executionName, event.startTime, context?.invokedFunctionArn);
  logger.info('Deployment prepared', {
    stackName: deployment.stackName,
    templatePath: deployment.templatePath,
    templateBytes: deployment.template.bytes,
    resourceCount: deployment.template.resourceCount,
  });
  return deployment;
};
