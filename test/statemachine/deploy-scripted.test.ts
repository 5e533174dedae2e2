/**
 * The ASL itself, run end to end by the local engine with the real task handlers, against scripted
 * CloudFormation and S3 answers (aws-sdk-client-mock at the SDK boundary). Each test checks the
 * terminal state, the error and cause, and which mutating calls were made.
 */
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListChangeSetsCommand,
  type DescribeChangeSetCommandOutput,
  type DescribeStackEventsCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { runLocalExecution, type LocalExecutionResult } from '../../local/engine';
import { TASK_HANDLERS } from '../../functions/handlers';
import { readableCause } from '../../functions/trigger/execution-failure';
import {
  CHANGE_SET_ID,
  STACK_ID,
  STACK_NAME,
  artifactZip,
  awsError,
  defaultArtifact,
  fixture,
  input,
  s3Object,
  stack,
  stackMissing,
} from '../helpers/aws';

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);

const MUTATING = [CreateStackCommand, DeleteStackCommand, CreateChangeSetCommand, ExecuteChangeSetCommand, DeleteChangeSetCommand];

/** The mutating calls made, in the order made. */
function mutatingCalls(): string[] {
  const mutating = new Set<string>(MUTATING.map((command) => command.name));
  return cfn
    .calls()
    .map((call) => (call.args[0] as object).constructor.name)
    .filter((name) => mutating.has(name))
    .map((name) => name.replace(/Command$/, ''));
}

async function run(document: Record<string, unknown> = input()): Promise<LocalExecutionResult> {
  return runLocalExecution(document, { executionName: 'exec-1', handlers: TASK_HANDLERS, waitMilliseconds: 0, retryMilliseconds: 0 });
}

/** The message inside a Lambda error's cause, `{"errorType":..,"errorMessage":..}`. */
function causeMessage(result: LocalExecutionResult): string {
  return readableCause(result.cause) ?? '';
}

function output(result: LocalExecutionResult): Record<string, Record<string, unknown>> {
  return result.output as Record<string, Record<string, unknown>>;
}

/** A change that removes and replaces nothing. */
function modify(logicalId: string): unknown {
  return { Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: logicalId, ResourceType: 'AWS::DynamoDB::Table', Replacement: 'False' } };
}

function changeSetPage(status: string, changes: unknown[] = [], extra: Record<string, unknown> = {}): DescribeChangeSetCommandOutput {
  return {
    $metadata: {},
    ChangeSetId: CHANGE_SET_ID,
    ChangeSetName: 'deploy-exec-1',
    StackId: STACK_ID,
    StackName: STACK_NAME,
    Status: status,
    ExecutionStatus: status === 'CREATE_COMPLETE' ? 'AVAILABLE' : 'UNAVAILABLE',
    Changes: changes,
    ...extra,
  } as DescribeChangeSetCommandOutput;
}

const failureEvents = {
  StackEvents: [
    { StackId: STACK_ID, LogicalResourceId: STACK_NAME, PhysicalResourceId: STACK_ID, ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'ROLLBACK_IN_PROGRESS', ResourceStatusReason: 'The following resource(s) failed to create: [Table].' },
    { StackId: STACK_ID, LogicalResourceId: 'Topic', ResourceType: 'AWS::SNS::Topic', ResourceStatus: 'CREATE_FAILED', ResourceStatusReason: 'Resource creation cancelled' },
    { StackId: STACK_ID, LogicalResourceId: 'Table', ResourceType: 'AWS::DynamoDB::Table', ResourceStatus: 'CREATE_FAILED', ResourceStatusReason: 'users already exists in stack arn:aws:cloudformation:us-east-1:123456789012:stack/other/1' },
    { StackId: STACK_ID, LogicalResourceId: STACK_NAME, PhysicalResourceId: STACK_ID, ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'CREATE_IN_PROGRESS', ResourceStatusReason: 'User Initiated' },
    { StackId: STACK_ID, LogicalResourceId: 'OldTable', ResourceType: 'AWS::DynamoDB::Table', ResourceStatus: 'CREATE_FAILED', ResourceStatusReason: 'an older operation, not this one' },
  ],
} as unknown as DescribeStackEventsCommandOutput;

