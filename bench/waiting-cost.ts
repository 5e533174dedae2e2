/**
 * What waiting costs: for stack operations of several lengths, how many polls the backoff makes,
 * how many Step Functions state transitions and Lambda invocations that is, and what it costs at
 * list prices. Run with `npm run bench`.
 */
import { firstPoll, nextPoll } from '../functions/shared/polling';
import { DEFAULT_MAX_WAIT_SECONDS } from '../functions/shared/limits';
import { loadDefinition } from '../statemachine/definition';

/** US East list prices (2026): Standard workflows per state transition; Lambda per request and per GB-second. */
const PRICE_PER_TRANSITION = 0.025 / 1000;
const PRICE_PER_LAMBDA_REQUEST = 0.2 / 1_000_000;
const PRICE_PER_GB_SECOND = 0.0000166667;
const LAMBDA_MEMORY_GB = 0.25;
const LAMBDA_SECONDS_PER_POLL = 0.15;
/** Each poll is three transitions: the Wait state, the status Task, the Choice. */
const TRANSITIONS_PER_POLL = 3;
/** The states of the update path outside its polling loops, in the order an execution enters them. */
const UPDATE_PATH = [
  'Prepare Deployment',
  'Check Stack Existence',
  'Does Stack Exist?',
  'Create Change Set',
  'Inspect Change Set Changes',
  'Safe to Update Infra?',
  'Execute Change Set',
  'Deployment Succeeded',
];
const CHANGE_SET_SECONDS = 20;

function pollsFor(operationSeconds: number): { polls: number; waitedSeconds: number } {
  let state = firstPoll();
  let polls = 1;
  while (state.waitedSeconds + state.waitSeconds < operationSeconds) {
    state = nextPoll(state, { maxWaitSeconds: DEFAULT_MAX_WAIT_SECONDS * 24 }, 'bench');
    polls++;
  }
  return { polls, waitedSeconds: state.waitedSeconds + state.waitSeconds };
}

/** Counted from the definition, so that a renamed or added state cannot leave the figures stale. */
function updatePathCounts(): { transitions: number; lambdaCalls: number } {
  const states = loadDefinition().States;
  const missing = UPDATE_PATH.filter((name) => !states[name]);
  if (missing.length) throw new Error(`bench/waiting-cost.ts names states the definition lacks: ${missing.join(', ')}`);
  return { transitions: UPDATE_PATH.length, lambdaCalls: UPDATE_PATH.filter((name) => states[name].Type === 'Task').length };
}

export function waitingCost(): void {
  const fixed = updatePathCounts();
  const rows = [1, 5, 10, 30, 60].map((minutes) => {
    const stack = pollsFor(minutes * 60);
    const changeSet = pollsFor(CHANGE_SET_SECONDS);
    const polls = stack.polls + changeSet.polls;
    const transitions = fixed.transitions + polls * TRANSITIONS_PER_POLL;
    const lambdaRequests = fixed.lambdaCalls + polls;
    const cost =
      transitions * PRICE_PER_TRANSITION +
      lambdaRequests * (PRICE_PER_LAMBDA_REQUEST + LAMBDA_SECONDS_PER_POLL * LAMBDA_MEMORY_GB * PRICE_PER_GB_SECOND);
    return {
      'stack operation': `${minutes} min`,
      polls,
      'noticed after': `${stack.waitedSeconds - minutes * 60}s`,
      transitions,
      'lambda calls': lambdaRequests,
      'cost (USD)': cost.toFixed(5),
    };
  });

  console.log('Waiting cost of one update deployment (change set ~20 s, then the stack operation):');
  console.table(rows);
}
