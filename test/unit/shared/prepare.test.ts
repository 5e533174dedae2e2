import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_ROLE_ENV, prepareDeployment } from '../../../functions/shared/prepare';
import { InvalidInputError } from '../../../functions/shared/errors';
import { TEMPLATE, TEMPLATE_CONFIGURATION, artifactZip, defaultArtifact, input, s3Object } from '../../helpers/aws';
import { EXECUTION_NAME, ROLE_ARN, deployment, fixtureText, rejectionOf, sha256, withEnv } from '../helpers';

const s3 = mockClient(S3Client);
const DEFAULT_ROLE = 'arn:aws:iam::123456789012:role/default-cfn-role';

beforeEach(() => {
  s3.reset();
  s3.on(GetObjectCommand).resolves(s3Object(defaultArtifact()));
});

const prepare = (document: unknown, executionName = EXECUTION_NAME) => withEnv({ [DEFAULT_ROLE_ENV]: undefined }, () => prepareDeployment(document, executionName));

describe('prepareDeployment', () => {
  it('validates the input and the artifact and returns everything later states need', async () => {
    const prepared = await prepare(input());

    expect(prepared).toEqual(deployment({ parameters: [{ ParameterKey: 'TableName', ParameterValue: 'users' }], tags: [{ Key: 'team', Value: 'platform' }] }));
    expect(prepared.template).toEqual({ bytes: Buffer.byteLength(TEMPLATE), sha256: sha256(TEMPLATE), resourceCount: 1, configurationSha256: sha256(TEMPLATE_CONFIGURATION) });
    expect(prepared.stackName).toBe('prod-app');
  });

  it('masks the value of every NoEcho parameter in the deployment\'s data, and keeps the others', async () => {
    const template = TEMPLATE.replace('Parameters:\n', 'Parameters:\n  DbPassword:\n    Type: String\n    NoEcho: "true"\n');
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'infra/template.yaml': template, 'infra/prod.json': '{"Parameters":{"TableName":"users","DbPassword":"s3cr3t"}}' })));

    const prepared = await prepare(input());

    expect(prepared.parameters).toEqual([
      { ParameterKey: 'TableName', ParameterValue: 'users' },
      { ParameterKey: 'DbPassword', ParameterValue: '****' },
    ]);
    expect(JSON.stringify(prepared)).not.toContain('s3cr3t');
  });

  it('names the change set and the request tokens after the execution', async () => {
    const prepared = await prepare(input(), 'codepipeline-c0d76431_b0e7');

    expect(prepared.changeSetName).toBe('deploy-codepipeline-c0d76431-b0e7');
    expect(prepared.clientRequestToken).toBe('deploy-codepipeline-c0d76431-b0e7');
  });

  it('passes capabilities, safety policy, wait limit and role from the input', async () => {
    const prepared = await prepare(
      input({
        capabilities: ['CAPABILITY_NAMED_IAM'],
        safetyPolicy: { allowReplacement: ['AWS::SNS::Subscription'] },
        maxWaitSeconds: 600,
        cloudFormationRoleArn: ROLE_ARN,
      }),
    );

    expect(prepared).toMatchObject({
      capabilities: ['CAPABILITY_NAMED_IAM'],
      safetyPolicy: { allowRemoval: [], allowReplacement: ['AWS::SNS::Subscription'] },
      maxWaitSeconds: 600,
      roleArn: ROLE_ARN,
    });
  });

  it('defaults: no capabilities, a policy that allows nothing, an hour of waiting, no role', async () => {
    const prepared = await prepare(input());

    expect(prepared).toMatchObject({ capabilities: [], safetyPolicy: { allowRemoval: [], allowReplacement: [] }, maxWaitSeconds: 3600 });
    expect(prepared).not.toHaveProperty('roleArn');
  });

  it('uses DEFAULT_CLOUDFORMATION_ROLE_ARN when the input names no role', async () => {
    const prepared = await withEnv({ [DEFAULT_ROLE_ENV]: DEFAULT_ROLE }, () => prepareDeployment(input(), EXECUTION_NAME));

    expect(DEFAULT_ROLE_ENV).toBe('DEFAULT_CLOUDFORMATION_ROLE_ARN');
    expect(prepared.roleArn).toBe(DEFAULT_ROLE);
  });

  it('prefers the role the input names over DEFAULT_CLOUDFORMATION_ROLE_ARN', async () => {
    const prepared = await withEnv({ [DEFAULT_ROLE_ENV]: DEFAULT_ROLE }, () => prepareDeployment(input({ cloudFormationRoleArn: ROLE_ARN }), EXECUTION_NAME));

    expect(prepared.roleArn).toBe(ROLE_ARN);
  });

  it('treats an empty DEFAULT_CLOUDFORMATION_ROLE_ARN as unset', async () => {
    const prepared = await withEnv({ [DEFAULT_ROLE_ENV]: '' }, () => prepareDeployment(input(), EXECUTION_NAME));

    expect(prepared).not.toHaveProperty('roleArn');
  });

  it('normalises the paths it is given and reads the entries under their normal names', async () => {
    const prepared = await prepare(input({ templatePath: './infra//template.yaml', templateConfigurationPath: 'infra\\prod.json' }));

    expect(prepared.templatePath).toBe('infra/template.yaml');
    expect(prepared.templateConfigurationPath).toBe('infra/prod.json');
    expect(prepared.parameters).toEqual([{ ParameterKey: 'TableName', ParameterValue: 'users' }]);
  });

  it('reads the artifact version it is given and keeps it', async () => {
    const prepared = await prepare(input({ revisionS3ObjectVersion: 'v3' }));

    expect(prepared.artifact).toEqual({ bucket: 'artifact-bucket', key: 'pipeline/source/abc123.zip', version: 'v3' });
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input.VersionId).toBe('v3');
  });

  it('works without a template configuration: no parameters, no tags', async () => {
    const template = fixtureText('cloudformation/cfn-template-localstack-sns-topic-simple.yaml');
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'sns.yaml': template })));

    const prepared = await prepare(input({ templatePath: 'sns.yaml', templateConfigurationPath: undefined }));

    expect(prepared).toMatchObject({ templatePath: 'sns.yaml', parameters: [], tags: [], template: { sha256: sha256(template), resourceCount: 1 } });
    expect(prepared).not.toHaveProperty('templateConfigurationPath');
  });

  it('refuses a configuration that sets a parameter the template does not declare, naming those it declares', async () => {
    const template = fixtureText('cloudformation/cfn-template-localstack-sns-topic-simple.yaml');
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'sns.yaml': template, 'prod.json': JSON.stringify({ Parameters: { TopicName: 't', TopicNmae: 'typo' } }) })));

    const error = await rejectionOf(prepare(input({ templatePath: 'sns.yaml', templateConfigurationPath: 'prod.json' })));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe('The template configuration "prod.json" sets parameter(s) TopicNmae that the template does not declare (it declares: TopicName).');
  });

  it('says "none" when the template declares no parameters', async () => {
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 't.yaml': 'Resources:\n  T:\n    Type: AWS::SNS::Topic\n', 'c.json': '{"Parameters":{"Nope":"x"}}' })));

    const error = await rejectionOf(prepare(input({ templatePath: 't.yaml', templateConfigurationPath: 'c.json' })));

    expect(error.message).toContain('sets parameter(s) Nope that the template does not declare (it declares: none)');
  });

  it.each([
    ['an invalid input document', input({ stackName: 'my_app!' }), /^Invalid deployment input: stackName/],
    ['a templatePath that escapes the archive', input({ templatePath: '../../etc/passwd' }), /^templatePath "..\/..\/etc\/passwd" must be a relative path/],
    ['a templateConfigurationPath that escapes the archive', input({ templateConfigurationPath: '/etc/prod.json' }), /^templateConfigurationPath "\/etc\/prod.json" must be a relative path/],
  ])('refuses %s before reading the artifact', async (_case, document, message) => {
    const error = await rejectionOf(prepare(document));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(message);
    expect(s3.calls()).toHaveLength(0);
  });
});