/** An existing stack whose change set is created in two polls and then described with `pages`. */
function existingStackWithChangeSet(pages: DescribeChangeSetCommandOutput[]): void {
  cfn.on(DescribeStacksCommand, { StackName: STACK_NAME }).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
  cfn.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ID, StackId: STACK_ID });
  const describe = cfn.on(DescribeChangeSetCommand);
  describe.resolvesOnce(changeSetPage('CREATE_PENDING')).resolvesOnce(changeSetPage('CREATE_COMPLETE', pages[0].Changes));
  for (const page of pages) describe.resolvesOnce(page);
}

beforeEach(() => {
  cfn.reset();
  s3.reset();
  s3.on(GetObjectCommand).resolves(s3Object(defaultArtifact()));
  cfn.on(ListChangeSetsCommand).resolves({ Summaries: [] });
});

describe('new stack', () => {
  it('creates the stack, waits for CREATE_COMPLETE and reports its outputs', async () => {
    cfn.on(DescribeStacksCommand, { StackName: STACK_NAME }).rejects(stackMissing(STACK_NAME));
    cfn.on(CreateStackCommand).resolves({ StackId: STACK_ID });
    cfn
      .on(DescribeStacksCommand, { StackName: STACK_ID })
      .resolvesOnce({ Stacks: [stack('CREATE_IN_PROGRESS')] })
      .resolves({ Stacks: [stack('CREATE_COMPLETE', { Outputs: [{ OutputKey: 'TableArn', OutputValue: 'arn:aws:dynamodb:us-east-1:123456789012:table/users' }] })] });

    const result = await run();

    expect(result.status).toBe('SUCCEEDED');
    expect(mutatingCalls()).toEqual(['CreateStack']);
    const create = cfn.commandCalls(CreateStackCommand)[0].args[0].input;
    expect(create).toMatchObject({
      StackName: 'prod-app',
      Parameters: [{ ParameterKey: 'TableName', ParameterValue: 'users' }],
      Tags: [{ Key: 'team', Value: 'platform' }],
      ClientRequestToken: 'deploy-exec-1-create',
    });
    expect(create.TemplateBody).toContain('AWS::DynamoDB::Table');
    const out = output(result);
    expect(out.stack).toMatchObject({ exists: false, action: 'CREATE' });
    expect(out.result).toMatchObject({ decision: 'CREATED', status: 'CREATE_COMPLETE', stackId: STACK_ID, polls: 2 });
    expect(out.result.outputs).toEqual([{ OutputKey: 'TableArn', OutputValue: 'arn:aws:dynamodb:us-east-1:123456789012:table/users' }]);
  });

  it('fails a create that rolls back with the first failing resource and its reason', async () => {
    cfn.on(DescribeStacksCommand, { StackName: STACK_NAME }).rejects(stackMissing(STACK_NAME));
    cfn.on(CreateStackCommand).resolves({ StackId: STACK_ID });
    cfn
      .on(DescribeStacksCommand, { StackName: STACK_ID })
      .resolvesOnce({ Stacks: [stack('ROLLBACK_IN_PROGRESS')] })
      .resolves({ Stacks: [stack('ROLLBACK_COMPLETE')] });
    cfn.on(DescribeStackEventsCommand).resolves(failureEvents);

    const result = await run();

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('StackCreateFailedError');
    const message = causeMessage(result);
    expect(message).toContain('Creating stack prod-app failed (ROLLBACK_COMPLETE)');
    expect(message).toContain('Table (AWS::DynamoDB::Table) CREATE_FAILED: users already exists');
    expect(message).not.toContain('older operation');
    expect(mutatingCalls()).toEqual(['CreateStack']);
  });
});

