import { ListChangeSetsCommand, type ChangeSetSummary } from '@aws-sdk/client-cloudformation';
import { cloudFormation } from './cloudformation-client';
import { awsCall } from './aws-errors';
import { CHANGE_SET_NAME_PREFIX } from './names';
import { MAX_CHANGE_SET_LIST_PAGES, STALE_LOCK_GRACE_SECONDS } from './limits';
import type { Deployment } from './state';

/**
 * One deployment per stack at a time, with nothing but CloudFormation: every deployment's change
 * set is its lock record. Its name comes from the execution and its description says when the
 * deployment started and when its budget ends, so any deployment (pipeline, console, `run --local`)
 * can see who else holds the stack:
 *
 *   1. Check Stack Existence lists the stack's change sets; a live record of another deployment
 *      means the stack is busy.
 *   2. Create Change Set creates its own record, then lists again. The oldest live record wins;
 *      a younger deployment deletes its own change set and backs off.
 *
 * Two deployments racing both list after both created, so at least the younger one sees the older.
 * A record whose deadline has passed belongs to a deployment that is no longer running: it never
 * blocks. Change sets that are not lock records (a person's own) are never read as locks.
 */
export const LOCK_DESCRIPTION_PREFIX = 'deploy-orchestrator';

export interface LockRecord {
  changeSetName: string;
  changeSetId?: string;
  /** The execution that made it, as the description names it. */
  execution: string;
  startedAt: string;
  deadline: string;
  createdAt?: Date;
}

/** The change set description that makes it a lock record (CloudFormation allows 1,024 characters). */
export function lockDescription(deployment: Deployment, executionName: string): string {
  const startedAt = deployment.startedAt ?? new Date().toISOString();
  const deadline = deployment.deadline ?? new Date(Date.parse(startedAt) + deployment.maxWaitSeconds * 1000).toISOString();
  return `${LOCK_DESCRIPTION_PREFIX} execution=${executionName} started=${startedAt} deadline=${deadline} template=${deployment.templatePath}`.slice(0, 1024);
}

const RECORD = new RegExp(`^${LOCK_DESCRIPTION_PREFIX} execution=(\\S+) started=(\\S+) deadline=(\\S+)`);

/** Reads a change set summary as a lock record; undefined when it is not one. */
export function parseLockRecord(summary: ChangeSetSummary): LockRecord | undefined {
  if (!summary.ChangeSetName?.startsWith(CHANGE_SET_NAME_PREFIX)) return undefined;
  const match = RECORD.exec(summary.Description ?? '');
  if (!match) return undefined;
  return {
    changeSetName: summary.ChangeSetName,
    ...(summary.ChangeSetId ? { changeSetId: summary.ChangeSetId } : {}),
    execution: match[1],
    startedAt: match[2],
    deadline: match[3],
    ...(summary.CreationTime ? { createdAt: new Date(summary.CreationTime) } : {}),
  };
}

/** Change set states that still stand for a running deployment: being made, waiting, or executing. */
const LIVE_STATUSES = new Set(['CREATE_PENDING', 'CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
const LIVE_EXECUTION_STATUSES = new Set(['UNAVAILABLE', 'AVAILABLE', 'EXECUTE_IN_PROGRESS']);

function isLive(summary: ChangeSetSummary, record: LockRecord, now: number): boolean {
  const deadline = Date.parse(record.deadline);
  if (Number.isFinite(deadline) && now > deadline + STALE_LOCK_GRACE_SECONDS * 1000) return false;
  return LIVE_STATUSES.has(summary.Status ?? '') && LIVE_EXECUTION_STATUSES.has(summary.ExecutionStatus ?? 'UNAVAILABLE');
}

/** The live lock records of other deployments on the stack, oldest first. */
export async function otherDeployments(deployment: Deployment, now: number = Date.now()): Promise<LockRecord[]> {
  return liveOthers(await stackChangeSets(deployment.stackName), deployment, now);
}

/** The change set that was made first holds the stack; names break a tie the same way for everyone. */
export function olderFirst(a: Pick<LockRecord, 'createdAt' | 'startedAt' | 'changeSetName'>, b: Pick<LockRecord, 'createdAt' | 'startedAt' | 'changeSetName'>): number {
  const time = (record: Pick<LockRecord, 'createdAt' | 'startedAt'>) => record.createdAt?.getTime() ?? Date.parse(record.startedAt);
  return time(a) - time(b) || a.changeSetName.localeCompare(b.changeSetName);
}

/** The live record, older than this deployment's own, that it must give way to; undefined when it holds the stack. */
export async function olderDeployment(deployment: Deployment, now: number = Date.now()): Promise<LockRecord | undefined> {
  const summaries = await stackChangeSets(deployment.stackName);
  const mine = summaries.filter((summary) => sameStack(summary, deployment.stackName)).map(parseLockRecord).find((record) => record?.changeSetName === deployment.changeSetName);
  const others = liveOthers(summaries, deployment, now);
  return mine ? others.find((other) => olderFirst(other, mine) < 0) : others[0];
}

function liveOthers(summaries: ChangeSetSummary[], deployment: Deployment, now: number): LockRecord[] {
  return summaries
    .filter((summary) => sameStack(summary, deployment.stackName))
    .map((summary) => ({ summary, record: parseLockRecord(summary) }))
    .filter((entry): entry is { summary: ChangeSetSummary; record: LockRecord } => !!entry.record)
    .filter(({ summary, record }) => record.changeSetName !== deployment.changeSetName && isLive(summary, record, now))
    .map(({ record }) => record)
    .sort(olderFirst);
}

/** Some endpoints ignore ListChangeSets' StackName filter: keep only this stack's change sets. */
function sameStack(summary: ChangeSetSummary, stackName: string): boolean {
  return !summary.StackName || summary.StackName === stackName;
}

async function stackChangeSets(stackName: string): Promise<ChangeSetSummary[]> {
  const summaries: ChangeSetSummary[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_CHANGE_SET_LIST_PAGES; page++) {
    const response = await awsCall(`CloudFormation ListChangeSets ${stackName}`, () =>
      cloudFormation.send(new ListChangeSetsCommand({ StackName: stackName, NextToken: nextToken })),
    );
    summaries.push(...(response.Summaries ?? []));
    nextToken = response.NextToken;
    if (!nextToken) break;
  }
  return summaries;
}

/** How a busy stack is explained: who holds it, since when. */
export function busyMessage(stackName: string, holder: LockRecord): string {
  const started = new Date(holder.startedAt);
  const when = Number.isFinite(started.getTime()) ? `${started.toISOString().slice(11, 16)} UTC on ${started.toISOString().slice(0, 10)}` : holder.startedAt;
  return `Stack ${stackName} is busy: execution ${holder.execution} (started ${when}) is deploying it (its change set ${holder.changeSetName}).`;
}
