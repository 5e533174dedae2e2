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

export const handler = async (event: PrepareDeploymentEvent): Promise<Deployment> => {
  const deployment = await prepareDeployment(event.input, event.executionName, event.startTime);
  logger.info('Deployment prepared', {
    stackName: deployment.stackName,
    templatePath: deployment.templatePath,
    templateBytes: deployment.template.bytes,
    resourceCount: deployment.template.resourceCount,
  });
  return deployment;
};
