import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/prepare-deployment/handler';
import { InvalidInputError } from '../../functions/shared/errors';
import { artifactZip, awsError, defaultArtifact, input, s3Object } from '../helpers/aws';
import { EXECUTION_NAME, deployment, rejectionOf, withEnv } from './helpers';

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);

beforeEach(() => {
  cfn.reset();
  s3.reset();
  s3.on(GetObjectCommand).resolves(s3Object(defaultArtifact()));
});

const run = (document: unknown) => withEnv({ DEFAULT_CLOUDFORMATION_ROLE_ARN: undefined }, () => handler({ input: document, executionName: EXECUTION_NAME }));

describe('Prepare Deployment', () => {
  it('returns the validated deployment, named after the execution, reading only the artifact', async () => {
    const prepared = await run(input());

    expect(prepared).toEqual(deployment());
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toMatchObject({ Bucket: 'artifact-bucket', Key: 'pipeline/source/abc123.zip' });
    expect(cfn.calls()).toHaveLength(0);
  });

  it.each([
    ['a missing stackName', input({ stackName: undefined }), /^Invalid deployment input: stackName: is required\.$/],
    ['an unknown field', input({ stackname: 'app' }), /stackname: unknown field/],
    ['a templatePath escaping the archive', input({ templatePath: '..\\..\\template.yaml' }), /must be a relative path inside the artifact/],
  ])('fails on %s with InvalidInputError, reading nothing', async (_case, document, message) => {
    const error = await rejectionOf(run(document));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.name).toBe('InvalidInputError');
    expect(error.message).toMatch(message);
    expect(s3.calls()).toHaveLength(0);
    expect(cfn.calls()).toHaveLength(0);
  });

  it.each([
    ['an artifact that does not exist', () => s3.on(GetObjectCommand).rejects(awsError('NoSuchKey', 'The specified key does not exist.', 404)), /does not exist \(NoSuchKey\)/],
    ['an artifact that is not a zip', () => s3.on(GetObjectCommand).resolves(s3Object(new TextEncoder().encode('Resources: {}'))), /is not a zip file/],
    ['a templatePath not in the artifact', () => s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'template.yml': 'x' }))), /templatePath "infra\/template.yaml" is not in the artifact .* It holds: template.yml\./],
    [
      'a template that does not parse',
      () => s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'infra/template.yaml': 'Resources: [', 'infra/prod.json': '{}' }))),
      /^The template "infra\/template.yaml" in .* does not parse as JSON or YAML/,
    ],
  ])('fails on %s with InvalidInputError naming it, touching no stack', async (_case, given, message) => {
    given();

    const error = await rejectionOf(run(input()));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(message);
    expect(cfn.calls()).toHaveLength(0);
  });
});

describe('Prepare Deployment in AWS: the account it runs in', () => {
  const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:111122223333:function:PrepareDeployment';
  const runIn = (document: unknown) =>
    withEnv({ DEFAULT_CLOUDFORMATION_ROLE_ARN: undefined }, () => handler({ input: document, executionName: EXECUTION_NAME }, { invokedFunctionArn: FUNCTION_ARN }));

  it('refuses a service role of another account up front, naming both accounts', async () => {
    const error = await rejectionOf(runIn(input({ cloudFormationRoleArn: 'arn:aws:iam::999988887777:role/cfn-deploy' })));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/^Invalid deployment input: cloudFormationRoleArn "arn:aws:iam::999988887777:role\/cfn-deploy" is a role of account 999988887777, but this deployment runs in account 111122223333\./);
    expect(s3.calls()).toHaveLength(0);
  });

  it('accepts a service role of its own account', async () => {
    await expect(runIn(input({ cloudFormationRoleArn: 'arn:aws:iam::111122223333:role/cfn-deploy' }))).resolves.toMatchObject({ roleArn: 'arn:aws:iam::111122223333:role/cfn-deploy' });
  });

  it('counts the budget from the execution\'s start time', async () => {
    const prepared = await withEnv({ DEFAULT_CLOUDFORMATION_ROLE_ARN: undefined }, () =>
      handler({ input: input({ maxWaitSeconds: 600 }), executionName: EXECUTION_NAME, startTime: '2026-12-04T14:02:00.000Z' }),
    );

    expect(prepared).toMatchObject({ startedAt: '2026-12-04T14:02:00.000Z', deadline: '2026-12-04T14:12:00.000Z', maxWaitSeconds: 600, onBusy: 'fail' });
  });
});
