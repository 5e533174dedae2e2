/**
 * What waiting costs and how soon the end is noticed, for three strategies of one update
 * deployment (change set, inspection, execute, wait for the stack):
 *
 * - baseline: the blog's sample, a fixed 10 s Wait → Task → Choice loop for the change set and the stack;
 * - poll: this project's polling mode, paced by the status tasks' retriers (STACK_POLL, CHANGE_SET_POLL);
 * - event: this project's event mode, woken by the stack's status change event (EVENT_FALLBACK_SECONDS).
 *
 * A model, not a run in AWS: each strategy is the sequence of states an execution enters, with
 * the paces and the fallback read from the project's constants and states counted from the
 * definition, and the CloudFormation calls each handler makes (counted from the handlers' code,
 * below). End times are drawn at random from a printed seed, so detection is a mean and a p95.
 */
import { CHANGE_SET_POLL, STACK_POLL } from '../functions/shared/limits';
import { retryDelaySeconds } from '../functions/shared/polling';
import { EVENT_FALLBACK_SECONDS } from '../functions/shared/stack-events';
import { loadDefinition } from '../statemachine/definition';
import { SeededRandom } from '../local/sandbox/random';

const SEED = Number(process.env.BENCH_SEED ?? 20261204);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2000);
const STACK_MINUTES = [0.5, 2, 10, 60];
/** A stack's real duration: the nominal one ± this fraction, uniformly. */
const STACK_SPREAD = 0.25;
/** How long CloudFormation takes to create a change set, uniformly in this range (seconds). */
const CHANGE_SET_SECONDS: [number, number] = [2, 8];
/** EventBridge's delivery delay, and the completion function's run (two reads, one answer), in seconds. */
const EVENT_DELAY_SECONDS = Number(process.env.BENCH_EVENT_DELAY ?? 0.5);
const COMPLETION_SECONDS = 0.4;
/** The sample's fixed wait. */
const BASELINE_WAIT_SECONDS = 10;
const CONCURRENT_DEPLOYMENTS = 100;
/** The concurrent deployments start within this window (a release train, a monorepo's pipelines). */
const CONCURRENT_START_WINDOW_SECONDS = 60;

/** Issue 12's targets. */
const TARGETS = {
  eventTransitions: 30,
  eventLambdaCalls: 12,
  eventDetectionSeconds: 2,
  pollReductionAt60: 3,
  pollDetectionP95Seconds: 20,
};

/** US East list prices (2026): Standard workflows per state transition; Lambda per request and per GB-second. */
const PRICE_PER_TRANSITION = 0.025 / 1000;
const PRICE_PER_LAMBDA_REQUEST = 0.2 / 1_000_000;
const PRICE_PER_GB_SECOND = 0.0000166667;
const LAMBDA_GB_SECONDS_PER_CALL = 0.25 * 0.15;

type Strategy = 'baseline' | 'poll' | 'event';
const STRATEGIES: Strategy[] = ['baseline', 'poll', 'event'];

interface Deployment {
  transitions: number;
  lambdaCalls: number;
  /** When each CloudFormation call is made, in seconds from the deployment's start. */
  cloudFormationCalls: number[];
  detectionSeconds: number;
}

/** Attempt times of a status task polled by its retrier, from the moment its loop starts. */
function retrierAttempts(schedule: typeof STACK_POLL, until: number): number[] {
  const times = [schedule.firstWaitSeconds];
  for (let n = 1; times[times.length - 1] < until; n++) times.push(times[times.length - 1] + retryDelaySeconds(schedule, n));
  return times;
}

function fixedAttempts(every: number, until: number): number[] {
  const times = [every];
  while (times[times.length - 1] < until) times.push(times[times.length - 1] + every);
  return times;
}

/**
 * One deployment: the change set is ready `changeSet` seconds after it is created, and the
 * stack's update takes `stack` seconds from the execute.
 */