describe('existing stack', () => {
  it('executes a change set that removes and replaces nothing, and waits for UPDATE_COMPLETE', async () => {
    const safe = fixture<DescribeChangeSetCommandOutput>('cloudformation/cfn-dcs-awsdocs-add-remove.json');
    existingStackWithChangeSet([changeSetPage('CREATE_COMPLETE', safe.Changes!.filter((c) => c.ResourceChange?.Action === 'Add'))]);
    cfn.on(ExecuteChangeSetCommand).resolves({});
    cfn
      .on(DescribeStacksCommand, { StackName: STACK_ID })
      .resolvesOnce({ Stacks: [stack('UPDATE_IN_PROGRESS')] })
      .resolvesOnce({ Stacks: [stack('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')] })
      .resolves({ Stacks: [stack('UPDATE_COMPLETE')] });

    const result = await run();

    expect(result.status).toBe('SUCCEEDED');
    expect(mutatingCalls()).toEqual(['CreateChangeSet', 'ExecuteChangeSet']);
    expect(cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input).toMatchObject({
      StackName: 'prod-app',
      ChangeSetName: 'deploy-exec-1',
      ChangeSetType: 'UPDATE',
      IncludeNestedStacks: true,
    });
    expect(cfn.commandCalls(ExecuteChangeSetCommand)[0].args[0].input.ChangeSetName).toBe(CHANGE_SET_ID);
    const out = output(result);
    expect(out.inspection).toMatchObject({ safe: true, changeCount: 2, offending: [] });
    expect(out.result).toMatchObject({ decision: 'UPDATED', status: 'UPDATE_COMPLETE' });
  });

  it('fails an update that rolls back, with the reason', async () => {
    existingStackWithChangeSet([changeSetPage('CREATE_COMPLETE', [{ Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'Table', ResourceType: 'AWS::DynamoDB::Table', Replacement: 'False' } }])]);
    cfn.on(ExecuteChangeSetCommand).resolves({});
    cfn
      .on(DescribeStacksCommand, { StackName: STACK_ID })
      .resolvesOnce({ Stacks: [stack('UPDATE_ROLLBACK_IN_PROGRESS')] })
      .resolves({ Stacks: [stack('UPDATE_ROLLBACK_COMPLETE')] });
    cfn.on(DescribeStackEventsCommand).resolves(({
      StackEvents: [
        { StackId: STACK_ID, LogicalResourceId: 'Table', ResourceType: 'AWS::DynamoDB::Table', ResourceStatus: 'UPDATE_FAILED', ResourceStatusReason: 'Provisioned throughput cannot be set for PAY_PER_REQUEST' },
        { StackId: STACK_ID, LogicalResourceId: STACK_NAME, PhysicalResourceId: STACK_ID, ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'UPDATE_IN_PROGRESS' },
      ],
    } as unknown) as DescribeStackEventsCommandOutput);

    const result = await run();

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('StackUpdateFailedError');
    expect(causeMessage(result)).toMatch(/Updating stack prod-app failed \(UPDATE_ROLLBACK_COMPLETE\).*Table \(AWS::DynamoDB::Table\) UPDATE_FAILED: Provisioned throughput/);
    expect(mutatingCalls()).toEqual(['CreateChangeSet', 'ExecuteChangeSet']);
  });

  it.each([
    ['Remove', 'cfn-dcs-awsdocs-add-remove.json', ['MyEC2Instance'], /MyEC2Instance \(AWS::EC2::Instance\) \[i-1abc23d4\]: Remove: deletes the resource/],
    ['Replacement True', 'cfn-dcs-awsdocs-replacement-true-multiple.json', ['MyEC2Instance'], /Modify, Replacement True.*forced by Properties\.KeyName \(always replaces, DirectModification\)/],
    ['Replacement Conditional and Remove', 'cfn-dcs-real-secrets-conditional-remove-add.json', ['Secret1', 'Secret222'], /Secret222 \(AWS::SecretsManager::Secret\).*Modify, Replacement Conditional: may replace/],
  ])('rejects a change set with %s: deletes it, never executes it, names every offending resource', async (_case, file, offending, detail) => {
    const published = fixture<DescribeChangeSetCommandOutput>(`cloudformation/${file}`);
    existingStackWithChangeSet([changeSetPage('CREATE_COMPLETE', published.Changes)]);
    cfn.on(DeleteChangeSetCommand).resolves({});

    const result = await run();

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ChangeSetRejected');
    expect(result.cause).toMatch(detail);
    for (const id of offending) expect(result.cause).toContain(`- ${id} (`);
    expect(mutatingCalls()).toEqual(['CreateChangeSet', 'DeleteChangeSet']);
    expect(cfn.commandCalls(DeleteChangeSetCommand)[0].args[0].input.ChangeSetName).toBe(CHANGE_SET_ID);
  });

  it('reads every page: an unsafe change only on the second page is found', async () => {
    const add = { Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: 'Queue', ResourceType: 'AWS::SQS::Queue' } };
    const remove = { Type: 'Resource', ResourceChange: { Action: 'Remove', LogicalResourceId: 'Table', ResourceType: 'AWS::DynamoDB::Table', PhysicalResourceId: 'users', PolicyAction: 'Delete' } };
    cfn.on(DescribeStacksCommand, { StackName: STACK_NAME }).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ID, StackId: STACK_ID });
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_COMPLETE', [add], { NextToken: 'page-2' }));
    cfn.on(DescribeChangeSetCommand, { NextToken: 'page-2' }).resolves(changeSetPage('CREATE_COMPLETE', [remove]));
    cfn.on(DeleteChangeSetCommand).resolves({});

    const result = await run();

    expect(result.error).toBe('ChangeSetRejected');
    expect(result.cause).toContain('- Table (AWS::DynamoDB::Table) [users]: Remove, PolicyAction Delete: deletes the resource');
    expect(result.cause).not.toContain('Queue');
    expect(mutatingCalls()).toEqual(['CreateChangeSet', 'DeleteChangeSet']);
  });

  it('an empty change set is a successful no-op: deleted, never executed', async () => {
    const empty = fixture<DescribeChangeSetCommandOutput>('cloudformation/cfn-dcs-localstack-failed-no-changes.json');
    cfn.on(DescribeStacksCommand, { StackName: STACK_NAME }).resolves({ Stacks: [stack('UPDATE_COMPLETE', { Outputs: [{ OutputKey: 'TableArn', OutputValue: 'arn:table' }] })] });
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves({ Stacks: [stack('UPDATE_COMPLETE', { Outputs: [{ OutputKey: 'TableArn', OutputValue: 'arn:table' }] })] });
    cfn.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ID, StackId: STACK_ID });
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('FAILED', [], { StatusReason: empty.StatusReason }));
    cfn.on(DeleteChangeSetCommand).resolves({});

    const result = await run();

    expect(result.status).toBe('SUCCEEDED');
    expect(mutatingCalls()).toEqual(['CreateChangeSet', 'DeleteChangeSet']);
    expect(output(result).result).toMatchObject({ decision: 'NO_CHANGES', action: 'NONE', outputs: [{ OutputKey: 'TableArn', OutputValue: 'arn:table' }] });
  });

  it('a change set that fails for another reason fails the deployment with that reason', async () => {
    cfn.on(DescribeStacksCommand, { StackName: STACK_NAME }).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ID, StackId: STACK_ID });
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('FAILED', [], { StatusReason: 'Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template' }));

    const result = await run();

    expect(result.error).toBe('ChangeSetFailedError');
    expect(causeMessage(result)).toContain('Unresolved resource dependencies [Missing]');
    // The FAILED change set is no use to anyone: it is cleaned up, and the cause says so.
    expect(causeMessage(result)).toContain('The change set deploy-exec-1 was deleted; nothing was changed.');
    expect(mutatingCalls()).toEqual(['CreateChangeSet', 'DeleteChangeSet']);
  });
});

