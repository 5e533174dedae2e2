/**
 * Deployments into other accounts and regions, end to end on the sandbox: the orchestrator's
 * functions assume the target role through the sandbox's STS, and every CloudFormation call for a
 * target must reach that target's account and region, signed with that target's assumed
 * credentials. The sandbox keeps each account and region's stacks apart.
 */
import './quiet-logs';
import * as path from 'path';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { TASK_HANDLERS } from '../../functions/handlers';
import { readableCause } from '../../functions/shared/failure-cause';
import { buildScenarioSandbox, loadScenario, runScenario, scenarioInput, unmetExpectations } from '../../local/sandbox/scenario';
import { handler as trigger } from '../../functions/trigger/handler';
import { seedStack } from '../../local/sandbox/cloudformation/seed';
import { enableEventMode } from '../../local/event-mode';
import { SANDBOX_ACCOUNT, SANDBOX_REGION, type Sandbox } from '../../local/sandbox';
import { ORCHESTRATOR_ACCESS_KEY_ID } from '../../local/sandbox/sts/service';
import { capturedLogs } from '../faults/capture-logs';

const SCENARIO = loadScenario(path.join(__dirname, '..', '..', 'examples', 'scenarios', 'safe-update'));
const PROD = '222222222222';
const DEPLOY_ROLE = `arn:aws:iam::${PROD}:role/SafeDeployTarget-DeployRole`;
const SERVICE_ROLE = `arn:aws:iam::${PROD}:role/SafeDeployTarget-CloudFormationRole`;

interface Run {
  sandbox: Sandbox;
  status: string;
  error?: string;
  cause?: string;
  histories: string;
}

async function deploy(input: Record<string, unknown>, prepare: (sandbox: Sandbox) => void = () => undefined, events = false): Promise<Run> {
  const { sandbox, stateMachineArn } = buildScenarioSandbox({ ...SCENARIO, stacks: [] }, TASK_HANDLERS);
  sandbox.install();
  try {
    if (events) enableEventMode(sandbox);
    prepare(sandbox);
    const { executionArn } = await new SFNClient({}).send(
      new StartExecutionCommand({ stateMachineArn, name: 'exec-1', input: JSON.stringify({ ...scenarioInput(SCENARIO), ...input }) }),
    );
    const result = await sandbox.stepFunctions.result(executionArn ?? '');
    return {
      sandbox,
      status: result.status,
      error: result.error,
      cause: readableCause(result.cause),
      histories: JSON.stringify(sandbox.stepFunctions.allExecutions().map((execution) => execution.events)),
    };
  } finally {
    await sandbox.close();
  }
}

/** The stack the safe-update scenario deploys over, seeded in the prod account instead of the sandbox's own. */
function seedProdStack(sandbox: Sandbox, region = SANDBOX_REGION): void {
  seedStack(sandbox.cloudFormationIn(PROD, region), { stackName: 'prod-orders', templateBody: SCENARIO.stacks[0].templateBody });
}

const TARGETED = { targetRoleArn: DEPLOY_ROLE, cloudFormationRoleArn: SERVICE_ROLE };

