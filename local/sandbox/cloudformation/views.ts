import type { DescribeChangeSetCommandOutput, Stack } from '@aws-sdk/client-cloudformation';
import type { RouteOutput } from '../interceptor';
import type { SandboxChangeSet, SandboxStack } from './model';

/** CloudFormation shows NoEcho parameter values as asterisks. */
const NO_ECHO_MASK = '****';

/** A stack as DescribeStacks returns it. */
export function stackView(stack: SandboxStack): Stack {
  return {
    StackId: stack.stackId,
    StackName: stack.stackName,
    ...(stack.changeSetId ? { ChangeSetId: stack.changeSetId } : {}),
    ...(stack.description ? { Description: stack.description } : {}),
    Parameters: Object.entries(stack.parameters).map(([ParameterKey, value]) => ({
      ParameterKey,
      ParameterValue: stack.noEchoParameters.has(ParameterKey) ? NO_ECHO_MASK : value,
    })),
    CreationTime: stack.creationTime,
    ...(stack.deletionTime ? { DeletionTime: stack.deletionTime } : {}),
    ...(stack.lastUpdatedTime ? { LastUpdatedTime: stack.lastUpdatedTime } : {}),
    RollbackConfiguration: {},
    StackStatus: stack.status as Stack['StackStatus'],
    ...(stack.statusReason ? { StackStatusReason: stack.statusReason } : {}),
    DisableRollback: stack.disableRollback,
    NotificationARNs: [],
    Capabilities: stack.capabilities as Stack['Capabilities'],
    ...(stack.outputs.length ? { Outputs: stack.outputs.map((output) => ({ ...output })) } : {}),
    ...(stack.roleArn ? { RoleARN: stack.roleArn } : {}),
    Tags: stack.tags.map((tag) => ({ ...tag })),
    EnableTerminationProtection: false,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
}

/** One page of DescribeChangeSet. Changes show only once the change set is complete. */
export function changeSetView(
  changeSet: SandboxChangeSet,
  page: { start: number; size: number },
): RouteOutput<DescribeChangeSetCommandOutput> {
  const complete = changeSet.status === 'CREATE_COMPLETE';
  const all = complete ? changeSet.changes : [];
  const changes = all.slice(page.start, page.start + page.size);
  const next = page.start + page.size < all.length ? encodeToken(page.start + page.size) : undefined;
  return {
    ChangeSetName: changeSet.changeSetName,
    ChangeSetId: changeSet.changeSetId,
    StackId: changeSet.stackId,
    StackName: changeSet.stackName,
    ...(changeSet.description ? { Description: changeSet.description } : {}),
    ...(changeSet.sdkParameters.length ? { Parameters: changeSet.sdkParameters.map((parameter) => ({ ...parameter })) } : {}),
    CreationTime: changeSet.creationTime,
    ExecutionStatus: changeSet.executionStatus as DescribeChangeSetCommandOutput['ExecutionStatus'],
    Status: changeSet.status as DescribeChangeSetCommandOutput['Status'],
    ...(changeSet.statusReason ? { StatusReason: changeSet.statusReason } : {}),
    NotificationARNs: [],
    RollbackConfiguration: {},
    Capabilities: changeSet.capabilities as DescribeChangeSetCommandOutput['Capabilities'],
    ...(changeSet.tags.length ? { Tags: changeSet.tags.map((tag) => ({ ...tag })) } : {}),
    Changes: structuredClone(changes),
    ...(next ? { NextToken: next } : {}),
    IncludeNestedStacks: changeSet.includeNestedStacks,
  };
}

/** Page tokens are opaque to callers, as AWS's are. */
export function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');
}

export function decodeToken(token: string | undefined): number | undefined {
  if (token === undefined) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    return typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0 ? parsed.offset : undefined;
  } catch {
    return undefined;
  }
}
