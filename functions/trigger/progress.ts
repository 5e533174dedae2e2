import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { logger } from '../shared/logger';
import { stepFunctions } from './clients';
import { describeError } from './aws-call-errors';
import { HISTORY_EVENTS_FOR_CURRENT_STATE, MAX_RUNNING_PERCENT_COMPLETE, MIN_PERCENT_COMPLETE } from './limits';

/**
 * How far along a deployment is when it has entered each state of `statemachine/deploy.asl.json`.
 * An estimate for the pipeline console, not a measure: the create path and the change-set path
 * have different lengths, and the wait loops take as long as CloudFormation takes. A unit test
 * keeps this table in step with the states of the definition.
 */
export const PERCENT_COMPLETE_BY_STATE: Readonly<Record<string, number>> = {
  'Prepare Deployment': 5,
  // onUnsafe new-stack: which generation of the stack is live.
  'Follow Generations?': 6,
  'Find Live Generation': 8,
  'Check Stack Existence': 10,
  'Does Stack Exist?': 12,
  // Another deployment holds the stack (onBusy: wait).
  'Wait For Stack To Be Free': 10,
  'Input Rejected': 90,
  // ROLLBACK_COMPLETE stack: delete it, then the create path.
  'Delete Failed Stack': 15,
  'Wait Failed Stack Deletion': 20,
  'Get Failed Stack Deletion Status': 20,
  'Failed Stack Deleted?': 25,
  // New stack.
  'Create Stack': 30,
  'Await Creation Event?': 50,
  'Wait Stack Creation': 50,
  'Get Stack Creation Status': 50,
  'Stack Created?': 50,
  // Existing stack: change set, inspection, update.
  'Create Change Set': 15,
  'Wait Change Set Creation': 20,
  'Get Change Set Creation Status': 20,
  'Change Set Created?': 25,
  'Delete Empty Change Set': 90,
  'Inspect Change Set Changes': 35,
  'Safe to Update Infra?': 40,
  // onUnsafe: approve. A person decides; the change set is kept meanwhile.
  'Await Approval': 42,
  'Approval Timed Out': 90,
  // onUnsafe new-stack: the unsafe change set is deleted and a new stack is created beside the live one.
  'Plan New Stack': 25,
  'Execute Change Set': 45,
  'Await Update Event?': 60,
  // Event mode's wait, for a create or an update.
  'Await Stack Event': 60,
  // Event mode's wait failed: the stack is polled instead.
  'Poll Stack Instead?': 60,
  'Wait Stack Update': 60,
  'Get Stack Update Status': 60,
  'Stack Updated?': 60,
  'Delete Change Set': 90,
  // Failure paths: the change set is cleaned up, or the stack's outcome is unknown.
  'Clean Up Change Set': 90,
  'Clean-Up Failed': 90,
  'Stack Outcome Unknown': 90,
  // The end states are entered a moment before the execution closes.
  'Deployment Succeeded': MAX_RUNNING_PERCENT_COMPLETE,
  'Deployment Failed': MAX_RUNNING_PERCENT_COMPLETE,
};

/** The progress estimate for a running execution in this state; the start for an unknown one. */
export function percentCompleteFor(stateName: string | undefined): number {
  if (stateName === undefined) return MIN_PERCENT_COMPLETE;
  return Math.min(PERCENT_COMPLETE_BY_STATE[stateName] ?? MIN_PERCENT_COMPLETE, MAX_RUNNING_PERCENT_COMPLETE);
}

/** The state an execution is in, and how far back in its history it entered it. */
export interface CurrentState {
  name: string;
  /**
   * How many of the newest events, read newest first, reach its StateEntered event (that one
   * included): a later read of the state's data needs no more than these.
   */
  eventsSinceEntered: number;
}

/** The state entered last among these events (newest first), if any. */
export function latestEntered(eventsNewestFirst: HistoryEvent[]): CurrentState | undefined {
  const index = eventsNewestFirst.findIndex((event) => event.type?.endsWith('StateEntered') && event.stateEnteredEventDetails?.name);
  const name = index < 0 ? undefined : eventsNewestFirst[index].stateEnteredEventDetails?.name;
  return name === undefined ? undefined : { name, eventsSinceEntered: index + 1 };
}

/** The name of the state entered last among these events (newest first), if any. */
export function latestEnteredState(eventsNewestFirst: HistoryEvent[]): string | undefined {
  return latestEntered(eventsNewestFirst)?.name;
}

/**
 * The state the execution is in now, read from the newest page of its history. Only cosmetic
 * (the summary and the progress figure), so a failed read is logged and answered with undefined
 * rather than failing a deployment that is running fine.
 */
export async function currentStateOf(executionArn: string): Promise<CurrentState | undefined> {
  try {
    const history = await stepFunctions.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        maxResults: HISTORY_EVENTS_FOR_CURRENT_STATE,
        // Names and types are enough; the states' data can be large and is not the trigger's business.
        includeExecutionData: false,
      }),
    );
    return latestEntered(history.events ?? []);
  } catch (error) {
    logger.warn('Could not read the execution history; reporting progress without the current state', { reason: describeError(error) });
    return undefined;
  }
}
