import { defaultSafetyPolicy } from '../../functions/shared/input';
/**
 * Builders shared by the unit tests of the task handlers and their shared modules. They start from
 * the end-to-end helpers (test/helpers/aws.ts) and from the published responses in
 * test/fixtures/cloudformation, and change only what a test is about.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createHash } from 'crypto';
import {
  AlreadyExistsException,
  ChangeSetNotFoundException,
  type Change,
  type DescribeChangeSetCommandOutput,
  type DescribeStackEventsCommandOutput,
  type ResourceChange,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { CHANGE_SET_ID, FIXTURES, STACK_ID, STACK_NAME, TEMPLATE, TEMPLATE_CONFIGURATION, fixture } from '../helpers/aws';
import type { ChangeSetState, Deployment, Inspection, OffendingChange, OperationResult, StackCheck, StackRecreate } from '../../functions/shared/state';

export const EXECUTION_NAME = 'exec-1';
export const CHANGE_SET_NAME = 'deploy-exec-1';
export const ARTIFACT = { bucket: 'artifact-bucket', key: 'pipeline/source/abc123.zip' };
export const ROLE_ARN = 'arn:aws:iam::123456789012:role/cfn-deploy';

/** The text of a fixture file (templates are YAML or JSON text, as a pipeline's artifact holds them). */
export function fixtureText(relativePath: string): string {
  return fs.readFileSync(path.join(FIXTURES, relativePath), 'utf8');
}

export function sha256(text: string): string {
  return createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');
}

/** What Prepare Deployment returns for test/helpers/aws.ts's input() and defaultArtifact(). */
export function deployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    environmentName: 'prod',
    stackName: STACK_NAME,
    artifact: { ...ARTIFACT },
    templatePath: 'infra/template.yaml',
    templateConfigurationPath: 'infra/prod.json',
    template: { bytes: Buffer.byteLength(TEMPLATE, 'utf8'), sha256: sha256(TEMPLATE), resourceCount: 1, configurationSha256: sha256(TEMPLATE_CONFIGURATION) },
    parameters: [{ ParameterKey: 'TableName', ParameterValue: 'users' }],
    tags: [{ Key: 'team', Value: 'platform' }],
    capabilities: [],
    safetyPolicy: defaultSafetyPolicy(),
    maxWaitSeconds: 3600,
    onBusy: 'fail',
    waitMode: 'poll',
    onUnsafe: 'fail',
    changeSetName: CHANGE_SET_NAME,
    clientRequestToken: CHANGE_SET_NAME,
    ...overrides,
  };
}

export function stackCheck(overrides: Partial<StackCheck> = {}): StackCheck {
  return { exists: true, action: 'UPDATE', stackId: STACK_ID, status: 'UPDATE_COMPLETE', note: 'exists', ...overrides };
}

/** Create Change Set's answer, as the state data carries it. */
export function changeSetState(overrides: Partial<ChangeSetState> = {}): ChangeSetState {
  return {
    name: CHANGE_SET_NAME,
    id: CHANGE_SET_ID,
    type: 'UPDATE',
    status: 'CREATE_PENDING',
    outcome: 'PENDING',
    polls: 0,
    waitedSeconds: 0,
    waitSeconds: 5,
    ...overrides,
  };
}

export function operationResult(overrides: Partial<OperationResult> = {}): OperationResult {
  return { action: 'CREATE', stackId: STACK_ID, status: 'CREATE_IN_PROGRESS', done: false, polls: 0, waitedSeconds: 0, waitSeconds: 5, ...overrides };
}

export function stackRecreate(overrides: Partial<StackRecreate> = {}): StackRecreate {
  return {
    deletedStackId: STACK_ID,
    previousStatus: 'ROLLBACK_COMPLETE',
    note: 'deleted and created afresh',
    deleted: false,
    polls: 0,
    waitedSeconds: 0,
    waitSeconds: 5,
    ...overrides,
  };
}

export function offendingChange(overrides: Partial<OffendingChange> = {}): OffendingChange {
  return {
    logicalResourceId: 'MyEC2Instance',
    resourceType: 'AWS::EC2::Instance',
    action: 'Remove',
    physicalResourceId: 'i-1abc23d4',
    rule: 'removal',
    reason: 'deletes the resource',
    causes: [],
    ...overrides,
  };
}

export function unsafeInspection(offending: OffendingChange[] = [offendingChange()]): Inspection {
  return {
    safe: false,
    changeCount: offending.length + 1,
    changes: [],
    counts: { removals: offending.filter((change) => change.action === 'Remove').length, replacements: offending.filter((change) => change.action === 'Modify').length, blocked: offending.length },
    truncated: false,
    offending,
    offendingCount: offending.length,
    summary: `${offending.length} unsafe`,
  };
}