describe('stacks that cannot take a change', () => {
  it.each([
    ['ROLLBACK_FAILED', /Delete the stack/],
    ['UPDATE_ROLLBACK_FAILED', /continue-update-rollback --stack-name prod-app/],
    ['DELETE_FAILED', /Finish deleting it/],
  ])('%s fails fast saying what the operator must do, and changes nothing', async (status, advice) => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack(status)] });

    const result = await run();

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('StackNotReadyError');
    expect(causeMessage(result)).toMatch(advice);
    expect(mutatingCalls()).toEqual([]);
  });

  it.each([
    ['UPDATE_IN_PROGRESS', /busy \(UPDATE_IN_PROGRESS\).*Wait until it finishes/],
    ['CREATE_IN_PROGRESS', /busy \(CREATE_IN_PROGRESS\)/],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', /busy/],
    ['DELETE_IN_PROGRESS', /busy/],
  ])('%s is busy: fails fast with StackBusyError, and changes nothing', async (status, advice) => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack(status)] });

    const result = await run();

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('StackBusyError');
    expect(causeMessage(result)).toMatch(advice);
    expect(mutatingCalls()).toEqual([]);
  });

  it('ROLLBACK_COMPLETE is deleted, waited for, and created afresh; the output says so', async () => {
    const published = fixture<Record<string, unknown>>('cloudformation/cfn-ds-localstack-rollback-complete-stack.json');
    cfn.on(DescribeStacksCommand, { StackName: STACK_NAME }).resolves({ Stacks: [stack(published.StackStatus as string)] });
    cfn.on(DeleteStackCommand).resolves({});
    const NEW_ID = `${STACK_ID}-new`;
    cfn
      .on(DescribeStacksCommand, { StackName: STACK_ID })
      .resolvesOnce({ Stacks: [stack('ROLLBACK_COMPLETE')] })
      .resolvesOnce({ Stacks: [stack('DELETE_IN_PROGRESS')] })
      .resolves({ Stacks: [stack('DELETE_COMPLETE')] });
    cfn.on(CreateStackCommand).resolves({ StackId: NEW_ID });
    cfn.on(DescribeStacksCommand, { StackName: NEW_ID }).resolves({ Stacks: [stack('CREATE_COMPLETE', { StackId: NEW_ID })] });

    const result = await run();

    expect(result.status).toBe('SUCCEEDED');
    expect(mutatingCalls()).toEqual(['DeleteStack', 'CreateStack']);
    expect(cfn.commandCalls(DeleteStackCommand)[0].args[0].input.StackName).toBe(STACK_ID);
    const out = output(result);
    expect(out.recreate).toMatchObject({ deleted: true, deletedStackId: STACK_ID, previousStatus: 'ROLLBACK_COMPLETE' });
    expect(out.recreate.note).toMatch(/deleted and created afresh/);
    expect(out.result).toMatchObject({ decision: 'CREATED', stackId: NEW_ID });
  });

  it('REVIEW_IN_PROGRESS is created through a CREATE change set, inspected first', async () => {
    cfn.on(DescribeStacksCommand, { StackName: STACK_NAME }).resolves({ Stacks: [stack('REVIEW_IN_PROGRESS')] });
    cfn.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ID, StackId: STACK_ID });
    const add = { Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: 'Table', ResourceType: 'AWS::DynamoDB::Table' } };
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_COMPLETE', [add]));
    cfn.on(ExecuteChangeSetCommand).resolves({});
    cfn
      .on(DescribeStacksCommand, { StackName: STACK_ID })
      .resolvesOnce({ Stacks: [stack('REVIEW_IN_PROGRESS')] })
      .resolvesOnce({ Stacks: [stack('CREATE_IN_PROGRESS')] })
      .resolves({ Stacks: [stack('CREATE_COMPLETE')] });

    const result = await run();

    expect(result.status).toBe('SUCCEEDED');
    expect(cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input.ChangeSetType).toBe('CREATE');
    expect(mutatingCalls()).toEqual(['CreateChangeSet', 'ExecuteChangeSet']);
    expect(output(result).result).toMatchObject({ decision: 'CREATED', status: 'CREATE_COMPLETE' });
  });
});

