import * as fs from 'fs';
import * as path from 'path';
import { loadDefinition, loadDefinitionText, placeholders, substitute, taskStates, toKebabCase } from '../../statemachine/definition';
import { readmeDiagramBlock, README_DIAGRAM_END, README_DIAGRAM_START, toMermaid } from '../../statemachine/diagram';
import { Duration } from 'aws-cdk-lib';
import { TASK_HANDLERS } from '../../functions/handlers';
import { CHANGE_SET_POLL, EXECUTION_TIMEOUT_SECONDS, MAX_MAX_WAIT_SECONDS, STACK_POLL } from '../../functions/shared/limits';
import { TASK_PERMISSIONS } from '../../infra/task-permissions';

// asl-validator ships no type declarations; this is the shape its README documents.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validateAsl = require('asl-validator') as (definition: unknown) => { isValid: boolean; errors: unknown[] };

const ROOT = path.join(__dirname, '..', '..');
const definition = loadDefinition();

function withFakeArns(): unknown {
  const text = loadDefinitionText();
  const arns = Object.fromEntries(placeholders(text).map((key) => [key, `arn:aws:lambda:us-east-1:123456789012:function:${key}`]));
  return JSON.parse(substitute(text, arns));
}

describe('the state machine definition', () => {
  it('passes asl-validator once its placeholders are filled', () => {
    const result = validateAsl(withFakeArns());
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('asl-validator rejects a definition whose transition goes nowhere (the check is live)', () => {
    const broken = withFakeArns() as { States: Record<string, { Next?: string }> };
    broken.States['Create Stack'].Next = 'No Such State';
    expect(validateAsl(broken).isValid).toBe(false);
  });

  it('keeps the state names of the design', () => {
    expect(Object.keys(definition.States)).toEqual(
      expect.arrayContaining([
        'Prepare Deployment', 'Check Stack Existence', 'Does Stack Exist?', 'Delete Failed Stack', 'Create Stack',
        'Wait Stack Creation', 'Get Stack Creation Status', 'Stack Created?', 'Create Change Set', 'Wait Change Set Creation',
        'Get Change Set Creation Status', 'Change Set Created?', 'Delete Empty Change Set', 'Inspect Change Set Changes',
        'Safe to Update Infra?', 'Execute Change Set', 'Wait Stack Update', 'Get Stack Update Status', 'Stack Updated?',
        'Delete Change Set', 'Deployment Succeeded', 'Deployment Failed',
      ]),
    );
  });

  it('has one handler folder per Task state, named after the state, and the local table maps the same states', () => {
    const tasks = taskStates(definition);
    for (const task of tasks) {
      expect(fs.existsSync(path.join(ROOT, 'functions', task.functionFolder, 'handler.ts'))).toBe(true);
      expect(task.substitutionKey).toBe(`${task.stateName.replace(/[^A-Za-z]/g, '')}FunctionArn`);
    }
    expect(Object.keys(TASK_HANDLERS).sort()).toEqual(tasks.map((task) => task.stateName).sort());
    expect(toKebabCase('Safe to Update Infra?')).toBe('safe-to-update-infra');
  });

  it('retries transient errors, Lambda service errors and Lambda timeouts on every task, never every error', () => {
    for (const [name, state] of Object.entries(definition.States).filter(([, s]) => s.Type === 'Task')) {
      const retried = (state.Retry ?? []).flatMap((retrier) => retrier.ErrorEquals);
      // Await Approval's timeout is the approval's deadline: it ends the wait, it is never retried.
      const timeouts = name === 'Await Approval' ? [] : ['States.Timeout'];
      expect({ name, retried }).toEqual({
        name,
        retried: expect.arrayContaining(['AwsTransientError', 'Lambda.TooManyRequestsException', 'Lambda.ServiceException', 'Sandbox.Timedout', ...timeouts]),
      });
      expect(retried).not.toContain('States.ALL');
    }
    expect((definition.States['Await Approval'].Retry ?? []).flatMap((retrier) => retrier.ErrorEquals)).not.toContain('States.Timeout');
  });

  it('gives every Task state a TimeoutSeconds above its Lambda\'s own timeout, and the execution one above the largest budget', () => {
    // Await Approval's timeout is the input document's approvalTimeoutSeconds (at least a minute).
    expect(definition.States['Await Approval'].TimeoutSecondsPath).toBe('$.deployment.approvalTimeoutSeconds');
    for (const [name, state] of Object.entries(definition.States).filter(([, s]) => s.Type === 'Task' && s.TimeoutSecondsPath === undefined)) {
      const lambdaSeconds = (TASK_PERMISSIONS[name].timeout ?? Duration.seconds(30)).toSeconds();
      expect({ name, timeout: state.TimeoutSeconds }).toEqual({ name, timeout: expect.any(Number) });
      expect(state.TimeoutSeconds as number).toBeGreaterThan(lambdaSeconds);
    }
    expect((definition as unknown as { TimeoutSeconds: number }).TimeoutSeconds).toBe(EXECUTION_TIMEOUT_SECONDS);
    expect(EXECUTION_TIMEOUT_SECONDS).toBeGreaterThan(MAX_MAX_WAIT_SECONDS);
    expect(EXECUTION_TIMEOUT_SECONDS).toBeLessThan(24 * 3600);
  });

  it('sends every failure after a change set may exist through Clean Up Change Set, and none before it', () => {
    const catchTargets = (name: string) => (definition.States[name].Catch ?? []).map((catcher) => catcher.Next);
    expect(catchTargets('Create Change Set')).toEqual(['Check Stack Existence', 'Clean Up Change Set']);
    expect(definition.States['Create Change Set'].Catch?.[0].ErrorEquals).toEqual(['StackBusyWaitError']);
    const afterChangeSet = ['Get Change Set Creation Status', 'Delete Empty Change Set', 'Inspect Change Set Changes', 'Execute Change Set', 'Delete Change Set'];
    for (const name of afterChangeSet) expect({ name, targets: catchTargets(name) }).toEqual({ name, targets: ['Clean Up Change Set'] });
    expect(catchTargets('Create Stack')).toEqual(['Check Stack Existence', 'Deployment Failed']);
    for (const name of ['Check Stack Existence', 'Delete Failed Stack', 'Get Failed Stack Deletion Status']) {
      expect({ name, targets: catchTargets(name) }).toEqual({ name, targets: ['Deployment Failed'] });
    }
    expect(catchTargets('Prepare Deployment')).toEqual(['Input Rejected']);
    expect(catchTargets('Clean Up Change Set')).toEqual(['Clean-Up Failed']);
  });

  it('reports a stack operation CloudFormation accepted as failed only for a known verdict; anything else is an unknown outcome', () => {
    for (const name of ['Get Stack Creation Status', 'Get Stack Update Status']) {
      expect(definition.States[name].Catch).toEqual([
        { ErrorEquals: ['StackCreateFailedError', 'StackUpdateFailedError', 'StackOutcomeUnknownError'], ResultPath: '$.failure', Next: 'Deployment Failed' },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Stack Outcome Unknown' },
      ]);
    }
  });

  it('waits only as long as the last status task said (SecondsPath), never a fixed time', () => {
    const waits = Object.values(definition.States).filter((state) => state.Type === 'Wait');
    expect(waits.length).toBeGreaterThanOrEqual(4);
    for (const wait of waits) {
      expect(wait.SecondsPath).toMatch(/\.waitSeconds$/);
      expect(wait.Seconds).toBeUndefined();
    }
  });

  it('polls stacks and change sets through the status task\'s first retrier, paced exactly as the handlers count it', () => {
    const polled = { 'Get Change Set Creation Status': CHANGE_SET_POLL, 'Get Stack Creation Status': STACK_POLL, 'Get Stack Update Status': STACK_POLL };
    for (const [name, schedule] of Object.entries(polled)) {
      const state = definition.States[name];
      // First, so that no other retrier's counter or backoff applies to a poll; no jitter, so the waits can be counted.
      expect({ name, retrier: state.Retry?.[0] }).toEqual({
        name,
        retrier: {
          ErrorEquals: ['StillInProgressError'],
          IntervalSeconds: schedule.intervalSeconds,
          BackoffRate: schedule.backoffRate,
          MaxDelaySeconds: schedule.maxDelaySeconds,
          MaxAttempts: schedule.maxAttempts,
        },
      });
      expect((state.Parameters as Record<string, string>)['retryCount.$']).toBe('$$.State.RetryCount');
      expect(state.Retry?.slice(1).flatMap((retrier) => retrier.ErrorEquals)).not.toContain('StillInProgressError');
    }
    // The cap keeps detection within 20 s; the attempts outlast the largest budget.
    expect(STACK_POLL.maxDelaySeconds).toBeLessThanOrEqual(20);
    expect(STACK_POLL.maxAttempts * STACK_POLL.maxDelaySeconds).toBeGreaterThan(MAX_MAX_WAIT_SECONDS);
    expect(CHANGE_SET_POLL.maxAttempts * CHANGE_SET_POLL.maxDelaySeconds).toBeGreaterThan(MAX_MAX_WAIT_SECONDS);
  });

  it('fills placeholders and refuses to leave one unfilled', () => {
    expect(() => substitute('{"Resource": "${MissingArn}"}', {})).toThrow(/No substitution given for \$\{MissingArn\}/);
    expect(substitute('"${A}"', { A: 'x' })).toBe('"x"');
  });
});

describe('the README diagram', () => {
  it('is the Mermaid flowchart of the current definition', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf(README_DIAGRAM_START);
    const end = readme.indexOf(README_DIAGRAM_END) + README_DIAGRAM_END.length;
    expect(start).toBeGreaterThanOrEqual(0);
    // If this fails after a change to the ASL, regenerate the block with `npm run diagram`.
    expect(readme.slice(start, end)).toBe(readmeDiagramBlock(definition));
  });

  it('draws every state and every transition of the definition', () => {
    const diagram = toMermaid(definition);
    for (const name of Object.keys(definition.States)) expect(diagram).toContain(`"${name}"`);
    expect(diagram).toContain('SafetoUpdateInfra -- safe --> ExecuteChangeSet');
    expect(diagram).toContain('SafetoUpdateInfra -- otherwise --> DeleteChangeSet');
    expect(diagram).toContain('SafetoUpdateInfra -- onUnsafe = new-stack and no newStack --> PlanNewStack');
    expect(diagram).toMatch(/CheckStackExistence & .* -\. error \.-> DeploymentFailed/);
    expect(diagram).toMatch(/CreateChangeSet & .* -\. error \.-> CleanUpChangeSet/);
  });

  it('marks the path an execution took, and where it failed', () => {
    const diagram = toMermaid(definition, {
      visited: ['Prepare Deployment', 'Follow Generations?', 'Check Stack Existence', 'Deployment Failed'],
      failedAt: 'Check Stack Existence',
    });
    expect(diagram).toContain('CheckStackExistence -. error .-> DeploymentFailed');
    expect(diagram).toContain('class PrepareDeployment,FollowGenerations,CheckStackExistence,DeploymentFailed visited');
    expect(diagram).toContain('class CheckStackExistence failed');
    expect(diagram).toMatch(/linkStyle \d+(,\d+)+ stroke/);
  });
});