export function safeInspection(): Inspection {
  return { safe: true, changeCount: 1, changes: [], counts: { removals: 0, replacements: 0, blocked: 0 }, truncated: false, offending: [], offendingCount: 0, summary: '1 change(s), safe' };
}

/** A published DescribeChangeSet response. JSON gives dates as strings and some fields as null, which the handlers never read. */
export function publishedChangeSet(file: string): DescribeChangeSetCommandOutput {
  return { $metadata: {}, ...fixture<Record<string, unknown>>(`cloudformation/${file}`) } as unknown as DescribeChangeSetCommandOutput;
}

/** The one ResourceChange of a published change set with this logical id. */
export function publishedResourceChange(file: string, logicalResourceId: string): ResourceChange {
  const change = (publishedChangeSet(file).Changes ?? []).find((c) => c.ResourceChange?.LogicalResourceId === logicalResourceId)?.ResourceChange;
  if (!change) throw new Error(`${file} has no change for ${logicalResourceId}`);
  return change;
}

/** The first stack of a published DescribeStacks response (or a bare Stack, as some snapshots hold it). */
export function publishedStack(file: string): Stack {
  const published = fixture<{ Stacks?: Stack[] } & Stack>(`cloudformation/${file}`);
  return (published.Stacks?.[0] ?? published) as Stack;
}

/** One page of DescribeChangeSet for our change set on prod-app. */
export function changeSetPage(status: string, changes: Change[] = [], extra: Partial<DescribeChangeSetCommandOutput> = {}): DescribeChangeSetCommandOutput {
  return {
    $metadata: {},
    ChangeSetId: CHANGE_SET_ID,
    ChangeSetName: CHANGE_SET_NAME,
    StackId: STACK_ID,
    StackName: STACK_NAME,
    Status: status as DescribeChangeSetCommandOutput['Status'],
    ExecutionStatus: status === 'CREATE_COMPLETE' ? 'AVAILABLE' : 'UNAVAILABLE',
    Changes: changes,
    ...extra,
  };
}

export function resourceChange(change: ResourceChange): Change {
  return { Type: 'Resource', ResourceChange: change };
}

/** A stack event of prod-app; `stackItself` makes it the stack's own event (PhysicalResourceId = StackId). */
export function stackEvent(logicalResourceId: string, resourceType: string, status: string, reason?: string): StackEvent {
  const stackItself = resourceType === 'AWS::CloudFormation::Stack' && logicalResourceId === STACK_NAME;
  return {
    StackId: STACK_ID,
    StackName: STACK_NAME,
    EventId: `${logicalResourceId}-${status}`,
    LogicalResourceId: logicalResourceId,
    ...(stackItself ? { PhysicalResourceId: STACK_ID } : {}),
    ResourceType: resourceType,
    ResourceStatus: status as StackEvent['ResourceStatus'],
    ...(reason ? { ResourceStatusReason: reason } : {}),
    Timestamp: new Date('2026-11-01T10:00:00Z'),
  };
}

export function stackOwnEvent(status: string, reason?: string): StackEvent {
  return stackEvent(STACK_NAME, 'AWS::CloudFormation::Stack', status, reason);
}

export function eventsPage(events: StackEvent[], nextToken?: string): DescribeStackEventsCommandOutput {
  return { $metadata: {}, StackEvents: events, ...(nextToken ? { NextToken: nextToken } : {}) };
}

/** The SDK's own exception for the published ChangeSetNotFound error (HTTP 404). */
export function changeSetNotFound(): ChangeSetNotFoundException {
  const published = fixture<{ Error: { Message: string } }>('cloudformation/cfn-error-changeset-not-found.json');
  return new ChangeSetNotFoundException({ message: published.Error.Message, $metadata: { httpStatusCode: 404 } });
}

export function alreadyExists(message: string): AlreadyExistsException {
  return new AlreadyExistsException({ message, $metadata: { httpStatusCode: 400 } });
}

/** Runs `run` with environment variables set (undefined removes one), restoring them afterwards. */
export async function withEnv<T>(variables: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(variables);
  try {
    return await run();
  } finally {
    apply(saved);
  }
}

/** The error a promise rejects with, for assertions on its class, name and message together. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`, { cause: error });
  }
  throw new Error('expected the promise to reject, and it resolved');
}

/** The error a function throws. */
export function thrownBy(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`threw a non-Error: ${String(error)}`, { cause: error });
  }
  throw new Error('expected the function to throw, and it returned');
}

/** The commands a mocked client was sent, in order, by name without "Command". */
export function commandsSent(client: { calls(): Array<{ args: unknown[] }> }): string[] {
  return client.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''));
}
