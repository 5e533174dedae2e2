/**
 * Event mode end to end, offline: the real ASL in the local engine, the real task handlers and the
 * real completion function, against the sandbox's CloudFormation (whose operations run on their
 * own and put status change events on the bus), DynamoDB and Step Functions task tokens.
 */
import './quiet-logs';
import * as path from 'path';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { TASK_HANDLERS } from '../../functions/handlers';
import { readableCause } from '../../functions/shared/failure-cause';
import { loadDefinitionText } from '../../statemachine/definition';
import { buildScenarioSandbox, loadScenario, scenarioInput, type Scenario } from '../../local/sandbox/scenario';
import { enableEventMode, SANDBOX_WAIT_TABLE } from '../../local/event-mode';
import type { Sandbox } from '../../local/sandbox';

const scenario = (name: string): Scenario => loadScenario(path.join(__dirname, '..', '..', 'examples', 'scenarios', name));

/** The definition with the event wait's fallback shortened from 30 minutes to a second. */
const SHORT_FALLBACK = (() => {
  const definition = JSON.parse(loadDefinitionText()) as { States: Record<string, Record<string, unknown>> };
  definition.States['Await Stack Event'].TimeoutSeconds = 1;
  return JSON.stringify(definition);
})();

interface Deployed {
  sandbox: Sandbox;
  status: string;
  error?: string;
  cause?: string;
  output?: { result?: { decision?: string; status?: string; done?: boolean } };
  states: string[];
}

async function deploy(
  name: string,
  options: {
    prepare?: (sandbox: Sandbox) => void;
    input?: Record<string, unknown>;
    definitionText?: string;
    events?: boolean;
    handlers?: (sandbox: Sandbox) => typeof TASK_HANDLERS;
  } = {},
): Promise<Deployed> {
  const built = scenario(name);
  const { sandbox } = buildScenarioSandbox(built, TASK_HANDLERS);
  const handlers = options.handlers?.(sandbox) ?? TASK_HANDLERS;
  const stateMachineArn = sandbox.stepFunctions.registerStateMachine({ name: 'event-mode', handlers, definitionText: options.definitionText });
  sandbox.install();
  try {
    if (options.events !== false) enableEventMode(sandbox);
    options.prepare?.(sandbox);
    const { executionArn } = await new SFNClient({}).send(
      new StartExecutionCommand({ stateMachineArn, name: 'exec-1', input: JSON.stringify({ ...scenarioInput(built), ...options.input }) }),
    );
    const result = await sandbox.stepFunctions.result(executionArn ?? '');
    const states = result.events.flatMap((event) => (event.type === 'StateEntered' ? [(event as { state: { name: string } }).state.name] : []));
    return { sandbox, status: result.status, error: result.error, cause: readableCause(result.cause), output: result.output as Deployed['output'], states };
  } finally {
    await sandbox.close();
  }
}

/** Calls of one operation, in order, as `service:operation`. */
function operations(sandbox: Sandbox, names: string[]): string[] {
  return sandbox.calls
    .all()
    .filter((call) => names.includes(call.operation))
    .map((call) => call.operation);
}