describe('a deployment into another account', () => {
  it('makes every CloudFormation call in the target account, with the role assumed there, and leaves the orchestrator\'s account alone', async () => {
    const logsBefore = capturedLogs.length;
    const run = await deploy(TARGETED, (sandbox) => {
      sandbox.sts.allowRole({ roleArn: DEPLOY_ROLE });
      seedProdStack(sandbox);
    });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.sandbox.cloudFormationIn(PROD).stack('prod-orders')?.status).toBe('UPDATE_COMPLETE');
    expect(run.sandbox.cloudFormation.allStacks()).toEqual([]);
    const cloudFormationCalls = run.sandbox.calls.find({ service: 'CloudFormation', includeFailed: true });
    expect(cloudFormationCalls.length).toBeGreaterThan(5);
    const sessions = new Map(run.sandbox.sts.assumed.map((session) => [session.accessKeyId, session]));
    for (const call of cloudFormationCalls) {
      expect({ operation: call.operation, account: call.account, role: sessions.get(call.accessKeyId ?? '')?.roleArn }).toEqual({ operation: call.operation, account: PROD, role: DEPLOY_ROLE });
    }
    // Once per invocation, each session named after the execution (CloudTrail ties the calls to it).
    expect(run.sandbox.sts.assumed.every((session) => session.sessionName === 'deploy-exec-1')).toBe(true);
    expect(run.sandbox.sts.assumed.length).toBeLessThanOrEqual(run.sandbox.calls.find({ service: 'CloudFormation' }).length);
    const change = run.sandbox.calls.find({ operation: 'CreateChangeSet' })[0];
    expect(change.input.RoleARN).toBe(SERVICE_ROLE);
    // The credentials appear nowhere: not in the execution's history, not in the logs.
    const recorded = [run.histories, ...capturedLogs.slice(logsBefore)].join('\n');
    for (const session of run.sandbox.sts.assumed) {
      expect(recorded).not.toContain(session.secretAccessKey);
      expect(recorded).not.toContain(session.sessionToken);
    }
  });

  it('passes the ExternalId the role asks for; the wrong one is refused', async () => {
    const allowed = await deploy({ ...TARGETED, targetExternalId: 'orders-prod-7f3a' }, (sandbox) => {
      sandbox.sts.allowRole({ roleArn: DEPLOY_ROLE, externalId: 'orders-prod-7f3a' });
      seedProdStack(sandbox);
    });
    expect(allowed.status).toBe('SUCCEEDED');
    expect(allowed.sandbox.sts.assumed.every((session) => session.externalId === 'orders-prod-7f3a')).toBe(true);

    const refused = await deploy({ ...TARGETED, targetExternalId: 'wrong-one' }, (sandbox) => {
      sandbox.sts.allowRole({ roleArn: DEPLOY_ROLE, externalId: 'orders-prod-7f3a' });
      seedProdStack(sandbox);
    });
    expect(refused.error).toBe('TargetAccessDeniedError');
  });

  it('a role the orchestrator may not assume fails at once, naming the role, the trust it needs and the principal that tried; nothing is touched', async () => {
    const run = await deploy(TARGETED, (sandbox) => seedProdStack(sandbox));

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('TargetAccessDeniedError');
    expect(run.cause).toMatch(
      new RegExp(`^The deployment may not assume targetRoleArn ${DEPLOY_ROLE}: AccessDenied for arn:aws:sts::${SANDBOX_ACCOUNT}:assumed-role/.+\\. The role's trust policy must allow sts:AssumeRole to the orchestrator's task roles`),
    );
    expect(run.cause).toContain(`Deploy the target-account stack in account ${PROD}`);
    expect(run.sandbox.calls.find({ service: 'CloudFormation' })).toEqual([]);
    // Refused once, not retried: an AccessDenied does not go away by itself.
    expect(run.sandbox.calls.find({ operation: 'AssumeRole', includeFailed: true })).toHaveLength(1);
    expect(run.sandbox.cloudFormationIn(PROD).stack('prod-orders')?.status).toBe('CREATE_COMPLETE');
  });

  it.each([
    [{ targetRoleArn: DEPLOY_ROLE }, /targetRoleArn deploys into account 222222222222, so cloudFormationRoleArn must name that account's CloudFormation service role/],
    [{ targetRoleArn: DEPLOY_ROLE, cloudFormationRoleArn: `arn:aws:iam::${SANDBOX_ACCOUNT}:role/cfn` }, /cloudFormationRoleArn "arn:aws:iam::123456789012:role\/cfn" is a role of account 123456789012, but targetRoleArn deploys into account 222222222222/],
    [{ targetExternalId: 'orders-prod-7f3a' }, /targetExternalId is given without targetRoleArn/],
    [{ region: 'Europe' }, /region: must be an AWS region name, e\.g\. eu-west-1/],
  ])('bad target settings are refused before anything is assumed or touched: %j', async (input, message) => {
    const run = await deploy(input, (sandbox) => sandbox.sts.allowRole({ roleArn: DEPLOY_ROLE }));

    expect(run.error).toBe('InvalidInputError');
    expect(run.cause).toMatch(message);
    expect(run.sandbox.calls.find({ service: 'STS' })).toEqual([]);
    expect(run.sandbox.calls.find({ service: 'CloudFormation' })).toEqual([]);
  });

  it('"region" alone deploys into another region of the orchestrator\'s account', async () => {
    const run = await deploy({ region: 'eu-west-1' });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.sandbox.cloudFormationIn(SANDBOX_ACCOUNT, 'eu-west-1').stack('prod-orders')?.status).toBe('CREATE_COMPLETE');
    expect(run.sandbox.cloudFormation.allStacks()).toEqual([]);
    const calls = run.sandbox.calls.find({ service: 'CloudFormation' });
    expect(calls.every((call) => call.region === 'eu-west-1' && call.accessKeyId === ORCHESTRATOR_ACCESS_KEY_ID)).toBe(true);
  });

  it('in event mode, the target account\'s status change event reaches the orchestrator\'s bus, and the completion function reads the stack with the target role', async () => {
    const run = await deploy(
      TARGETED,
      (sandbox) => {
        sandbox.sts.allowRole({ roleArn: DEPLOY_ROLE });
        seedProdStack(sandbox);
        sandbox.cloudFormationIn(PROD).slowDown('prod-orders', 30);
      },
      true,
    );

    expect(run.status).toBe('SUCCEEDED');
    const delivered = run.sandbox.events.deliveries.filter((delivery) => delivery.outcome === 'delivered');
    expect(delivered.some((delivery) => delivery.event.account === PROD && (delivery.event.detail['status-details'] as { status: string }).status === 'UPDATE_COMPLETE')).toBe(true);
    const sessions = new Map(run.sandbox.sts.assumed.map((session) => [session.accessKeyId, session]));
    const answeredAt = run.sandbox.calls.find({ operation: 'SendTaskSuccess' })[0].sequence;
    const completionRead = run.sandbox.calls.find({ operation: 'DescribeStacks' }).filter((call) => call.sequence < answeredAt).pop();
    expect(completionRead?.account).toBe(PROD);
    expect(sessions.get(completionRead?.accessKeyId ?? '')?.roleArn).toBe(DEPLOY_ROLE);
  });

  it('the two-accounts scenario: one pipeline run, dev then prod, each stage\'s calls made in its own account with its own assumed role', async () => {
    const run = await runScenario(loadScenario(path.join(__dirname, '..', '..', 'examples', 'scenarios', 'two-accounts')), { handlers: TASK_HANDLERS, trigger });

    expect(unmetExpectations(run)).toEqual([]);
    expect(run.stages?.map((stage) => [stage.name, stage.pipeline?.status])).toEqual([
      ['dev', 'Succeeded'],
      ['prod', 'Succeeded'],
    ]);
    const sessions = new Map(run.sandbox.sts.assumed.map((session) => [session.accessKeyId, session]));
    const rolesByAccount = new Map<string, Set<string>>();
    for (const call of run.sandbox.calls.find({ service: 'CloudFormation', includeFailed: true })) {
      const role = sessions.get(call.accessKeyId ?? '')?.roleArn ?? 'the orchestrator\'s own credentials';
      rolesByAccount.set(call.account ?? '', (rolesByAccount.get(call.account ?? '') ?? new Set()).add(role));
    }
    expect(Object.fromEntries([...rolesByAccount].map(([account, roles]) => [account, [...roles]]))).toEqual({
      '222222222222': ['arn:aws:iam::222222222222:role/SafeDeployTarget-DeployRole'],
      '333333333333': ['arn:aws:iam::333333333333:role/SafeDeployTarget-DeployRole'],
    });
    expect(run.sandbox.cloudFormationIn('222222222222').stack('dev-orders')?.status).toBe('CREATE_COMPLETE');
    expect(run.sandbox.cloudFormationIn('333333333333').stack('prod-orders')?.status).toBe('UPDATE_COMPLETE');
    expect(run.sandbox.cloudFormation.allStacks()).toEqual([]);
  });
});
