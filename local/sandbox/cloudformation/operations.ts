import type { ResourceChange } from '@aws-sdk/client-cloudformation';
import type { VirtualClock } from '../clock';
import type { SeededRandom } from '../random';
import { EventWriter, USER_INITIATED } from './events';
import type { EvaluatedOutput } from './intrinsics';
import type { SandboxChangeSet, SandboxResource, SandboxStack, StackOperation } from './model';
import { nameProperty, physicalIdFor } from './physical-ids';
import { referencedNames, type Template } from './template';

/**
 * Stack operations as sequences of steps. Each time the stack is described, one step happens, so
 * a poller sees the real status sequences go by:
 *
 *   create   CREATE_IN_PROGRESS → CREATE_COMPLETE
 *            CREATE_IN_PROGRESS → (resource CREATE_FAILED) ROLLBACK_IN_PROGRESS → ROLLBACK_COMPLETE
 *   update   UPDATE_IN_PROGRESS → UPDATE_COMPLETE_CLEANUP_IN_PROGRESS → UPDATE_COMPLETE
 *            UPDATE_IN_PROGRESS → (resource UPDATE_FAILED) UPDATE_ROLLBACK_IN_PROGRESS
 *              → UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS → UPDATE_ROLLBACK_COMPLETE
 *   delete   DELETE_IN_PROGRESS → DELETE_COMPLETE (or DELETE_FAILED)
 *
 * with one resource event group per step, and the reasons CloudFormation writes.
 */
export type ResourceOperation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface OperationDependencies {
  clock: VirtualClock;
  random: SeededRandom;
  events: EventWriter;
  /** The reason a resource fails, when a test or scenario says it does. */
  failureFor(stack: SandboxStack, logicalId: string, operation: ResourceOperation): string | undefined;
  /** The stack's outputs once its template and resources are in place. */
  outputsOf(stack: SandboxStack): EvaluatedOutput[];
  /** Extra polls that see no progress, added to each operation as it starts. */
  delayPollsFor(stack: SandboxStack): number;
}

export type OnFailure = 'ROLLBACK' | 'DO_NOTHING' | 'DELETE';

const CREATION_INITIATED = 'Resource creation Initiated';
const REPLACEMENT_INITIATED = 'Requested update requires the creation of a new physical resource; hence creating one.';
const ROLLBACK_REQUESTED = 'Rollback requested by user.';

function failedToCreate(logicalIds: string[]): string {
  return `The following resource(s) failed to create: [${logicalIds.join(', ')}]. `;
}

function failedToUpdate(logicalIds: string[]): string {
  return `The following resource(s) failed to update: [${logicalIds.join(', ')}]. `;
}

function namedReplacementFailure(logicalId: string): string {
  return `CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename ${logicalId} and update the stack again.`;
}

/** Resources in the order CloudFormation can create them: each after those it refers to. */
export function deploymentOrder(template: Template): string[] {
  const ids = Object.keys(template.Resources);
  const dependencies = new Map(
    ids.map((id) => {
      const resource = template.Resources[id];
      const dependsOn = Array.isArray(resource.DependsOn) ? resource.DependsOn : resource.DependsOn ? [resource.DependsOn] : [];
      const refs = [...referencedNames(resource.Properties ?? {}), ...dependsOn].filter((name) => name !== id && ids.includes(name));
      return [id, new Set(refs)];
    }),
  );
  const ordered: string[] = [];
  while (ordered.length < ids.length) {
    const ready = ids.find((id) => !ordered.includes(id) && [...(dependencies.get(id) ?? [])].every((dep) => ordered.includes(dep)));
    // A dependency cycle: CloudFormation refuses the template; the sandbox just keeps template order.
    ordered.push(ready ?? ids.find((id) => !ordered.includes(id)) ?? '');
  }
  return ordered;
}

function begin(stack: SandboxStack, deps: OperationDependencies, kind: StackOperation['kind'], token?: string): StackOperation {
  const operation: StackOperation = { kind, clientRequestToken: token, steps: [], delayPolls: deps.delayPollsFor(stack) };
  stack.operation = operation;
  return operation;
}

