/**
 * The fault-injection runs with `"onUnsafe": "new-stack"`: the unsafe change is deployed as a new
 * generation beside the live stack, whatever faults hit the way. What must hold:
 * - the live stack is never changed (no execute, no update: its status stays what it was);
 * - at most maxStacks (2) generations exist: the live one and one beside it, however often a
 *   retried task or a duplicated job ran Plan New Stack;
 * - a deployment reported successful left a new generation CREATE_COMPLETE;
 * - a new generation that reached CREATE_COMPLETE is not reported as a plain failure (an outcome
 *   that could not be learned may be reported as such).
 */
import { generationPattern } from '../../functions/shared/generations';
import type { SeededRandom } from '../../local/sandbox/random';
import type { CloudFormationSandbox } from '../../local/sandbox/cloudformation/service';

/** The share of unsafe runs (not already approval runs) that say onUnsafe new-stack. */
const NEW_STACK_SHARE = 0.4;

export function newStackPlan(random: SeededRandom, eligible: boolean): { newStack?: true } {
  const chosen = random.next() < NEW_STACK_SHARE;
  return eligible && chosen ? { newStack: true } : {};
}

interface Outcome {
  via: string;
  status: string;
  succeeded: boolean;
  error?: string;
  cause?: string;
}

export function newStackViolations(cloudFormation: CloudFormationSandbox, liveStackName: string, liveStatusBefore: string | undefined, outcomes: Outcome[]): string[] {
  const violations: string[] = [];
  const live = cloudFormation.stack(liveStackName);
  if (live?.status !== liveStatusBefore) violations.push(`live-changed: ${liveStackName} went from ${liveStatusBefore} to ${live?.status}`);
  const ofLineage = generationPattern(liveStackName);
  const generations = cloudFormation
    .allStacks()
    .filter((stack) => stack.status !== 'DELETE_COMPLETE' && stack.stackName !== liveStackName && ofLineage.test(stack.stackName));
  if (generations.length > 1) violations.push(`too-many-stacks: ${generations.length} new generations beside ${liveStackName}: ${generations.map((stack) => stack.stackName).join(', ')}`);
  const created = generations.some((stack) => stack.status === 'CREATE_COMPLETE');
  for (const outcome of outcomes) {
    if (outcome.succeeded && !created) violations.push(`false-success: a ${outcome.via} new-stack deployment was reported succeeded, but no new generation is CREATE_COMPLETE`);
    const unknown = /may still be|may be changing|could not be (read|learned)|StackOutcomeUnknown|ExecutionOverdue|outcome.*unknown/i.test(`${outcome.error} ${outcome.cause}`);
    if (!outcome.succeeded && created && !unknown) {
      violations.push(`false-failure: the new generation reached CREATE_COMPLETE but the ${outcome.via} deployment was reported ${outcome.status}: ${outcome.error}: ${(outcome.cause ?? '').slice(0, 160)}`);
    }
  }
  return violations;
}
