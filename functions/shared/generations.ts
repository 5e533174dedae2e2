import { ListStacksCommand, StackStatus } from '@aws-sdk/client-cloudformation';
import { cloudFormation } from './cloudformation-client';
import { toDeploymentError } from './aws-errors';
import { AwsCallError } from './errors';
import { GENERATION_SUFFIX_LENGTH } from './limits';
import type { Generation, Generations } from './state';

/**
 * onUnsafe new-stack deploys an unsafe change as a new stack beside the live one. The stacks of
 * one lineage are `<environment>-<stack>` (the first generation) and `<environment>-<stack>-<suffix>`,
 * the suffix being 8 hex digits (names.ts generationSuffix). The pipeline goes on deploying to the
 * newest generation that completed its create: the one a traffic switch after the deploy points to.
 */

/** ListStacks pages are of 100 summaries; an account holds at most 2,000 stacks by default (deleted ones are filtered out). */
const MAX_LIST_PAGES = 100;

/** Every status but DELETE_COMPLETE: ListStacks keeps deleted stacks for 90 days. */
const EXISTING_STATUSES = Object.values(StackStatus).filter((status) => status !== StackStatus.DELETE_COMPLETE);

/**
 * Statuses of a stack that never finished being created, or is going away: never the live
 * generation. A failed create of a new generation is thereby retried beside the same live stack.
 */
const NEVER_LIVE = new Set<string>([
  'CREATE_IN_PROGRESS',
  'CREATE_FAILED',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_FAILED',
  'ROLLBACK_COMPLETE',
  'REVIEW_IN_PROGRESS',
  'DELETE_IN_PROGRESS',
  'DELETE_FAILED',
]);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The names of a lineage's stacks: the lineage's own name, or it with a generation suffix (group 1). */
export function generationPattern(lineage: string): RegExp {
  return new RegExp(`^${escapeRegExp(lineage)}(-[0-9a-f]{${GENERATION_SUFFIX_LENGTH - 1}})?$`);
}

/** The existing stacks of a lineage, oldest first. */
export async function listGenerations(lineage: string): Promise<Generation[]> {
  const ofLineage = generationPattern(lineage);
  const found: Generation[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    let response;
    try {
      response = await cloudFormation.send(new ListStacksCommand({ StackStatusFilter: EXISTING_STATUSES, NextToken: nextToken }));
    } catch (error) {
      throw toDeploymentError(error, `CloudFormation ListStacks (the generations of ${lineage})`);
    }
    for (const summary of response.StackSummaries ?? []) {
      if (!summary.StackName || !summary.StackId || summary.StackStatus === 'DELETE_COMPLETE' || !ofLineage.test(summary.StackName)) continue;
      found.push({
        stackName: summary.StackName,
        stackId: summary.StackId,
        status: summary.StackStatus ?? 'UNKNOWN',
        createdAt: (summary.CreationTime ?? new Date(0)).toISOString(),
      });
    }
    nextToken = response.NextToken;
    if (!nextToken) return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.stackName.localeCompare(b.stackName));
  }
  throw new AwsCallError(`CloudFormation ListStacks returned more than ${MAX_LIST_PAGES} pages while looking for the generations of ${lineage}; the lineage could not be read whole, so nothing was deployed.`);
}

/** The generation deployed to: the newest that completed its create, or the lineage's own name when there is none. */
export function liveGeneration(lineage: string, stacks: Generation[]): string {
  const live = stacks.filter((stack) => !NEVER_LIVE.has(stack.status));
  return live.length ? live[live.length - 1].stackName : lineage;
}

export async function findGenerations(lineage: string): Promise<Generations> {
  const stacks = await listGenerations(lineage);
  return { lineage, live: liveGeneration(lineage, stacks), stacks };
}

/** One line per generation, for messages: `dev-app (UPDATE_COMPLETE, created 2026-12-01T10:00:00.000Z)`. */
export function describeGenerations(stacks: Generation[]): string {
  return stacks.map((stack) => `${stack.stackName} (${stack.status}, created ${stack.createdAt})`).join(', ');
}
