import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { logger } from '../shared/logger';
import { describeError } from './aws-call-errors';
import { stepFunctions } from './clients';
import { HISTORY_PAGE_SIZE, MAX_HISTORY_PAGES } from './limits';

/**
 * What an ABORTED or TIMED_OUT execution may have left behind, read from its history: the
 * execution stopped wherever it was, so a stack operation CloudFormation accepted carries on
 * without anyone watching, and a change set it created stays on the stack.
 */

/**
 * The Task states that start a stack operation, and the states that wait for it to end (by event,
 * or by polling: wait, read the status, decide). Leaving them means a read saw the operation
 * finish. A unit test keeps this table equal to the waits of `statemachine/deploy.asl.json`.
 */
/**
 * The states that wait for a create or an update: event mode's wait is one state for both, and
 * when it fails it falls back to either polling loop, so both operations share them.
 */
const CREATE_OR_UPDATE_WAITS = [
  'Await Creation Event?',
  'Await Update Event?',
  'Await Stack Event',
  'Poll Stack Instead?',
  'Wait Stack Creation',
  'Get Stack Creation Status',
  'Stack Created?',
  'Wait Stack Update',
  'Get Stack Update Status',
  'Stack Updated?',
] as const;

export const STACK_OPERATIONS: Readonly<Record<string, { loop: readonly string[]; what: string }>> = {
  'Create Stack': { loop: CREATE_OR_UPDATE_WAITS, what: 'creation' },
  'Execute Change Set': { loop: CREATE_OR_UPDATE_WAITS, what: 'update' },
  'Delete Failed Stack': { loop: ['Wait Failed Stack Deletion', 'Get Failed Stack Deletion Status', 'Failed Stack Deleted?'], what: 'deletion' },
};

/** The Task state that creates the deployment's change set. */
export const CHANGE_SET_CREATOR = 'Create Change Set';
/** Task states after whose success the change set is gone: executed, or deleted by any delete or clean-up state. */
const CHANGE_SET_CONSUMER = /^(Execute Change Set|Plan New Stack|(Delete|Clean Up)\b.*\bChange Set\b.*)$/;
/** onUnsafe new-stack: after it, the deployment's stack is the newest generation, not the one the input names. */
const GENERATION_FINDER = 'Find Live Generation';

const TASK_SUCCEEDED = new Set(['LambdaFunctionSucceeded', 'TaskSucceeded']);

export type Certainty = 'no' | 'maybe' | 'yes';

export interface StoppedExecutionFindings {
  /** The stack operation this execution started last, if any. */
  stackOperation?: {
    state: string;
    /** `yes`: accepted and no status read saw it finish; `maybe`: the execution stopped inside the task that starts it. */
    mayBeChanging: Certainty;
  };
  /** Whether the deployment's change set may still be on the stack. */
  changeSetLeft: Certainty;
  /** The state the execution was in when it stopped. */
  stoppedIn?: string;
  /** onUnsafe new-stack: the stack may be a generation of the one the input names (`<stack>-<suffix>`). */
  generations?: boolean;
}

/** Reads the findings from the history events, oldest first. */
export function findingsFrom(events: HistoryEvent[]): StoppedExecutionFindings {
  let current: string | undefined;
  let currentSucceeded = false;
  let operation: { state: string; finished: boolean } | undefined;
  let changeSet: Certainty = 'no';
  let generations = false;

  for (const event of events) {
    const type = event.type ?? '';
    const entered = type.endsWith('StateEntered') ? event.stateEnteredEventDetails?.name : undefined;
    if (entered === GENERATION_FINDER) generations = true;
    if (entered !== undefined) {
      if (operation && !operation.finished && operation.state !== entered && !STACK_OPERATIONS[operation.state].loop.includes(entered)) {
        operation.finished = true;
      }
      current = entered;
      currentSucceeded = false;
      continue;
    }
    if (!TASK_SUCCEEDED.has(type) || current === undefined) continue;
    currentSucceeded = true;
    if (STACK_OPERATIONS[current]) operation = { state: current, finished: false };
    if (current === CHANGE_SET_CREATOR) changeSet = 'yes';
    else if (CHANGE_SET_CONSUMER.test(current)) changeSet = 'no';
  }

  // The execution stopped inside a task whose work may have been done although no result came back.
  const stoppedInside = current !== undefined && !currentSucceeded;
  if (stoppedInside && current === CHANGE_SET_CREATOR && changeSet === 'no') changeSet = 'maybe';
  if (stoppedInside && current !== undefined && CHANGE_SET_CONSUMER.test(current) && changeSet === 'yes') changeSet = 'maybe';

  let stackOperation: StoppedExecutionFindings['stackOperation'];
  if (stoppedInside && current !== undefined && STACK_OPERATIONS[current]) stackOperation = { state: current, mayBeChanging: 'maybe' };
  else if (operation) stackOperation = { state: operation.state, mayBeChanging: operation.finished ? 'no' : 'yes' };
  return { stackOperation, changeSetLeft: changeSet, stoppedIn: current, ...(generations ? { generations } : {}) };
}

