import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/create-stack/handler';
import { AwsCallError, AwsTransientError, ConfigurationError, InvalidInputError, StackBusyError, StackBusyWaitError } from '../../functions/shared/errors';
import { MAX_TEMPLATE_BODY_BYTES } from '../../functions/shared/limits';
import { STACK_ID, TEMPLATE, TEMPLATE_CONFIGURATION, artifactZip, awsError, defaultArtifact, s3Object } from '../helpers/aws';
import { ROLE_ARN, alreadyExists, commandsSent, deployment, rejectionOf, sha256, withEnv } from './helpers';

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const STAGING = { TEMPLATE_STAGING_BUCKET: 'deploy-template-staging', AWS_REGION: 'us-east-1' };

beforeEach(() => {
  cfn.reset();
  s3.reset();
  s3.on(GetObjectCommand).resolves(s3Object(defaultArtifact()));
  cfn.on(CreateStackCommand).resolves({ StackId: STACK_ID });
});

describe('Create Stack', () => {
  it('creates the stack from the validated template with its parameters, tags, capabilities, role and a create token', async () => {
    const result = await handler({ deployment: deployment({ capabilities: ['CAPABILITY_IAM'], roleArn: ROLE_ARN }) });

    expect(cfn.commandCalls(CreateStackCommand)).toHaveLength(1);
    expect(cfn.commandCalls(CreateStackCommand)[0].args[0].input).toEqual({
      StackName: 'prod-app',
      TemplateBody: TEMPLATE,
      Parameters: [{ ParameterKey: 'TableName', ParameterValue: 'users' }],
      Tags: [{ Key: 'team', Value: 'platform' }],
      Capabilities: ['CAPABILITY_IAM'],
      RoleARN: ROLE_ARN,
      OnFailure: 'ROLLBACK',
      ClientRequestToken: 'deploy-exec-1-create',
    });
    expect(result).toEqual({ action: 'CREATE', stackId: STACK_ID, status: 'CREATE_IN_PROGRESS', done: false, polls: 0, waitedSeconds: 0, waitSeconds: 5 });
  });

  it('polls by stack name when CloudFormation returns no id', async () => {
    cfn.on(CreateStackCommand).resolves({});

    const result = await handler({ deployment: deployment() });

    expect(result.stackId).toBe('prod-app');
  });

  it('stages a template over 51,200 bytes in TEMPLATE_STAGING_BUCKET and passes its TemplateURL', async () => {
    const large = `${TEMPLATE}#${'x'.repeat(MAX_TEMPLATE_BODY_BYTES)}\n`;
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'infra/template.yaml': large, 'infra/prod.json': TEMPLATE_CONFIGURATION })));
    s3.on(PutObjectCommand).resolves({});
    const subject = deployment({ template: { bytes: Buffer.byteLength(large), sha256: sha256(large), resourceCount: 1 } });

    await withEnv(STAGING, () => handler({ deployment: subject }));

    const key = `templates/prod-app/${sha256(large)}.template`;
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({ Bucket: 'deploy-template-staging', Key: key, Body: large });
    const create = cfn.commandCalls(CreateStackCommand)[0].args[0].input;
    expect(create.TemplateURL).toBe(`https://deploy-template-staging.s3.us-east-1.amazonaws.com/${key}`);
    expect(create.TemplateBody).toBeUndefined();
  });

  it('creates nothing when a large template has no staging bucket: ConfigurationError', async () => {
    const large = `${TEMPLATE}#${'x'.repeat(MAX_TEMPLATE_BODY_BYTES)}\n`;
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'infra/template.yaml': large, 'infra/prod.json': TEMPLATE_CONFIGURATION })));
    const subject = deployment({ template: { bytes: Buffer.byteLength(large), sha256: sha256(large), resourceCount: 1 } });

    const error = await withEnv({ TEMPLATE_STAGING_BUCKET: undefined }, () => rejectionOf(handler({ deployment: subject })));

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(cfn.calls()).toHaveLength(0);
  });

  it('creates nothing when the template in the artifact is not the one validated', async () => {
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'infra/template.yaml': `${TEMPLATE}# overwritten\n`, 'infra/prod.json': TEMPLATE_CONFIGURATION })));

    const error = await rejectionOf(handler({ deployment: deployment() }));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/changed after it was validated/);
    expect(cfn.calls()).toHaveLength(0);
  });

  it('leaves a stack another deployment created in the meantime alone: StackBusyError', async () => {
    cfn.on(CreateStackCommand).rejects(alreadyExists('Stack [prod-app] already exists'));

    const error = await rejectionOf(handler({ deployment: deployment() }));

    expect(error).toBeInstanceOf(StackBusyError);
    expect(error.message).toBe(
      'Stack prod-app was created by another deployment while this one ran; it was left as it is and nothing of this deployment was created. Run the deployment again to update it, or set "onBusy": "wait".',
    );
    expect(commandsSent(cfn)).toEqual(['CreateStack']);
  });

  it('with onBusy "wait", a stack created meanwhile is StackBusyWaitError: the state machine goes back to wait for it and update it', async () => {
    cfn.on(CreateStackCommand).rejects(alreadyExists('Stack [prod-app] already exists'));

    await expect(handler({ deployment: deployment({ onBusy: 'wait' }) })).rejects.toBeInstanceOf(StackBusyWaitError);
  });

  it('sends the real value of a NoEcho parameter to CloudFormation, read again from the validated configuration', async () => {
    const template = TEMPLATE.replace('Parameters:\n', 'Parameters:\n  DbPassword:\n    Type: String\n    NoEcho: true\n');
    const configuration = JSON.stringify({ Parameters: { TableName: 'users', DbPassword: 's3cr3t' } });
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'infra/template.yaml': template, 'infra/prod.json': configuration })));
    const masked = deployment({
      template: { bytes: Buffer.byteLength(template), sha256: sha256(template), resourceCount: 1, configurationSha256: sha256(configuration) },
      parameters: [{ ParameterKey: 'TableName', ParameterValue: 'users' }, { ParameterKey: 'DbPassword', ParameterValue: '****' }],
    });

    await handler({ deployment: masked });

    expect(cfn.commandCalls(CreateStackCommand)[0].args[0].input.Parameters).toEqual([
      { ParameterKey: 'TableName', ParameterValue: 'users' },
      { ParameterKey: 'DbPassword', ParameterValue: 's3cr3t' },
    ]);
  });

  it('refuses a template configuration overwritten since it was validated, creating nothing', async () => {
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'infra/template.yaml': TEMPLATE, 'infra/prod.json': '{"Parameters":{"TableName":"other"}}' })));

    const error = await rejectionOf(handler({ deployment: deployment() }));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/template configuration "infra\/prod.json" .* changed after it was validated/);
    expect(cfn.calls()).toHaveLength(0);
  });

  it.each([
    ['throttled', awsError('Throttling', 'Rate exceeded'), AwsTransientError],
    ['refused for missing capabilities', awsError('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_IAM]'), AwsCallError],
  ])('a %s CreateStack is classified and names the call', async (_case, error, expected) => {
    cfn.on(CreateStackCommand).rejects(error);

    const thrown = await rejectionOf(handler({ deployment: deployment() }));

    expect(thrown).toBeInstanceOf(expected);
    expect(thrown.message).toMatch(/^CloudFormation CreateStack prod-app failed with /);
  });
});

describe('Create Stack leaves what the deployment does not set', () => {
  it('sends no Tags and no Parameters when the deployment has none', async () => {
    cfn.on(CreateStackCommand).resolves({ StackId: STACK_ID });

    await handler({ deployment: deployment({ tags: [], parameters: [] }) });

    const sent = cfn.commandCalls(CreateStackCommand)[0].args[0].input;
    expect(sent).not.toHaveProperty('Tags');
    expect(sent).not.toHaveProperty('Parameters');
  });
});