describe('errors from AWS', () => {
  it('a throttled call is retried by the ASL and the deployment goes on', async () => {
    cfn
      .on(DescribeStacksCommand, { StackName: STACK_NAME })
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .rejects(stackMissing(STACK_NAME));
    cfn.on(CreateStackCommand).resolves({ StackId: STACK_ID });
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves({ Stacks: [stack('CREATE_COMPLETE')] });

    const result = await run();

    expect(result.status).toBe('SUCCEEDED');
    expect(cfn.commandCalls(DescribeStacksCommand, { StackName: STACK_NAME })).toHaveLength(2);
    const retried = result.events.filter((event) => event.type === 'StateRetried').map((event) => ('state' in event ? event.state.name : ''));
    expect(retried).toEqual(['Check Stack Existence']);
  });

  it('access denied is an error, never "the stack does not exist": nothing is created', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'User is not authorized to perform: cloudformation:DescribeStacks', 403));

    const result = await run();

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('AwsCallError');
    expect(causeMessage(result)).toContain('AccessDenied');
    expect(mutatingCalls()).toEqual([]);
  });

  it('a stack that never settles within the budget has an unknown outcome: it may still be changing', async () => {
    cfn.on(DescribeStacksCommand, { StackName: STACK_NAME }).rejects(stackMissing(STACK_NAME));
    cfn.on(CreateStackCommand).resolves({ StackId: STACK_ID });
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves({ Stacks: [stack('CREATE_IN_PROGRESS')] });

    const result = await run(input({ maxWaitSeconds: 120 }));

    expect(result.error).toBe('StackOutcomeUnknownError');
    expect(causeMessage(result)).toMatch(/^Stack prod-app may still be changing: .*Creating stack prod-app \(CREATE_IN_PROGRESS\) had not finished when the deployment's budget of 120 seconds/);
  });

  it('a change set that never settles within the budget is cleaned up: DeadlineExceededError, nothing executed', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ID, StackId: STACK_ID });
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_IN_PROGRESS'));
    cfn.on(DeleteChangeSetCommand).resolves({});

    const result = await run(input({ maxWaitSeconds: 60 }));

    expect(result.error).toBe('DeadlineExceededError');
    expect(causeMessage(result)).toMatch(/budget of 60 seconds .* Nothing was executed\..*\nThe change set deploy-exec-1 was deleted; nothing was changed\.$/s);
    expect(mutatingCalls()).toEqual(['CreateChangeSet', 'DeleteChangeSet']);
  });

  it('an update whose status reads keep failing after the execute is never reported as a plain failure', async () => {
    cfn.on(DescribeStacksCommand, { StackName: STACK_NAME }).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ID, StackId: STACK_ID });
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_COMPLETE', [modify('Table')]));
    cfn.on(ExecuteChangeSetCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).rejects(awsError('Throttling', 'Rate exceeded'));

    const result = await run(input({ maxWaitSeconds: 120 }));

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('StackOutcomeUnknownError');
    expect(causeMessage(result)).toMatch(/may still be changing.*Last known status: UPDATE_IN_PROGRESS/);
    expect(mutatingCalls()).toEqual(['CreateChangeSet', 'ExecuteChangeSet']);
  });

  it('a throttled status read in the middle of an update does not fail it: the stack reached UPDATE_COMPLETE', async () => {
    cfn.on(DescribeStacksCommand, { StackName: STACK_NAME }).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ID, StackId: STACK_ID });
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_COMPLETE', [modify('Table')]));
    cfn.on(ExecuteChangeSetCommand).resolves({});
    const throttled = awsError('Throttling', 'Rate exceeded');
    cfn
      .on(DescribeStacksCommand, { StackName: STACK_ID })
      .rejectsOnce(throttled).rejectsOnce(throttled).rejectsOnce(throttled).rejectsOnce(throttled).rejectsOnce(throttled)
      .rejectsOnce(throttled).rejectsOnce(throttled).rejectsOnce(throttled).rejectsOnce(throttled).rejectsOnce(throttled)
      .resolves({ Stacks: [stack('UPDATE_COMPLETE')] });

    const result = await run();

    expect(result.status).toBe('SUCCEEDED');
    expect(output(result).result).toMatchObject({ done: true, decision: 'UPDATED', status: 'UPDATE_COMPLETE' });
  });

  it('an execute whose answer was lost is not repeated blindly: the retry finds it done and follows the update', async () => {
    cfn.on(DescribeStacksCommand, { StackName: STACK_NAME }).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ID, StackId: STACK_ID });
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_COMPLETE', [modify('Table')]));
    cfn
      .on(ExecuteChangeSetCommand)
      .rejectsOnce(awsError('InternalFailure', 'We encountered an internal error', 500))
      .rejects(awsError('InvalidChangeSetStatus', `ChangeSet [${CHANGE_SET_ID}] cannot be executed in its current execution status of [EXECUTE_IN_PROGRESS]`));
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves({ Stacks: [stack('UPDATE_COMPLETE', { ChangeSetId: CHANGE_SET_ID })] });

    const result = await run();

    expect(result.status).toBe('SUCCEEDED');
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
  });

  it('a change set deleted under the deployment (another one was executed) is explained in those words', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ID, StackId: STACK_ID });
    cfn.on(DescribeChangeSetCommand).rejects(awsError('ChangeSetNotFoundException', `ChangeSet [${CHANGE_SET_ID}] does not exist`, 404));

    const result = await run();

    expect(result.error).toBe('ChangeSetSupersededError');
    expect(causeMessage(result)).toMatch(/was deleted while this deployment ran: CloudFormation deletes a stack's other change sets when one is executed/);
    expect(mutatingCalls()).toEqual(['CreateChangeSet']);
  });

  it('an inspection that fails after the change set exists deletes it, and reports the original error', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ID, StackId: STACK_ID });
    cfn
      .on(DescribeChangeSetCommand)
      .resolvesOnce(changeSetPage('CREATE_COMPLETE', [modify('Table')]))
      .rejectsOnce(awsError('AccessDenied', 'User is not authorized to perform: cloudformation:DescribeChangeSet', 403))
      .resolves(changeSetPage('CREATE_COMPLETE', [modify('Table')]));
    cfn.on(DeleteChangeSetCommand).resolves({});

    const result = await run();

    expect(result.error).toBe('AwsCallError');
    expect(causeMessage(result)).toMatch(/AccessDenied[\s\S]*The change set deploy-exec-1 was deleted; nothing was changed\./);
    expect(mutatingCalls()).toEqual(['CreateChangeSet', 'DeleteChangeSet']);
  });

  it('a clean-up that cannot delete the change set is reported beside the original error, never hidden', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ID, StackId: STACK_ID });
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('FAILED', [], { StatusReason: 'Template error: bad' }));
    cfn.on(DeleteChangeSetCommand).rejects(awsError('AccessDenied', 'User is not authorized to perform: cloudformation:DeleteChangeSet', 403));

    const result = await run();

    expect(result.error).toBe('ChangeSetFailedError');
    expect(causeMessage(result)).toMatch(/Template error: bad[\s\S]*could not be deleted .*AccessDenied.*it was not executed\. Delete it in the CloudFormation console/);
  });
});

