import { deleteChangeSet } from '../shared/delete-change-set';
import { InvalidInputError, NameCollisionError, TooManyStacksError } from '../shared/errors';
import { describeCollisions, fixedNames, nameCollisions } from '../shared/fixed-names';
import { describeGenerations, listGenerations } from '../shared/generations';
import { DEFAULT_MAX_STACKS } from '../shared/limits';
import { logger } from '../shared/logger';
import { generationSuffix } from '../shared/names';
import type { ChangeSetState, Deployment, Inspection, StackCheck } from '../shared/state';
import { withDeploymentTarget } from '../shared/target';
import { loadValidatedTemplate } from '../shared/template-source';
import { liveNamesOf } from './live-names';

export interface PlanNewStackEvent {
  deployment: Deployment;
  stack: StackCheck;
  changeSet: ChangeSetState;
  inspection: Inspection;
}

/**
 * onUnsafe new-stack, once the change set was found unsafe: the live stack is left untouched and
 * the new version goes beside it, as a new generation of the same template, parameters and tags.
 * Before anything is created, it checks that the generations stay within maxStacks and that no
 * fixed name of the template is one the live stack holds. Then the unsafe change set is deleted,
 * and the deployment's stackName becomes the new generation's, which the state machine creates
 * (or, for a retried job, finds and updates).
 *
 * A failure here goes to Clean Up Change Set, which deletes the change set and reports it.
 */
export const handler = withDeploymentTarget(async ({ deployment, stack, changeSet, inspection }: PlanNewStackEvent): Promise<Deployment> => {
  const lineage = deployment.generations?.lineage;
  if (!lineage) {
    throw new InvalidInputError('Plan New Stack needs the deployment\'s generations (from Find Live Generation): this execution\'s data lacks them. Start the deployment again.');
  }
  const previousStackName = deployment.stackName;
  const previousStackId = stack.stackId ?? changeSet.stackId ?? previousStackName;
  const suffix = generationSuffix(previousStackId, deployment);
  const stackName = `${lineage}-${suffix}`;

  // Listed again rather than taken from deployment.generations: a stack made since Find Live Generation counts too.
  const generations = await listGenerations(lineage);
  const maxStacks = deployment.maxStacks ?? DEFAULT_MAX_STACKS;
  const after = new Set([...generations.map((generation) => generation.stackName), stackName]);
  if (after.size > maxStacks) {
    throw new TooManyStacksError(
      `The change to ${previousStackName} is unsafe (${inspection.summary}), and onUnsafe is "new-stack", but ${lineage} already has ${generations.length} generation(s): ${describeGenerations(generations)}. ` +
        `A new one (${stackName}) would make ${after.size}, over maxStacks ${maxStacks}. Delete the generations no longer in use (this deployer deletes no stack it was not asked to), or raise maxStacks, then run the deployment again. Nothing was created; ${previousStackName} is untouched.`,
    );
  }

  const loaded = await loadValidatedTemplate(deployment);
  const fixed = fixedNames(loaded.template, deployment.parameters);
  const collisions = fixed.length ? nameCollisions(fixed, await liveNamesOf(previousStackName)) : [];
  if (collisions.length) {
    throw new NameCollisionError(
      `The change to ${previousStackName} is unsafe (${inspection.summary}), and onUnsafe is "new-stack", but a new stack ${stackName} from this template would take names ${previousStackName} holds: ${describeCollisions(collisions)}. ` +
        'Let CloudFormation generate these names (remove the property), or derive them from the stack name (for example !Sub "${AWS::StackName}-orders"), then run the deployment again. Nothing was created; ' +
        `${previousStackName} is untouched.`,
    );
  }

  await deleteChangeSet(deployment, changeSet);
  logger.warn('Unsafe change deployed as a new stack', { previousStackName, stackName, fixedNames: fixed.length, generations: generations.length });
  return { ...deployment, stackName, newStack: { previousStackName, previousStackId, suffix, reason: inspection.summary.replace(/\.$/, '') } };
});