/** The whole history, oldest first, without the states' data; undefined when it cannot be read. */
export async function readHistory(executionArn: string): Promise<HistoryEvent[] | undefined> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  try {
    for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
      const answer = await stepFunctions.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: HISTORY_PAGE_SIZE, includeExecutionData: false, nextToken }),
      );
      events.push(...(answer.events ?? []));
      nextToken = answer.nextToken;
      if (!nextToken) return events;
    }
  } catch (error) {
    logger.warn('Could not read the stopped execution\'s history', { reason: describeError(error) });
    return undefined;
  }
  logger.warn('The stopped execution\'s history is longer than the trigger reads', { pages: MAX_HISTORY_PAGES });
  return undefined;
}

export interface StoppedDeployment {
  /** The deployed stack's name, when the execution's input says it. */
  stackName?: string;
  changeSetName: string;
  stackUrl?: string;
}

/**
 * The sentences a stopped execution's failure adds: whether the stack may still be changing and
 * whether a change set may have been left, each with what to do. Without findings (the history
 * could not be read) both are possible, and the message says so.
 */
export function stoppedExecutionNotes(findings: StoppedExecutionFindings | undefined, deployment: StoppedDeployment): string[] {
  // With onUnsafe new-stack, which generation the execution worked on is in its data, which the trigger does not read.
  const generation = findings?.generations && deployment.stackName;
  const stack = generation
    ? `the newest generation of stack ${deployment.stackName} (${deployment.stackName} or ${deployment.stackName}-<suffix>, onUnsafe new-stack)`
    : deployment.stackName
      ? `stack ${deployment.stackName}`
      : 'the stack';
  const look = deployment.stackUrl && !generation ? ` (${deployment.stackUrl})` : '';
  const deleteCommand = deployment.stackName
    ? `aws cloudformation delete-change-set --stack-name ${generation ? '<that stack>' : deployment.stackName} --change-set-name ${deployment.changeSetName}`
    : undefined;
  const deleteAdvice = deleteCommand ? ` Delete it (${deleteCommand}) unless you mean to keep it.` : ' Delete it unless you mean to keep it.';

  if (!findings) {
    return [
      `Its history could not be read, so ${stack} may still be changing and change set ${deployment.changeSetName} may still be on it: look at both in the CloudFormation console${look} before retrying the stage.`,
    ];
  }

  const notes: string[] = [];
  const operation = findings.stackOperation;
  if (!operation) {
    notes.push(`It stopped before changing ${stack}${findings.stoppedIn ? ` (in "${findings.stoppedIn}")` : ''}.`);
  } else {
    const what = STACK_OPERATIONS[operation.state].what;
    if (operation.mayBeChanging === 'yes') {
      notes.push(
        `${capitalised(stack)} may still be changing: "${operation.state}" was accepted and no status read saw the ${what} finish. Watch it in the CloudFormation console${look} and wait for it to settle before retrying the stage.`,
      );
    } else if (operation.mayBeChanging === 'maybe') {
      notes.push(
        `${capitalised(stack)} may be changing: the execution stopped inside "${operation.state}", which CloudFormation may have accepted. Look at it in the CloudFormation console${look} before retrying the stage.`,
      );
    } else {
      notes.push(`The ${what} of ${stack} had finished before the execution stopped.`);
    }
  }

  if (findings.changeSetLeft === 'yes') {
    notes.push(`Change set ${deployment.changeSetName} was created and neither executed nor deleted: it is still on ${stack}.${deleteAdvice}`);
  } else if (findings.changeSetLeft === 'maybe') {
    notes.push(`Change set ${deployment.changeSetName} may still be on ${stack}: the execution stopped while creating or removing it. Look at the stack's change sets${look};${deleteAdvice.replace(' Delete it', ' delete it')}`);
  }
  return notes;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
