import { StackStatus } from '@aws-sdk/client-cloudformation';
import { ScenarioError } from '../errors';
import { USER_INITIATED } from './events';
import { materialize, resolveContext, resolveParameters } from './intrinsics';
import type { SandboxStack } from './model';
import { startCreate } from './operations';
import type { CloudFormationSandbox } from './service';
import { parseTemplate } from './template';

/**
 * Stacks that exist before a scenario starts, in any status. A seeded stack is created from its
 * template the way CloudFormation would have created it (resources with physical ids, events,
 * outputs), then put in the status asked for, with the events that lead there.
 */
export interface StackSeed {
  stackName: string;
  /** Any CloudFormation stack status; CREATE_COMPLETE by default. */
  status?: string;
  statusReason?: string;
  /** The deployed template's text; not needed for REVIEW_IN_PROGRESS. */
  templateBody?: string;
  parameters?: Record<string, string>;
  tags?: Record<string, string>;
  capabilities?: string[];
}

const KNOWN_STATUSES = new Set<string>(Object.values(StackStatus));
/** The reason a seeded failed create gives for its first resource, unless the seed says otherwise. */
const SEEDED_CREATE_FAILURE = 'Resource handler returned message: "Seeded failure" (HandlerErrorCode: GeneralServiceException)';

function runToEnd(sandbox: CloudFormationSandbox, stack: SandboxStack): void {
  const deps = sandbox.operationDependencies();
  while (stack.operation) {
    const step = stack.operation.steps.shift();
    deps.clock.advance(1);
    step?.();
    if (stack.operation && stack.operation.steps.length === 0) stack.operation = undefined;
  }
}

export function seedStack(sandbox: CloudFormationSandbox, seed: StackSeed): SandboxStack {
  const status = seed.status ?? 'CREATE_COMPLETE';
  if (!KNOWN_STATUSES.has(status)) {
    throw new ScenarioError(`Seeded stack ${seed.stackName}: "${status}" is not a CloudFormation stack status (${[...KNOWN_STATUSES].join(', ')}).`);
  }
  if (sandbox.stack(seed.stackName)) throw new ScenarioError(`Seeded stack ${seed.stackName} already exists in the sandbox.`);
  const stack = sandbox.newStack(seed.stackName);
  stack.tags = Object.entries(seed.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
  stack.capabilities = seed.capabilities ?? [];
  const deps = sandbox.operationDependencies();

  if (status === 'REVIEW_IN_PROGRESS') {
    deps.events.stack(stack, 'REVIEW_IN_PROGRESS', seed.statusReason ?? USER_INITIATED);
    sandbox.addStack(stack);
    return stack;
  }
  if (seed.templateBody === undefined) throw new ScenarioError(`Seeded stack ${seed.stackName} (${status}) needs a template.`);
  const template = parseTemplate(seed.templateBody);
  const parameters = resolveParameters(
    template,
    Object.entries(seed.parameters ?? {}).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
  );
  stack.description = template.Description;
  const deployTemplate = materialize(template, resolveContext(template, { stackName: stack.stackName, stackId: stack.stackId, parameters }));
  const failedCreate = status === 'ROLLBACK_COMPLETE' || status === 'ROLLBACK_FAILED' || status === 'ROLLBACK_IN_PROGRESS' || status === 'CREATE_FAILED';
  if (failedCreate) {
    sandbox.failResource({
      stackName: stack.stackName,
      logicalId: Object.keys(deployTemplate.Resources)[0],
      operation: 'CREATE',
      reason: seed.statusReason ?? SEEDED_CREATE_FAILURE,
      times: 1,
    });
  }
  startCreate(stack, deps, {
    template,
    templateBody: seed.templateBody,
    deployTemplate,
    parameters,
    onFailure: status === 'CREATE_FAILED' ? 'DO_NOTHING' : 'ROLLBACK',
  });
  stack.operation!.delayPolls = 0;
  runToEnd(sandbox, stack);
  if (stack.status !== status) {
    // Any other status: the stack was created, then something left it there.
    const reason = seed.statusReason ?? (status === 'ROLLBACK_FAILED' ? `The following resource(s) failed to delete: [${Object.keys(deployTemplate.Resources)[0]}]. ` : undefined);
    deps.events.stack(stack, status, reason);
    if (status.startsWith('UPDATE')) stack.lastUpdatedTime = deps.clock.now();
  }
  if (status === 'DELETE_COMPLETE') {
    stack.deletionTime = deps.clock.now();
    stack.resources.clear();
  }
  sandbox.addStack(stack);
  return stack;
}