function deploy(strategy: Strategy, changeSet: number, stack: number): Deployment {
  const calls: number[] = [];
  const call = (at: number, count = 1): void => {
    for (let i = 0; i < count; i++) calls.push(at);
  };
  if (strategy === 'baseline') {
    // Check Stack Existence (DescribeStacks), Does Stack Exist?, Create Change Set (CreateChangeSet).
    call(0, 2);
    const changeSetPolls = fixedAttempts(BASELINE_WAIT_SECONDS, changeSet);
    changeSetPolls.forEach((at) => call(at)); // DescribeChangeSet
    const executed = changeSetPolls[changeSetPolls.length - 1];
    call(executed, 2); // Inspect (DescribeChangeSet), Execute (ExecuteChangeSet)
    const stackPolls = fixedAttempts(BASELINE_WAIT_SECONDS, stack).map((at) => executed + at);
    stackPolls.forEach((at) => call(at)); // DescribeStacks
    return {
      // Check, Does?, Create, [Wait, Get, Created?]…, Inspect, Safe?, Execute, [Wait, Get, Updated?]…, Succeeded.
      transitions: 3 + 3 * changeSetPolls.length + 3 + 3 * stackPolls.length + 1,
      lambdaCalls: 2 + changeSetPolls.length + 2 + stackPolls.length,
      cloudFormationCalls: calls,
      detectionSeconds: stackPolls[stackPolls.length - 1] - (executed + stack),
    };
  }

  // Prepare Deployment, Check Stack Existence (DescribeStacks, ListChangeSets), Does Stack Exist?,
  // Create Change Set (CreateChangeSet, ListChangeSets: the lock check).
  call(0, 4);
  const changeSetPolls = retrierAttempts(CHANGE_SET_POLL, changeSet);
  changeSetPolls.forEach((at) => call(at)); // DescribeChangeSet
  const executed = changeSetPolls[changeSetPolls.length - 1];
  call(executed, 2); // Inspect (DescribeChangeSet), Execute (ExecuteChangeSet)
  const end = executed + stack;
  // Prepare, Check, Does?, Create, Wait Change Set Creation, Get…(1 + retries), Change Set Created?,
  // Inspect, Safe to Update Infra?, Execute, Await Update Event?
  const before = 10 + changeSetPolls.length;
  const lambdaBefore = 5 + changeSetPolls.length;

  if (strategy === 'poll') {
    const stackPolls = retrierAttempts(STACK_POLL, stack).map((at) => executed + at);
    stackPolls.forEach((at) => call(at)); // DescribeStacks
    call(stackPolls[stackPolls.length - 1]); // DescribeStackEvents: what the update left behind
    return {
      // … Wait Stack Update, Get Stack Update Status (1 + retries), Stack Updated?, Deployment Succeeded.
      transitions: before + 1 + stackPolls.length + 2,
      lambdaCalls: lambdaBefore + stackPolls.length,
      cloudFormationCalls: calls,
      detectionSeconds: stackPolls[stackPolls.length - 1] - end,
    };
  }

  // Event mode: Await Stack Event records its token and reads once; each fallback timeout runs it again.
  const noticed = end + EVENT_DELAY_SECONDS + COMPLETION_SECONDS;
  const awaits = 1 + Math.floor((noticed - executed) / EVENT_FALLBACK_SECONDS);
  for (let k = 0; k < awaits; k++) call(executed + k * EVENT_FALLBACK_SECONDS); // DescribeStacks
  call(end + EVENT_DELAY_SECONDS, 2); // the completion function: DescribeStacks, DescribeStackEvents
  return {
    // … Await Stack Event (1 + fallback retries), Deployment Succeeded.
    transitions: before + awaits + 1,
    lambdaCalls: lambdaBefore + awaits + 1,
    cloudFormationCalls: calls,
    detectionSeconds: noticed - end,
  };
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const between = (random: SeededRandom, [low, high]: [number, number]): number => low + (high - low) * random.next();

interface Row {
  strategy: Strategy;
  minutes: number;
  transitions: number;
  lambdaCalls: number;
  cloudFormationCalls: number;
  detectionMean: number;
  detectionP95: number;
  maxTransitions: number;
  maxLambdaCalls: number;
}

function measure(strategy: Strategy, minutes: number): Row {
  const random = new SeededRandom(SEED + Math.round(minutes * 60));
  const runs: Deployment[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const stack = minutes * 60 * (1 - STACK_SPREAD + 2 * STACK_SPREAD * random.next());
    runs.push(deploy(strategy, between(random, CHANGE_SET_SECONDS), stack));
  }
  return {
    strategy,
    minutes,
    transitions: mean(runs.map((run) => run.transitions)),
    lambdaCalls: mean(runs.map((run) => run.lambdaCalls)),
    cloudFormationCalls: mean(runs.map((run) => run.cloudFormationCalls.length)),
    detectionMean: mean(runs.map((run) => run.detectionSeconds)),
    detectionP95: percentile(runs.map((run) => run.detectionSeconds), 95),
    maxTransitions: Math.max(...runs.map((run) => run.transitions)),
    maxLambdaCalls: Math.max(...runs.map((run) => run.lambdaCalls)),
  };
}

/**
 * CloudFormation calls per second for deployments started together: at the busiest second, and on
 * average while the stacks change (from the last start to the last call), which is what waiting costs.
 */
function callsPerSecond(strategy: Strategy, minutes: number): { peak: number; waiting: number } {
  const random = new SeededRandom(SEED + 7);
  const perSecond = new Map<number, number>();
  const windowStart = CONCURRENT_START_WINDOW_SECONDS + CHANGE_SET_SECONDS[1] + BASELINE_WAIT_SECONDS;
  let lastCall = 0;
  let inWindow = 0;
  for (let i = 0; i < CONCURRENT_DEPLOYMENTS; i++) {
    const start = CONCURRENT_START_WINDOW_SECONDS * random.next();
    const stack = minutes * 60 * (1 - STACK_SPREAD + 2 * STACK_SPREAD * random.next());
    for (const at of deploy(strategy, between(random, CHANGE_SET_SECONDS), stack).cloudFormationCalls) {
      const second = Math.floor(start + at);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
      lastCall = Math.max(lastCall, start + at);
      if (start + at >= windowStart) inWindow += 1;
    }
  }
  return { peak: Math.max(...perSecond.values()), waiting: lastCall > windowStart ? inWindow / (lastCall - windowStart) : 0 };
}

const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
const fixed = (value: number, digits = 1): string => value.toFixed(digits);
const label = (minutes: number): string => (minutes < 1 ? `${minutes * 60} s` : `${minutes} min`);

export function waitingStrategies(): void {
  checkDefinition();
  const rows = STACK_MINUTES.flatMap((minutes) => STRATEGIES.map((strategy) => measure(strategy, minutes)));
  const baseline = (minutes: number) => rows.find((row) => row.minutes === minutes && row.strategy === 'baseline') as Row;

  console.log(
    `Waiting strategies for one update deployment (seed ${SEED}, ${SAMPLES} draws per row; stack time ±${STACK_SPREAD * 100}%, ` +
      `change set ${CHANGE_SET_SECONDS[0]}–${CHANGE_SET_SECONDS[1]} s, EventBridge delay ${EVENT_DELAY_SECONDS} s + completion ${COMPLETION_SECONDS} s, ` +
      `event fallback ${EVENT_FALLBACK_SECONDS / 60} min). Reproduce: npm run bench (BENCH_SEED, BENCH_SAMPLES, BENCH_EVENT_DELAY).`,
  );
  console.table(
    rows.map((row) => {
      const base = baseline(row.minutes);
      const cost = row.transitions * PRICE_PER_TRANSITION + row.lambdaCalls * (PRICE_PER_LAMBDA_REQUEST + LAMBDA_GB_SECONDS_PER_CALL * PRICE_PER_GB_SECOND);
      return {
        stack: label(row.minutes),
        strategy: row.strategy,
        transitions: fixed(row.transitions),
        'lambda calls': fixed(row.lambdaCalls),
        'cfn calls': fixed(row.cloudFormationCalls),
        'detect mean s': fixed(row.detectionMean),
        'detect p95 s': fixed(row.detectionP95),
        'transitions ×': row.strategy === 'baseline' ? '1' : `1/${fixed(base.transitions / row.transitions)}`,
        'lambda ×': row.strategy === 'baseline' ? '1' : `1/${fixed(base.lambdaCalls / row.lambdaCalls)}`,
        'cfn ×': row.strategy === 'baseline' ? '1' : `1/${fixed(base.cloudFormationCalls / row.cloudFormationCalls)}`,
        'cost USD': cost.toFixed(5),
      };
    }),
  );

  console.log(
    `${CONCURRENT_DEPLOYMENTS} concurrent deployments started within ${CONCURRENT_START_WINDOW_SECONDS} s: CloudFormation calls per second ` +
      'at the busiest second (the starts: existence checks, change sets), and on average once every change set is executed (the waiting)',
  );
  console.table(
    STACK_MINUTES.map((minutes) => {
      const figures = STRATEGIES.map((strategy) => [strategy, callsPerSecond(strategy, minutes)] as const);
      return {
        stack: label(minutes),
        ...Object.fromEntries(figures.map(([strategy, { peak }]) => [`${strategy} peak/s`, peak])),
        ...Object.fromEntries(figures.map(([strategy, { waiting }]) => [`${strategy} waiting/s`, fixed(waiting)])),
      };
    }),
  );

  const events = rows.filter((row) => row.strategy === 'event');
  const polls = rows.filter((row) => row.strategy === 'poll');
  const pollAt60 = polls.find((row) => row.minutes === 60) as Row;
  const checks: Array<[string, boolean]> = [
    [`event: at most ${TARGETS.eventTransitions} transitions per deployment at every stack time (worst draw ${Math.max(...events.map((row) => row.maxTransitions))})`, events.every((row) => row.maxTransitions <= TARGETS.eventTransitions)],
    [`event: at most ${TARGETS.eventLambdaCalls} Lambda invocations per deployment at every stack time (worst draw ${Math.max(...events.map((row) => row.maxLambdaCalls))})`, events.every((row) => row.maxLambdaCalls <= TARGETS.eventLambdaCalls)],
    [`event: detection within ${TARGETS.eventDetectionSeconds} s of the event (p95 ${fixed(Math.max(...events.map((row) => row.detectionP95)))} s)`, events.every((row) => row.detectionP95 <= TARGETS.eventDetectionSeconds)],
    [`poll: at least ${TARGETS.pollReductionAt60}× fewer transitions than the baseline at 60 min (${fixed(baseline(60).transitions / pollAt60.transitions)}×)`, baseline(60).transitions / pollAt60.transitions >= TARGETS.pollReductionAt60],
    [`poll: detection p95 at most ${TARGETS.pollDetectionP95Seconds} s at every stack time (worst ${fixed(Math.max(...polls.map((row) => row.detectionP95)))} s)`, polls.every((row) => row.detectionP95 <= TARGETS.pollDetectionP95Seconds)],
  ];
  for (const [what, ok] of checks) console.log(`${verdict(ok)}  ${what}`);
}

/** The model names the definition's states; a renamed or removed one makes the bench refuse to print stale figures. */
function checkDefinition(): void {
  const states = loadDefinition().States;
  const named = ['Prepare Deployment', 'Check Stack Existence', 'Does Stack Exist?', 'Create Change Set', 'Wait Change Set Creation', 'Get Change Set Creation Status',
    'Change Set Created?', 'Inspect Change Set Changes', 'Safe to Update Infra?', 'Execute Change Set', 'Await Update Event?', 'Wait Stack Update',
    'Get Stack Update Status', 'Stack Updated?', 'Await Stack Event', 'Deployment Succeeded'];
  const missing = named.filter((name) => !states[name]);
  if (missing.length) throw new Error(`bench/waiting-strategies.ts models states the definition lacks: ${missing.join(', ')}`);
  if (states['Await Stack Event'].TimeoutSeconds !== EVENT_FALLBACK_SECONDS) throw new Error('Await Stack Event\'s TimeoutSeconds is not EVENT_FALLBACK_SECONDS');
}
