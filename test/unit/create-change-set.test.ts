import { type ChangeSetSummary, CloudFormationClient, CreateChangeSetCommand, DeleteChangeSetCommand, DescribeChangeSetCommand, ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/create-change-set/handler';
import { AwsCallError, AwsTransientError, ConfigurationError, InvalidInputError, StackBusyError, StackBusyWaitError } from '../../functions/shared/errors';
import { MAX_TEMPLATE_BODY_BYTES } from '../../functions/shared/limits';
import { CHANGE_SET_ID, STACK_ID, STACK_NAME, TEMPLATE, TEMPLATE_CONFIGURATION, artifactZip, awsError, defaultArtifact, fixture, s3Object } from '../helpers/aws';
import { CHANGE_SET_NAME, ROLE_ARN, alreadyExists, changeSetPage, commandsSent, deployment, rejectionOf, sha256, stackCheck, withEnv } from './helpers';

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);

beforeEach(() => {
  cfn.reset();
  s3.reset();
  s3.on(GetObjectCommand).resolves(s3Object(defaultArtifact()));
  cfn.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ID, StackId: STACK_ID });
  cfn.on(ListChangeSetsCommand).resolves({ Summaries: [] });
});

const largeTemplate = `${TEMPLATE}#${'x'.repeat(MAX_TEMPLATE_BODY_BYTES)}\n`;
function givenLargeTemplate() {
  s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'infra/template.yaml': largeTemplate, 'infra/prod.json': TEMPLATE_CONFIGURATION })));
  return deployment({ template: { bytes: Buffer.byteLength(largeTemplate), sha256: sha256(largeTemplate), resourceCount: 1 } });
}

describe('Create Change Set', () => {
  it('creates an UPDATE change set of the validated template, nested stacks included, named after the execution', async () => {
    const state = await handler({ deployment: deployment({ capabilities: ['CAPABILITY_NAMED_IAM'], roleArn: ROLE_ARN }), stack: stackCheck() });

    expect(cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input).toEqual({
      StackName: STACK_NAME,
      ChangeSetName: CHANGE_SET_NAME,
      ChangeSetType: 'UPDATE',
      TemplateBody: TEMPLATE,
      Parameters: [{ ParameterKey: 'TableName', ParameterValue: 'users' }],
      Tags: [{ Key: 'team', Value: 'platform' }],
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      RoleARN: ROLE_ARN,
      IncludeNestedStacks: true,
      Description: expect.stringMatching(/^deploy-orchestrator execution=deploy-exec-1 started=\S+ deadline=\S+ template=infra\/template.yaml$/),
    });
    expect(state).toEqual({ name: CHANGE_SET_NAME, id: CHANGE_SET_ID, type: 'UPDATE', status: 'CREATE_PENDING', outcome: 'PENDING', polls: 0, waitedSeconds: 0, waitSeconds: 3 });
  });

  it('creates a CREATE change set for a REVIEW_IN_PROGRESS shell', async () => {
    const state = await handler({ deployment: deployment(), stack: stackCheck({ action: 'CREATE_WITH_CHANGE_SET', status: 'REVIEW_IN_PROGRESS' }) });

    expect(cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input.ChangeSetType).toBe('CREATE');
    expect(state.type).toBe('CREATE');
  });

  it('is idempotent: a retry that finds its own change set (AlreadyExistsException) takes its id and creates no other', async () => {
    cfn.on(CreateChangeSetCommand).rejects(alreadyExists(`ChangeSet ${CHANGE_SET_NAME} already exists`));
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: CHANGE_SET_NAME, StackName: STACK_NAME }).resolves(changeSetPage('CREATE_IN_PROGRESS'));

    const state = await handler({ deployment: deployment(), stack: stackCheck() });

    expect(commandsSent(cfn)).toEqual(['CreateChangeSet', 'DescribeChangeSet', 'ListChangeSets']);
    expect(state).toMatchObject({ name: CHANGE_SET_NAME, id: CHANGE_SET_ID, outcome: 'PENDING' });
  });

  it('falls back to the change set name when neither answer carries an id', async () => {
    cfn.on(CreateChangeSetCommand).resolves({});

    const state = await handler({ deployment: deployment(), stack: stackCheck() });

    expect(state.id).toBe(CHANGE_SET_NAME);
  });

  it('reports the published "already exists and cannot be created again" ValidationError, which is not ours to resume', async () => {
    const published = fixture<{ Error: { Code: string; Message: string } }>('cloudformation/cfn-error-create-change-set-stack-exists.json').Error;
    cfn.on(CreateChangeSetCommand).rejects(awsError(published.Code, published.Message));

    const error = await rejectionOf(handler({ deployment: deployment(), stack: stackCheck({ action: 'CREATE_WITH_CHANGE_SET' }) }));

    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toContain('CloudFormation CreateChangeSet deploy-exec-1 on prod-app failed with ValidationError: Stack [<stack-name:1>] already exists');
    expect(commandsSent(cfn)).toEqual(['CreateChangeSet']);
  });

  it('lets a throttled CreateChangeSet be retried', async () => {
    cfn.on(CreateChangeSetCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    await expect(handler({ deployment: deployment(), stack: stackCheck() })).rejects.toBeInstanceOf(AwsTransientError);
  });

  it('stages a template over 51,200 bytes and passes its TemplateURL', async () => {
    const subject = givenLargeTemplate();
    s3.on(PutObjectCommand).resolves({});

    await withEnv({ TEMPLATE_STAGING_BUCKET: 'deploy-template-staging', AWS_REGION: 'us-east-1' }, () => handler({ deployment: subject, stack: stackCheck() }));

    const input = cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input;
    expect(input.TemplateURL).toBe(`https://deploy-template-staging.s3.us-east-1.amazonaws.com/templates/prod-app/${sha256(largeTemplate)}.template`);
    expect(input.TemplateBody).toBeUndefined();
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it('creates no change set when a large template has no staging bucket: ConfigurationError', async () => {
    const subject = givenLargeTemplate();

    const error = await withEnv({ TEMPLATE_STAGING_BUCKET: undefined }, () => rejectionOf(handler({ deployment: subject, stack: stackCheck() })));

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(cfn.calls()).toHaveLength(0);
  });

  it('creates no change set when the template in the artifact is not the one validated', async () => {
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'infra/template.yaml': TEMPLATE.replace('PAY_PER_REQUEST', 'PROVISIONED'), 'infra/prod.json': TEMPLATE_CONFIGURATION })));

    await expect(handler({ deployment: deployment(), stack: stackCheck() })).rejects.toBeInstanceOf(InvalidInputError);
    expect(cfn.calls()).toHaveLength(0);
  });
});