describe('bad input fails at the first state, naming the field, and touches nothing', () => {
  it.each([
    ['a missing stackName', input({ stackName: undefined }), undefined, /stackName: is required/],
    ['a malformed stackName', input({ stackName: 'my_app!' }), undefined, /stackName: use letters, digits and hyphens/],
    ['an unknown field', input({ stackname: 'x' }), undefined, /stackname: unknown field/],
    ['a templatePath not in the artifact', input({ templatePath: 'template.yml' }), undefined, /templatePath "template.yml" is not in the artifact s3:\/\/artifact-bucket\/pipeline\/source\/abc123.zip. It holds: infra\/template.yaml, infra\/prod.json, README.md/],
    ['a templatePath escaping the archive', input({ templatePath: '../../etc/passwd' }), undefined, /must be a relative path inside the artifact/],
    ['an artifact that is not a zip', input(), new TextEncoder().encode('Resources: {}'), /is not a zip file/],
    ['a template that does not parse', input(), artifactZip({ 'infra/template.yaml': 'Resources:\n  Table: [\n', 'infra/prod.json': '{}' }), /does not parse as JSON or YAML/],
    ['a configuration naming an undeclared parameter', input(), artifactZip({ 'infra/template.yaml': 'Resources:\n  T:\n    Type: AWS::SNS::Topic\n', 'infra/prod.json': '{"Parameters":{"Nope":"x"}}' }), /sets parameter\(s\) Nope that the template does not declare/],
  ])('%s', async (_case, document, artifact, message) => {
    if (artifact) s3.on(GetObjectCommand).resolves(s3Object(artifact));

    const result = await run(document);

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidInputError');
    expect(causeMessage(result)).toMatch(message);
    const states = result.events.filter((event) => event.type === 'StateEntered').map((event) => ('state' in event ? event.state.name : ''));
    expect(states).toEqual(['Prepare Deployment', 'Input Rejected', 'Deployment Failed']);
    expect(cfn.calls()).toHaveLength(0);
  });

  it.each([
    ['an array', [1, 2]],
    ['null', null],
    ['a string', 'prod'],
  ])('%s as execution input: "must be a JSON object" at the first state, not a ResultPath error', async (_case, document) => {
    const result = await runLocalExecution(document, { executionName: 'exec-1', handlers: TASK_HANDLERS, waitMilliseconds: 0, retryMilliseconds: 0 });

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidInputError');
    expect(causeMessage(result)).toMatch(/^The deployment input must be a JSON object/);
    expect(cfn.calls()).toHaveLength(0);
  });

  it('an artifact that does not exist is named', async () => {
    s3.on(GetObjectCommand).rejects(awsError('NoSuchKey', 'The specified key does not exist.', 404));

    const result = await run();

    expect(result.error).toBe('InvalidInputError');
    expect(causeMessage(result)).toContain('The artifact s3://artifact-bucket/pipeline/source/abc123.zip does not exist (NoSuchKey)');
  });
});
