/**
 * The new-stack runs' invariants can fail: each world below is what a broken deployer would leave,
 * and the check must name it; a real new-stack run through the harness keeps every invariant.
 */
import './capture-logs';
import { createSandbox } from '../../local/sandbox';
import { seedStack } from '../../local/sandbox/cloudformation/seed';
import { newStackViolations } from './new-stack';
import { runPlanned, type RunPlan } from './harness';

const TEMPLATE = 'Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n';
const codes = (violations: string[]) => violations.map((violation) => violation.split(':')[0]);
const succeeded = { via: 'manual', status: 'SUCCEEDED', succeeded: true };
const failed = (error: string, cause: string) => ({ via: 'pipeline', status: 'Failed', succeeded: false, error, cause });

function world(stacks: Array<{ stackName: string; status?: string }>) {
  const { cloudFormation } = createSandbox();
  for (const stack of stacks) seedStack(cloudFormation, { ...stack, templateBody: TEMPLATE });
  return cloudFormation;
}

describe('the new-stack runs\' invariants', () => {
  it('hold for a real run: the replacement deployed beside the live stack, through the pipeline', async () => {
    const plan: RunPlan = { seed: 11, kind: 'replacement', shape: 'pipeline', deployments: 1, onBusy: 'fail', faults: [], slow: false, newStack: true };

    const result = await runPlanned(plan, []);

    expect(result.violations).toEqual([]);
    expect(result.outcomes[0].succeeded).toBe(true);
  });

  it('catch a changed live stack, a second new generation, and a success with no new stack', () => {
    const cloudFormation = world([{ stackName: 'prod-orders', status: 'UPDATE_COMPLETE' }, { stackName: 'prod-orders-0a1b2c3d', status: 'ROLLBACK_COMPLETE' }, { stackName: 'prod-orders-99999999', status: 'ROLLBACK_COMPLETE' }]);

    expect(codes(newStackViolations(cloudFormation, 'prod-orders', 'CREATE_COMPLETE', [succeeded]))).toEqual(['live-changed', 'too-many-stacks', 'false-success']);
  });

  it('catch a new stack that was made but reported as a plain failure, and let an unknown outcome be said so', () => {
    const cloudFormation = world([{ stackName: 'prod-orders' }, { stackName: 'prod-orders-0a1b2c3d' }]);

    expect(codes(newStackViolations(cloudFormation, 'prod-orders', 'CREATE_COMPLETE', [failed('ChangeSetRejected', 'rejected and deleted')]))).toEqual(['false-failure']);
    expect(newStackViolations(cloudFormation, 'prod-orders', 'CREATE_COMPLETE', [failed('StackOutcomeUnknownError', 'the stack may still be changing'), succeeded])).toEqual([]);
  });
});
