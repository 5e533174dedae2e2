import type { ResourceStatus, StackEvent } from '@aws-sdk/client-cloudformation';
import type { VirtualClock } from '../clock';
import type { SeededRandom } from '../random';
import type { SandboxResource, SandboxStack } from './model';

/** The stack's own type in its events: an event about the stack names the stack id as its physical id. */
export const STACK_RESOURCE_TYPE = 'AWS::CloudFormation::Stack';

/** CloudFormation's reason on the first event of an operation someone asked for. */
export const USER_INITIATED = 'User Initiated';

/**
 * Writes stack events as DescribeStackEvents returns them: newest first, resource events with ids
 * of the form `<LogicalId>-<STATUS>-<timestamp>`, stack events with a UUID.
 */
export class EventWriter {
  constructor(
    private readonly clock: VirtualClock,
    private readonly random: SeededRandom,
  ) {}

  stack(stack: SandboxStack, status: string, reason?: string, token?: string): void {
    stack.status = status;
    stack.statusReason = reason;
    this.push(stack, {
      EventId: this.random.uuid(),
      LogicalResourceId: stack.stackName,
      PhysicalResourceId: stack.stackId,
      ResourceType: STACK_RESOURCE_TYPE,
      ResourceStatus: status as ResourceStatus,
      ...(reason ? { ResourceStatusReason: reason } : {}),
      ...(token ? { ClientRequestToken: token } : {}),
    });
  }

  resource(stack: SandboxStack, resource: SandboxResource, status: string, reason?: string, token?: string): void {
    resource.status = status;
    const timestamp = this.clock.now();
    const inProgress = status.endsWith('_IN_PROGRESS');
    this.push(stack, {
      EventId: `${resource.logicalId}-${status}-${timestamp.toISOString()}`,
      LogicalResourceId: resource.logicalId,
      // A resource being created has no physical id until CloudFormation makes it.
      PhysicalResourceId: status === 'CREATE_IN_PROGRESS' && !reason ? '' : resource.physicalId,
      ResourceType: resource.type,
      ResourceStatus: status as ResourceStatus,
      ...(reason ? { ResourceStatusReason: reason } : {}),
      ...(inProgress ? { ResourceProperties: JSON.stringify(resource.properties) } : {}),
      ...(token ? { ClientRequestToken: token } : {}),
    });
  }

  private push(stack: SandboxStack, event: Omit<StackEvent, 'StackId' | 'StackName' | 'Timestamp'>): void {
    stack.events.unshift({ StackId: stack.stackId, StackName: stack.stackName, Timestamp: this.clock.now(), ...event });
  }
}