describe('event mode: the deployment waits for the stack\'s status change event', () => {
  it('updates a stack: the completion function, woken by UPDATE_COMPLETE, reads the stack and answers the wait; nobody polls meanwhile', async () => {
    const run = await deploy('safe-update', { prepare: (sandbox) => sandbox.cloudFormation.slowDown('prod-orders', 30) });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.output?.result).toMatchObject({ decision: 'UPDATED', status: 'UPDATE_COMPLETE', done: true });
    expect(run.states).toEqual(expect.arrayContaining(['Execute Change Set', 'Await Update Event?', 'Await Stack Event', 'Deployment Succeeded']));
    expect(run.states).not.toContain('Get Stack Update Status');
    // Recorded, read once (still changing), then the event: found by Query, claimed by DeleteItem, answered.
    expect(operations(run.sandbox, ['PutItem', 'Query', 'UpdateItem', 'DeleteItem', 'SendTaskSuccess', 'SendTaskFailure'])).toEqual(['PutItem', 'Query', 'UpdateItem', 'SendTaskSuccess', 'DeleteItem']);
    const settled = run.sandbox.events.deliveries.filter((delivery) => delivery.outcome === 'delivered');
    expect(settled.map((delivery) => (delivery.event.detail['status-details'] as { status: string }).status)).toContain('UPDATE_COMPLETE');
    // The rule lets no *_IN_PROGRESS status through.
    expect(settled.every((delivery) => !(delivery.event.detail['status-details'] as { status: string }).status.endsWith('_IN_PROGRESS'))).toBe(true);
    // Two reads of the stack after the execute: the wait's own, and the completion function's.
    const executeAt = run.sandbox.calls.find({ operation: 'ExecuteChangeSet' })[0].sequence;
    expect(run.sandbox.calls.find({ operation: 'DescribeStacks' }).filter((call) => call.sequence > executeAt)).toHaveLength(2);
    expect(run.sandbox.dynamoDb.items(SANDBOX_WAIT_TABLE)).toEqual([]);
  });

  it('creates a stack the same way', async () => {
    const run = await deploy('create-new-stack', { prepare: (sandbox) => sandbox.cloudFormation.slowDown('prod-orders', 30) });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.output?.result).toMatchObject({ decision: 'CREATED', status: 'CREATE_COMPLETE' });
    expect(run.states).toEqual(expect.arrayContaining(['Create Stack', 'Await Creation Event?', 'Await Stack Event']));
    expect(run.states).not.toContain('Get Stack Creation Status');
  });

  it('an update that rolls back fails with the resource and its reason, answered through SendTaskFailure', async () => {
    const run = await deploy('update-rolled-back');

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('StackUpdateFailedError');
    expect(run.cause).toMatch(/Updating stack prod-orders failed \(UPDATE_ROLLBACK_COMPLETE\)\. First failure: OrdersQueue .*Invalid value for the parameter VisibilityTimeout/);
    expect(run.sandbox.calls.find({ operation: 'SendTaskFailure' })).toHaveLength(1);
  });

  it('a stack that ends before its wait is recorded is answered by the wait itself; the late event finds no one', async () => {
    const run = await deploy('safe-update', {
      prepare: (sandbox) => {
        sandbox.events.options.delayMilliseconds = 300;
      },
      // The update is over before the wait is recorded (its event is on its way).
      handlers: (sandbox) => ({
        ...TASK_HANDLERS,
        'Await Stack Event': (event: unknown) => {
          sandbox.cloudFormation.settle();
          return TASK_HANDLERS['Await Stack Event'](event);
        },
      }),
    });

    expect(run.status).toBe('SUCCEEDED');
    // PutItem, the wait's read finds UPDATE_COMPLETE, claims its record and answers; the completion function's Query finds nothing.
    const sequence = operations(run.sandbox, ['PutItem', 'Query', 'UpdateItem', 'DeleteItem', 'SendTaskSuccess']);
    expect(sequence.slice(0, 4)).toEqual(['PutItem', 'UpdateItem', 'SendTaskSuccess', 'DeleteItem']);
    expect(run.sandbox.calls.find({ operation: 'SendTaskSuccess' })).toHaveLength(1);
  });

  it('duplicate events answer the wait once: the second delivery finds the record claimed', async () => {
    const run = await deploy('safe-update', {
      prepare: (sandbox) => {
        sandbox.events.options.duplicateProbability = 1;
        sandbox.cloudFormation.slowDown('prod-orders', 30);
      },
    });

    expect(run.status).toBe('SUCCEEDED');
    const completes = run.sandbox.events.deliveries.filter((delivery) => (delivery.event.detail['status-details'] as { status: string }).status === 'UPDATE_COMPLETE');
    expect(completes.map((delivery) => delivery.outcome)).toEqual(['delivered', 'delivered']);
    // The second delivery (same event id) may claim as the same reader; Step Functions takes one answer.
    expect(run.sandbox.calls.find({ operation: 'SendTaskSuccess' })).toHaveLength(1);
  });

  it('an out-of-order or stale settled event does not end the wait: the completion function reads the stack, which is still changing', async () => {
    let staleAnswered: unknown;
    const run = await deploy('safe-update', {
      prepare: (sandbox) => {
        sandbox.cloudFormation.slowDown('prod-orders', 200);
        // An UPDATE_COMPLETE of an earlier operation, delivered while this update runs.
        const stack = sandbox.cloudFormation.stack('prod-orders');
        const waitForWaiter = setInterval(() => {
          if (sandbox.dynamoDb.items(SANDBOX_WAIT_TABLE).length === 0 || !stack) return;
          clearInterval(waitForWaiter);
          sandbox.events.put('aws.cloudformation', 'CloudFormation Stack Status Change', {
            'stack-id': stack.stackId,
            'status-details': { status: 'UPDATE_COMPLETE', 'status-reason': '' },
          });
          staleAnswered = sandbox.calls.find({ operation: 'SendTaskSuccess' }).length;
        }, 1);
      },
    });

    expect(run.status).toBe('SUCCEEDED');
    expect(staleAnswered).toBe(0);
    expect(run.sandbox.events.deliveries.filter((delivery) => delivery.outcome === 'delivered').length).toBeGreaterThanOrEqual(2);
    expect(run.sandbox.calls.find({ operation: 'SendTaskSuccess' })).toHaveLength(1);
    expect(run.output?.result?.status).toBe('UPDATE_COMPLETE');
  });

  it('lost events cost only the fallback: the wait times out, reads the stack again and finds it done', async () => {
    const run = await deploy('safe-update', {
      definitionText: SHORT_FALLBACK,
      prepare: (sandbox) => {
        sandbox.events.options.loseProbability = 1;
        sandbox.cloudFormation.slowDown('prod-orders', 30);
      },
    });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.sandbox.events.deliveries.every((delivery) => delivery.outcome === 'lost')).toBe(true);
    expect(run.states.filter((state) => state === 'Await Stack Event').length).toBeGreaterThanOrEqual(1);
    // Two records: the first wait's (timed out, replaced) and the second's, which answered itself.
    expect(run.sandbox.calls.find({ operation: 'PutItem' })).toHaveLength(2);
    expect(run.sandbox.calls.find({ operation: 'SendTaskSuccess' })).toHaveLength(1);
  }, 20_000);

  it('a wait that keeps failing for its own reasons (its table throttled past every retry) falls back to polling, and the outcome is still learned', async () => {
    const run = await deploy('safe-update', {
      prepare: (sandbox) => sandbox.injectFault({ service: 'DynamoDB', operation: 'PutItem', kind: 'throttle', probability: 1 }),
    });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.output?.result).toMatchObject({ decision: 'UPDATED', status: 'UPDATE_COMPLETE', done: true });
    expect(run.states).toEqual(expect.arrayContaining(['Await Stack Event', 'Poll Stack Instead?', 'Get Stack Update Status']));
    expect(run.states).not.toContain('Stack Outcome Unknown');
    expect(run.sandbox.calls.find({ operation: 'SendTaskSuccess' })).toEqual([]);
  }, 20_000);

  it('a create whose wait fails the same way is polled by the creation loop', async () => {
    const run = await deploy('create-new-stack', {
      prepare: (sandbox) => sandbox.injectFault({ service: 'DynamoDB', operation: 'PutItem', kind: 'throttle', probability: 1 }),
    });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.output?.result).toMatchObject({ decision: 'CREATED', status: 'CREATE_COMPLETE' });
    expect(run.states).toEqual(expect.arrayContaining(['Poll Stack Instead?', 'Get Stack Creation Status']));
  }, 20_000);

  it('"waitMode": "poll" polls even where events are available; the wait table is not touched', async () => {
    const run = await deploy('safe-update', { input: { waitMode: 'poll' } });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).toContain('Get Stack Update Status');
    expect(run.states).not.toContain('Await Stack Event');
    // The account's completion function still sees the stack's events; it finds no one waiting.
    expect(run.sandbox.calls.find({ operation: 'PutItem' })).toEqual([]);
    expect(run.sandbox.calls.find({ operation: 'SendTaskSuccess' })).toEqual([]);
  });

  it('"waitMode": "event" where the orchestrator has no event mode is refused before anything is touched', async () => {
    const run = await deploy('safe-update', { events: false, input: { waitMode: 'event' } });

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('InvalidInputError');
    expect(run.cause).toMatch(/waitMode is "event", but this orchestrator has no stack event wait table \(STACK_WAIT_TABLE is not set\).*"waitMode": "poll"/);
    expect(run.sandbox.mutatingCalls('CloudFormation')).toEqual([]);
  });
});