describe('Create Change Set leaves what the deployment does not set', () => {
  it('sends no Tags and no Parameters when the deployment has none, so an update keeps the stack\'s tags', async () => {
    await handler({ deployment: deployment({ tags: [], parameters: [] }), stack: stackCheck() });

    const sent = cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input;
    expect(sent).not.toHaveProperty('Tags');
    expect(sent).not.toHaveProperty('Parameters');
  });
});

describe('Create Change Set: one deployment per stack', () => {
  const record = (name: string, createdAt: string, extra: Partial<ChangeSetSummary> = {}): ChangeSetSummary => ({
    ChangeSetName: name,
    ChangeSetId: `arn:aws:cloudformation:us-east-1:123456789012:changeSet/${name}/0000`,
    StackName: STACK_NAME,
    Status: 'CREATE_PENDING',
    ExecutionStatus: 'UNAVAILABLE',
    CreationTime: new Date(createdAt),
    Description: `deploy-orchestrator execution=${name.replace(/^deploy-/, '')} started=${createdAt} deadline=2999-01-01T00:00:00.000Z template=t.yaml`,
    ...extra,
  });

  it('gives way to an older live deployment that raced it: deletes its own change set and fails with StackBusyError naming the other', async () => {
    cfn.on(ListChangeSetsCommand).resolves({ Summaries: [record('deploy-older', '2026-12-04T14:02:00.000Z'), record(CHANGE_SET_NAME, '2026-12-04T14:02:05.000Z')] });

    const error = await rejectionOf(handler({ deployment: deployment(), stack: stackCheck(), executionName: 'exec-1' }));

    expect(error).toBeInstanceOf(StackBusyError);
    expect(error.message).toMatch(/^Stack prod-app is busy: execution older \(started 14:02 UTC on 2026-12-04\) is deploying it .* change set was deleted and nothing was changed/);
    expect(commandsSent(cfn)).toEqual(['CreateChangeSet', 'ListChangeSets', 'DeleteChangeSet']);
    expect(cfn.commandCalls(DeleteChangeSetCommand)[0].args[0].input).toEqual({ ChangeSetName: CHANGE_SET_ID });
  });

  it('with onBusy "wait", losing the race is StackBusyWaitError, which the state machine retries', async () => {
    cfn.on(ListChangeSetsCommand).resolves({ Summaries: [record('deploy-older', '2026-12-04T14:02:00.000Z'), record(CHANGE_SET_NAME, '2026-12-04T14:02:05.000Z')] });

    const error = await rejectionOf(handler({ deployment: deployment({ onBusy: 'wait' }), stack: stackCheck() }));

    expect(error).toBeInstanceOf(StackBusyWaitError);
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  });

  it('keeps the stack when its own record is the older one', async () => {
    cfn.on(ListChangeSetsCommand).resolves({ Summaries: [record(CHANGE_SET_NAME, '2026-12-04T14:02:00.000Z'), record('deploy-younger', '2026-12-04T14:02:05.000Z')] });

    await expect(handler({ deployment: deployment(), stack: stackCheck() })).resolves.toMatchObject({ name: CHANGE_SET_NAME, outcome: 'PENDING' });
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
  });

  it('a stack mid-operation refuses the change set: StackBusyError, not a bare ValidationError', async () => {
    cfn.on(CreateChangeSetCommand).rejects(awsError('ValidationError', `Stack:${STACK_ID} is in UPDATE_IN_PROGRESS state and can not be updated.`));

    const error = await rejectionOf(handler({ deployment: deployment(), stack: stackCheck() }));

    expect(error).toBeInstanceOf(StackBusyError);
  });
});
