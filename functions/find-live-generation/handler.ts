import { findGenerations } from '../shared/generations';
import { logger } from '../shared/logger';
import type { Deployment } from '../shared/state';
import { withDeploymentTarget } from '../shared/target';

export interface FindLiveGenerationEvent {
  deployment: Deployment;
}

/**
 * onUnsafe new-stack: the deployment goes to the newest generation of its stack that completed its
 * create (a change that was unsafe before left the older one untouched beside it). Nothing is
 * changed here; the deployment's stackName becomes that generation's.
 */
export const handler = withDeploymentTarget(async ({ deployment }: FindLiveGenerationEvent): Promise<Deployment> => {
  // A retried task sees the deployment as Prepare Deployment made it: stackName is still the lineage's.
  const lineage = deployment.generations?.lineage ?? deployment.stackName;
  const generations = await findGenerations(lineage);
  logger.info('Generations found', { lineage, live: generations.live, generations: generations.stacks.map((stack) => stack.stackName) });
  return { ...deployment, stackName: generations.live, generations };
});