function newResource(stack: SandboxStack, deps: OperationDependencies, logicalId: string, template: Template): SandboxResource {
  const definition = template.Resources[logicalId];
  return {
    logicalId,
    type: definition.Type,
    physicalId: physicalIdFor(definition.Type, logicalId, definition.Properties, stack.stackName, deps.random),
    status: 'CREATE_IN_PROGRESS',
    properties: definition.Properties ?? {},
    deletionPolicy: definition.DeletionPolicy,
  };
}

function isRetained(resource: SandboxResource): boolean {
  return resource.deletionPolicy === 'Retain' || resource.deletionPolicy === 'RetainExceptOnCreate';
}

/** Deletes resources one step each, newest first; returns the ids that failed to delete. */
function deletionSteps(
  stack: SandboxStack,
  deps: OperationDependencies,
  resources: SandboxResource[],
  token: string | undefined,
  options: { honourRetain: boolean; failures: string[]; removeFromStack: boolean },
): Array<() => void> {
  return resources.map((resource) => () => {
    if (options.honourRetain && isRetained(resource)) {
      deps.events.resource(stack, resource, 'DELETE_SKIPPED', undefined, token);
    } else {
      deps.events.resource(stack, resource, 'DELETE_IN_PROGRESS', undefined, token);
      const reason = deps.failureFor(stack, resource.logicalId, 'DELETE');
      if (reason) {
        deps.events.resource(stack, resource, 'DELETE_FAILED', reason, token);
        options.failures.push(resource.logicalId);
        return;
      }
      deps.events.resource(stack, resource, 'DELETE_COMPLETE', undefined, token);
    }
    if (options.removeFromStack && stack.resources.get(resource.logicalId) === resource) stack.resources.delete(resource.logicalId);
  });
}

export interface CreateRequest {
  template: Template;
  templateBody: string;
  /** The template with parameters and conditions resolved: what is deployed. */
  deployTemplate: Template;
  parameters: Record<string, string>;
  token?: string;
  onFailure: OnFailure;
  /** Called when the create finishes (a CREATE change set marks itself executed). */
  onComplete?: (succeeded: boolean) => void;
}

/** Starts a create (CreateStack, or a CREATE change set executed on a REVIEW_IN_PROGRESS shell). */
export function startCreate(stack: SandboxStack, deps: OperationDependencies, request: CreateRequest): void {
  const operation = begin(stack, deps, 'CREATE', request.token);
  stack.template = request.template;
  stack.templateBody = request.templateBody;
  stack.parameters = request.parameters;
  deps.events.stack(stack, 'CREATE_IN_PROGRESS', USER_INITIATED, request.token);
  const created: SandboxResource[] = [];
  const rollback = (failed: string): void => {
    const reason = failedToCreate([failed]);
    const failures: string[] = [];
    const deleteAll = (status: string, complete: string, finalReason?: string): void => {
      operation.steps = [
        () => deps.events.stack(stack, status, status === 'ROLLBACK_IN_PROGRESS' ? `${reason}${ROLLBACK_REQUESTED}` : reason, request.token),
        ...deletionSteps(stack, deps, [...created].reverse(), request.token, { honourRetain: false, failures, removeFromStack: true }),
        () => {
          deps.events.stack(stack, failures.length ? status.replace('_IN_PROGRESS', '_FAILED') : complete, finalReason, request.token);
          if (complete === 'DELETE_COMPLETE' && !failures.length) stack.deletionTime = deps.clock.now();
          request.onComplete?.(false);
        },
      ];
    };
    if (request.onFailure === 'DO_NOTHING') {
      operation.steps = [
        () => {
          deps.events.stack(stack, 'CREATE_FAILED', reason, request.token);
          request.onComplete?.(false);
        },
      ];
    } else if (request.onFailure === 'DELETE') {
      deleteAll('DELETE_IN_PROGRESS', 'DELETE_COMPLETE');
    } else {
      deleteAll('ROLLBACK_IN_PROGRESS', 'ROLLBACK_COMPLETE');
    }
  };
  for (const logicalId of deploymentOrder(request.deployTemplate)) {
    operation.steps.push(() => {
      const resource = newResource(stack, deps, logicalId, request.deployTemplate);
      stack.resources.set(logicalId, resource);
      created.push(resource);
      deps.events.resource(stack, resource, 'CREATE_IN_PROGRESS', undefined, request.token);
      const reason = deps.failureFor(stack, logicalId, 'CREATE');
      if (reason) {
        deps.events.resource(stack, resource, 'CREATE_FAILED', reason, request.token);
        rollback(logicalId);
        return;
      }
      deps.events.resource(stack, resource, 'CREATE_IN_PROGRESS', CREATION_INITIATED, request.token);
      deps.events.resource(stack, resource, 'CREATE_COMPLETE', undefined, request.token);
    });
  }
  operation.steps.push(() => {
    stack.outputs = deps.outputsOf(stack);
    deps.events.stack(stack, 'CREATE_COMPLETE', undefined, request.token);
    request.onComplete?.(true);
  });
}

