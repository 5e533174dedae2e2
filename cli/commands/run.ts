import { randomBytes } from 'crypto';
import { AWAIT_APPROVAL_STATE } from '../../functions/shared/approval-wait';
import { DescribeStacksCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { inspectionFromHistory, statesEntered } from '../execution-history';
import { inspectionFromEvents } from '../../local/inspection-events';
import { createInterface } from 'readline/promises';
import { TaskTokens } from '../../local/task-tokens';
import type { ApprovalAnswer } from '../approval';
import { APPROVAL_REJECTED, approvalOutput, rejectionCause } from '../../functions/shared/approvals';
import { parseFlags, positiveSeconds } from '../args';
import { checkAwsSetup } from '../aws-setup';
import { readJsonFile } from '../files';
import { UsageError, asUsage } from '../errors';
import { followStates, progressPrinter, silentProgress, type Progress } from '../progress';
import { exitCodeFor, formatSummary, summarise, type DeploymentSummary, type ExecutionEnd } from '../summary';
import { runLocalExecution, type TaskHandler } from '../../local/engine';
import { TASK_HANDLERS } from '../../functions/handlers';
import { loadDefinition } from '../../statemachine/definition';
import { validateInput } from '../../functions/shared/prepare';
import { ORCHESTRATOR_STACK_NAME } from '../../infra/stack-names';

const REMOTE_POLL_SECONDS = 5;

export function manualExecutionName(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `manual-${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * With --max-wait, every status task's answer "wait N seconds" is capped, so each Wait state sleeps
 * at most that long; the retriers (a status task's polls among them) wait that long too.
 */
function capWaits(handlers: Record<string, TaskHandler>, maxWaitSeconds: number | undefined): Record<string, TaskHandler> {
  if (maxWaitSeconds === undefined) return handlers;
  return Object.fromEntries(
    Object.entries(handlers).map(([state, handler]) => [
      state,
      async (event: unknown) => {
        const result = await handler(event);
        const waitSeconds = (result as { waitSeconds?: unknown } | null)?.waitSeconds;
        return typeof waitSeconds === 'number' && waitSeconds > maxWaitSeconds ? { ...(result as object), waitSeconds: maxWaitSeconds } : result;
      },
    ]),
  );
}

/**
 * A local run's answer to an approval request: the flags, else a question on the terminal, else a
 * rejection (a script that did not say yes has not approved anything).
 */
function localApprover(decision: ApprovalAnswer | undefined, err: (line: string) => void): TaskTokens {
  const tokens = new TaskTokens();
  tokens.onScheduled(({ state, token, payload }) => {
    if (state !== AWAIT_APPROVAL_STATE) return;
    const { changeSet, deployment } = payload as { changeSet: { id: string; name: string }; deployment: { stackName: string } };
    const approver = `${process.env.USER ?? 'local user'} (run --local)`;
    void (async () => {
      const answer = decision ?? (process.stdin.isTTY ? await askOnTerminal(changeSet.name, deployment.stackName, err) : { approve: false, reason: 'no answer: give --approve or --reject when not on a terminal' });
      if (answer.approve) {
        tokens.succeed(token, approvalOutput(approver, changeSet.id, answer.reason));
      } else {
        tokens.fail(token, APPROVAL_REJECTED, rejectionCause(approver, answer.reason));
      }
    })();
  });
  return tokens;
}

async function askOnTerminal(changeSetName: string, stackName: string, err: (line: string) => void): Promise<ApprovalAnswer> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    err(`The change set ${changeSetName} on stack ${stackName} would remove or replace protected resources (see above).`);
    const yes = /^y(es)?$/i.test((await terminal.question('Execute exactly this change set? [y/N] ')).trim());
    const reason = (await terminal.question('Reason: ')).trim();
    return { approve: yes, ...(reason ? { reason } : {}) };
  } finally {
    terminal.close();
  }
}

async function runInProcess(document: unknown, maxWait: number | undefined, progress: Progress, approval: TaskTokens): Promise<ExecutionEnd> {
  const started = Date.now();
  const path: string[] = [];
  const result = await runLocalExecution(document, {
    taskTokens: approval,
    executionName: manualExecutionName(),
    handlers: capWaits(TASK_HANDLERS, maxWait),
    ...(maxWait === undefined ? {} : { retryMilliseconds: maxWait * 1000 }),
    onEvent: followStates(loadDefinition(), progress, path),
  });
  const inspection = inspectionFromEvents(result.events);
  return { ...result, ...(inspection ? { inspection } : {}), path, elapsedSeconds: (Date.now() - started) / 1000 };
}

async function stateMachineFromStack(stackName: string): Promise<string> {
  const response = await new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: stackName })).catch((error: unknown) => {
    throw new UsageError(`Cannot find the orchestrator stack ${stackName} (${error instanceof Error ? error.message : String(error)}). Pass --state-machine ARN, or --stack NAME.`);
  });
  const arn = response.Stacks?.[0]?.Outputs?.find((output) => output.OutputKey === 'StateMachineArn')?.OutputValue;
  if (!arn) throw new UsageError(`Stack ${stackName} has no StateMachineArn output. Pass --state-machine ARN.`);
  return arn;
}

async function runDeployed(document: unknown, stateMachineArn: string, progress: Progress): Promise<ExecutionEnd> {
  const sfn = new SFNClient({});
  const started = Date.now();
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, name: manualExecutionName(), input: JSON.stringify(document) }),
  );
  progress.note(`Started ${executionArn}`);
  const path: string[] = [];
  for (;;) {
    // Described before the history is read, so that a finished execution's history is complete.
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    for (const event of (await statesEntered(sfn, executionArn)).slice(path.length)) {
      path.push(event.name);
      progress.stateEntered(event.name, event.type);
    }
    if (execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE') {
      const inspection = await inspectionFromHistory(sfn, executionArn);
      return {
        ...(inspection ? { inspection } : {}),
        status: execution.status ?? 'UNKNOWN',
        executionArn,
        output: execution.output ? JSON.parse(execution.output) : undefined,
        error: execution.error,
        cause: execution.cause,
        path,
        elapsedSeconds: (Date.now() - started) / 1000,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, REMOTE_POLL_SECONDS * 1000));
  }
}

/** The flags that send a local run to another account or region, as the input document's fields (which validate them). */
function targetFlags(roleArn: string | undefined, region: string | undefined, externalId: string | undefined): Record<string, string> {
  return {
    ...(roleArn ? { targetRoleArn: roleArn } : {}),
    ...(region ? { region } : {}),
    ...(externalId ? { targetExternalId: externalId } : {}),
  };
}

export async function runCommand(args: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const { values } = parseFlags('run', args, {
    input: { type: 'string' },
    local: { type: 'boolean' },
    'max-wait': { type: 'string' },
    'role-arn': { type: 'string' },
    approve: { type: 'boolean' },
    reject: { type: 'boolean' },
    reason: { type: 'string' },
    region: { type: 'string' },
    'external-id': { type: 'string' },
    'state-machine': { type: 'string' },
    stack: { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
  });
  if (!values.input) throw new UsageError('run: --input FILE is required (the deployment input document).');
  const maxWait = positiveSeconds(values['max-wait'], '--max-wait');
  if (maxWait !== undefined && !values.local) throw new UsageError('--max-wait applies to --local runs only (a deployed state machine waits as its definition says).');
  if (values.approve && values.reject) throw new UsageError('run: give --approve or --reject, not both.');
  if ((values.approve || values.reject || values.reason) && !values.local) {
    throw new UsageError('--approve, --reject and --reason answer a --local run\'s approval request; for a deployed state machine, use deploy-orchestrator approve / reject EXECUTION.');
  }
  const decision: ApprovalAnswer | undefined = values.approve || values.reject ? { approve: Boolean(values.approve), ...(values.reason ? { reason: values.reason } : {}) } : undefined;
  const target = targetFlags(values['role-arn'], values.region, values['external-id']);
  if (Object.keys(target).length && !values.local) {
    throw new UsageError('--role-arn, --region and --external-id apply to --local runs; for a deployed state machine, put targetRoleArn, region and targetExternalId in the input document.');
  }
  const document = { ...(readJsonFile(values.input, 'input document') as Record<string, unknown>), ...target };
  const { input } = asUsage(() => validateInput(document));
  const stackName = `${input.environmentName}-${input.stackName}`;
  await checkAwsSetup();
  const progress = values.quiet ? silentProgress : progressPrinter(err);
  const end = values.local
    ? await runInProcess(document, maxWait, progress, localApprover(decision, err))
    : await runDeployed(document, values['state-machine'] ?? (await stateMachineFromStack(values.stack ?? ORCHESTRATOR_STACK_NAME)), progress);
  const summary: DeploymentSummary = summarise(end, stackName);
  out(values.json ? JSON.stringify({ summary, output: end.output ?? null }, null, 2) : formatSummary(summary));
  return exitCodeFor(summary);
}
