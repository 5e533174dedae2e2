import { logger } from '../shared/logger';
import { prepareDeployment } from '../shared/prepare';
import type { Deployment } from '../shared/state';

export interface PrepareDeploymentEvent {
  /** The execution's input document, as typed in the console or written by the trigger. */
  input: unknown;
  executionName: string;
}

export const handler = async (event: PrepareDeploymentEvent): Promise<Deployment> => {
  const deployment = await prepareDeployment(event.input, event.executionName);
  logger.info('Deployment prepared', {
    stackName: deployment.stackName,
    templatePath: deployment.templatePath,
    templateBytes: deployment.template.bytes,
    resourceCount: deployment.template.resourceCount,
  });
  return deployment;
};