interface AppliedChange {
  logicalId: string;
  action: 'Add' | 'Modify';
  /** The resource as it was before the change (Modify), to roll back to. */
  previous?: SandboxResource;
  /** The old physical resource a replacement leaves behind, deleted in the cleanup. */
  replacedOld?: SandboxResource;
  /** The new physical id a replacement made, deleted again if the update rolls back. */
  replacedNew?: string;
}

/** Starts the update an executed UPDATE change set makes. */
export function startUpdate(stack: SandboxStack, deps: OperationDependencies, changeSet: SandboxChangeSet, token?: string): void {
  const operation = begin(stack, deps, 'UPDATE', token);
  const before = {
    template: stack.template,
    templateBody: stack.templateBody,
    parameters: stack.parameters,
    outputs: stack.outputs,
  };
  deps.events.stack(stack, 'UPDATE_IN_PROGRESS', USER_INITIATED, token);
  stack.lastUpdatedTime = deps.clock.now();
  const byId = new Map(
    changeSet.changes.map((change) => change.ResourceChange).filter((change): change is ResourceChange => change !== undefined).map((change) => [change.LogicalResourceId ?? '', change]),
  );
  const deployTemplate = changeSet.deployTemplate;
  const applied: AppliedChange[] = [];

  const fail = (logicalId: string, created: boolean): void => {
    const failures: string[] = [];
    const rollbackSteps = [...applied].reverse().flatMap((change): Array<() => void> => {
      if (change.action !== 'Modify' || !change.previous) return [];
      const previous = change.previous;
      return [
        () => {
          const current = stack.resources.get(change.logicalId);
          if (current) deps.events.resource(stack, current, 'UPDATE_IN_PROGRESS', undefined, token);
          stack.resources.set(change.logicalId, previous);
          deps.events.resource(stack, previous, 'UPDATE_COMPLETE', undefined, token);
        },
      ];
    });
    const cleanup = applied.flatMap((change): SandboxResource[] => {
      if (change.action === 'Add') {
        const added = stack.resources.get(change.logicalId);
        return added ? [added] : [];
      }
      // After rolling back, the new physical resource of a replacement is what is left to delete.
      return change.replacedOld ? [{ ...change.replacedOld, physicalId: change.replacedNew ?? change.replacedOld.physicalId }] : [];
    });
    operation.steps = [
      () =>
        deps.events.stack(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', created ? failedToCreate([logicalId]) : failedToUpdate([logicalId]), token),
      ...rollbackSteps,
      () => deps.events.stack(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', undefined, token),
      ...deletionSteps(stack, deps, cleanup.reverse(), token, { honourRetain: false, failures, removeFromStack: true }),
      () => {
        Object.assign(stack, before);
        deps.events.stack(stack, failures.length ? 'UPDATE_ROLLBACK_FAILED' : 'UPDATE_ROLLBACK_COMPLETE', undefined, token);
        changeSet.executionStatus = 'EXECUTE_FAILED';
      },
    ];
  };

  for (const logicalId of deploymentOrder(deployTemplate)) {
    const change = byId.get(logicalId);
    if (!change || (change.Action !== 'Add' && change.Action !== 'Modify')) continue;
    operation.steps.push(() => {
      if (change.Action === 'Add') {
        const resource = newResource(stack, deps, logicalId, deployTemplate);
        stack.resources.set(logicalId, resource);
        applied.push({ logicalId, action: 'Add' });
        deps.events.resource(stack, resource, 'CREATE_IN_PROGRESS', undefined, token);
        const reason = deps.failureFor(stack, logicalId, 'CREATE');
        if (reason) {
          deps.events.resource(stack, resource, 'CREATE_FAILED', reason, token);
          return fail(logicalId, true);
        }
        deps.events.resource(stack, resource, 'CREATE_IN_PROGRESS', CREATION_INITIATED, token);
        deps.events.resource(stack, resource, 'CREATE_COMPLETE', undefined, token);
        return;
      }
      const previous = stack.resources.get(logicalId);
      if (!previous) return;
      const definition = deployTemplate.Resources[logicalId];
      const updated: SandboxResource = {
        ...previous,
        properties: definition.Properties ?? {},
        deletionPolicy: definition.DeletionPolicy,
      };
      const record: AppliedChange = { logicalId, action: 'Modify', previous };
      applied.push(record);
      if (change.Replacement === 'True') {
        const key = nameProperty(previous.type);
        const keepsName = key !== undefined && previous.properties[key] !== undefined && previous.properties[key] === updated.properties[key];
        if (keepsName) {
          deps.events.resource(stack, previous, 'UPDATE_FAILED', namedReplacementFailure(logicalId), token);
          return fail(logicalId, false);
        }
        updated.physicalId = physicalIdFor(previous.type, logicalId, updated.properties, stack.stackName, deps.random);
        record.replacedOld = previous;
        record.replacedNew = updated.physicalId;
        deps.events.resource(stack, updated, 'UPDATE_IN_PROGRESS', REPLACEMENT_INITIATED, token);
      } else {
        deps.events.resource(stack, updated, 'UPDATE_IN_PROGRESS', undefined, token);
      }
      stack.resources.set(logicalId, updated);
      const reason = deps.failureFor(stack, logicalId, 'UPDATE');
      if (reason) {
        deps.events.resource(stack, updated, 'UPDATE_FAILED', reason, token);
        return fail(logicalId, false);
      }
      deps.events.resource(stack, updated, 'UPDATE_COMPLETE', undefined, token);
    });
  }

  const failures: string[] = [];
  const removals = [...byId.values()]
    .filter((change) => change.Action === 'Remove')
    .map((change) => stack.resources.get(change.LogicalResourceId ?? ''))
    .filter((resource): resource is SandboxResource => resource !== undefined);
  operation.steps.push(() => {
    stack.template = changeSet.template;
    stack.templateBody = changeSet.templateBody;
    stack.parameters = changeSet.parameters;
    deps.events.stack(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', undefined, token);
    const leftovers = applied.flatMap((change) => (change.replacedOld ? [change.replacedOld] : []));
    // Old physical resources of replacements go first, then the removed resources, newest first.
    operation.steps.unshift(
      ...deletionSteps(stack, deps, leftovers, token, { honourRetain: true, failures, removeFromStack: false }),
      ...deletionSteps(stack, deps, [...removals].reverse(), token, { honourRetain: true, failures, removeFromStack: true }),
    );
  });
  operation.steps.push(() => {
    stack.outputs = deps.outputsOf(stack);
    deps.events.stack(stack, 'UPDATE_COMPLETE', undefined, token);
    changeSet.executionStatus = 'EXECUTE_COMPLETE';
  });
}

/** Starts a DeleteStack. */
export function startDelete(stack: SandboxStack, deps: OperationDependencies, token?: string): void {
  const operation = begin(stack, deps, 'DELETE', token);
  deps.events.stack(stack, 'DELETE_IN_PROGRESS', USER_INITIATED, token);
  const failures: string[] = [];
  const resources = [...stack.resources.values()].reverse();
  // Even a stack with nothing to delete is seen DELETE_IN_PROGRESS on the first poll, as in AWS.
  if (resources.length === 0) operation.steps.push(() => undefined);
  operation.steps.push(...deletionSteps(stack, deps, resources, token, { honourRetain: true, failures, removeFromStack: true }));
  operation.steps.push(() => {
    if (failures.length) {
      deps.events.stack(stack, 'DELETE_FAILED', `The following resource(s) failed to delete: [${failures.join(', ')}]. `, token);
      return;
    }
    stack.outputs = [];
    stack.deletionTime = deps.clock.now();
    deps.events.stack(stack, 'DELETE_COMPLETE', undefined, token);
  });
}
