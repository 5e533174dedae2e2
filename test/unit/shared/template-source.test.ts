import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { STAGING_BUCKET_ENV, loadTemplate, stackInputs, stagedTemplateUrl } from '../../../functions/shared/template-source';
import { AwsCallError, AwsTransientError, ConfigurationError, InvalidInputError } from '../../../functions/shared/errors';
import { MAX_TEMPLATE_BODY_BYTES, MAX_TEMPLATE_CONFIGURATION_BYTES, MAX_TEMPLATE_URL_BYTES } from '../../../functions/shared/limits';
import type { Deployment } from '../../../functions/shared/state';
import { TEMPLATE, TEMPLATE_CONFIGURATION, artifactZip, awsError, defaultArtifact, s3Object } from '../../helpers/aws';
import { ARTIFACT, deployment, fixtureText, rejectionOf, sha256, withEnv } from '../helpers';

const s3 = mockClient(S3Client);
const STAGING_BUCKET = 'deploy-template-staging';
const REGION = 'eu-west-1';
const WHERE = 's3://artifact-bucket/pipeline/source/abc123.zip';

/** TEMPLATE padded with a YAML comment to exactly `bytes` bytes. */
function templateOf(bytes: number, padding = 'x'): string {
  const room = bytes - Buffer.byteLength(TEMPLATE) - 2;
  const count = Math.floor(room / Buffer.byteLength(padding));
  const text = `${TEMPLATE}#${padding.repeat(count)}${'x'.repeat(room - count * Buffer.byteLength(padding))}\n`;
  expect(Buffer.byteLength(text)).toBe(bytes);
  return text;
}

/** The artifact holds `template`, and the deployment is the one Prepare Deployment made of it. */
function givenTemplate(template: string, overrides: Partial<Deployment> = {}): Deployment {
  s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'infra/template.yaml': template, 'infra/prod.json': TEMPLATE_CONFIGURATION })));
  return deployment({ template: { bytes: Buffer.byteLength(template), sha256: sha256(template), resourceCount: 1 }, ...overrides });
}

const savedRegion = process.env.AWS_REGION;
beforeAll(() => {
  process.env.AWS_REGION = REGION;
});
afterAll(() => {
  if (savedRegion === undefined) delete process.env.AWS_REGION;
  else process.env.AWS_REGION = savedRegion;
});

beforeEach(() => {
  s3.reset();
});

describe('loadTemplate', () => {
  it('reads the template and its configuration from the artifact and summarises the template', async () => {
    s3.on(GetObjectCommand).resolves(s3Object(defaultArtifact()));

    const loaded = await loadTemplate({ artifact: ARTIFACT, templatePath: 'infra/template.yaml', templateConfigurationPath: 'infra/prod.json' });

    expect(loaded.text).toBe(TEMPLATE);
    expect(loaded.summary).toEqual({ bytes: Buffer.byteLength(TEMPLATE), sha256: sha256(TEMPLATE), resourceCount: 1, configurationSha256: sha256(TEMPLATE_CONFIGURATION) });
    expect(Object.keys(loaded.template.Resources)).toEqual(['Table']);
    expect(loaded.configuration).toEqual({ parameters: [{ ParameterKey: 'TableName', ParameterValue: 'users' }], tags: [{ Key: 'team', Value: 'platform' }] });
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toMatchObject({ Bucket: 'artifact-bucket', Key: 'pipeline/source/abc123.zip' });
  });

  it('reads a JSON template, and no configuration when none is named', async () => {
    const json = fixtureText('cloudformation/cfn-template-awsdocs-ec2-instance-changesets.json');
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'template.json': json })));

    const loaded = await loadTemplate({ artifact: ARTIFACT, templatePath: 'template.json' });

    expect(loaded.configuration).toBeUndefined();
    expect(loaded.summary).toMatchObject({ bytes: Buffer.byteLength(json), resourceCount: 1 });
    expect(loaded.template.Parameters).toHaveProperty('KeyPairName');
  });

  it('counts bytes, not characters', async () => {
    const text = `${TEMPLATE}# déploiement — ünïcode\n`;
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 't.yaml': text })));

    const loaded = await loadTemplate({ artifact: ARTIFACT, templatePath: 't.yaml' });

    expect(loaded.text).toBe(text);
    expect(loaded.summary.bytes).toBe(Buffer.byteLength(text, 'utf8'));
    expect(loaded.summary.bytes).toBeGreaterThan(text.length);
  });

  it('names the file of a template that does not parse', async () => {
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'infra/template.yaml': 'Resources: [\n' })));

    const error = await rejectionOf(loadTemplate({ artifact: ARTIFACT, templatePath: 'infra/template.yaml' }));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(new RegExp(`^The template "infra/template.yaml" in ${WHERE.replace(/[/.]/g, '\\$&')} does not parse`));
  });

  it('names the file of a configuration that is invalid', async () => {
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'infra/template.yaml': TEMPLATE, 'infra/prod.json': '{"Parameters": {"TableName": 1}}' })));

    const error = await rejectionOf(loadTemplate({ artifact: ARTIFACT, templatePath: 'infra/template.yaml', templateConfigurationPath: 'infra/prod.json' }));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain(`The template configuration "infra/prod.json" in ${WHERE} is invalid: Parameters.TableName`);
  });

  it('names a missing configuration file by its field', async () => {
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'infra/template.yaml': TEMPLATE })));

    const error = await rejectionOf(loadTemplate({ artifact: ARTIFACT, templatePath: 'infra/template.yaml', templateConfigurationPath: 'infra/staging.json' }));

    expect(error.message).toMatch(/^templateConfigurationPath "infra\/staging.json" is not in the artifact .* It holds: infra\/template.yaml\./);
  });

  it('caps the template at CloudFormation\'s TemplateURL limit', async () => {
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'infra/template.yaml': templateOf(MAX_TEMPLATE_URL_BYTES + 1) })));

    const error = await rejectionOf(loadTemplate({ artifact: ARTIFACT, templatePath: 'infra/template.yaml' }));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(`templatePath "infra/template.yaml" in ${WHERE} is ${MAX_TEMPLATE_URL_BYTES + 1} bytes; the limit is ${MAX_TEMPLATE_URL_BYTES}.`);
  });

  it('caps the configuration file', async () => {
    const configuration = JSON.stringify({ Parameters: { TableName: 'x'.repeat(MAX_TEMPLATE_CONFIGURATION_BYTES) } });
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'infra/template.yaml': TEMPLATE, 'infra/prod.json': configuration })));

    const error = await rejectionOf(loadTemplate({ artifact: ARTIFACT, templatePath: 'infra/template.yaml', templateConfigurationPath: 'infra/prod.json' }));

    expect(error.message).toMatch(/^templateConfigurationPath "infra\/prod.json" in .* is \d+ bytes; the limit is 100000\.$/);
  });
});

describe('stackInputs: the template argument', () => {
  it('passes a template within the TemplateBody limit as TemplateBody, staging nothing', async () => {
    const subject = givenTemplate(TEMPLATE);

    const argument = await withEnv({ [STAGING_BUCKET_ENV]: STAGING_BUCKET }, () => stackInputs(subject).then((inputs) => inputs.template));

    expect(argument).toEqual({ TemplateBody: TEMPLATE });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('passes a template of exactly 51,200 bytes as TemplateBody', async () => {
    const text = templateOf(MAX_TEMPLATE_BODY_BYTES);
    const subject = givenTemplate(text);

    const argument = await withEnv({ [STAGING_BUCKET_ENV]: undefined }, () => stackInputs(subject).then((inputs) => inputs.template));

    expect(argument).toEqual({ TemplateBody: text });
  });

  it('stages a template of 51,201 bytes in TEMPLATE_STAGING_BUCKET with PutObject and passes its TemplateURL', async () => {
    const text = templateOf(MAX_TEMPLATE_BODY_BYTES + 1);
    const subject = givenTemplate(text);
    s3.on(PutObjectCommand).resolves({});

    const argument = await withEnv({ [STAGING_BUCKET_ENV]: STAGING_BUCKET }, () => stackInputs(subject).then((inputs) => inputs.template));

    const key = `templates/prod-app/${sha256(text)}.template`;
    expect(argument).toEqual({ TemplateURL: `https://${STAGING_BUCKET}.s3.${REGION}.amazonaws.com/${key}` });
    const puts = s3.commandCalls(PutObjectCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0].args[0].input).toEqual({ Bucket: STAGING_BUCKET, Key: key, Body: text, ContentType: 'text/plain; charset=utf-8' });
  });

  it('stages a template under 51,200 characters whose UTF-8 bytes are over the limit', async () => {
    const text = templateOf(MAX_TEMPLATE_BODY_BYTES + 2, 'é');
    expect(text.length).toBeLessThan(MAX_TEMPLATE_BODY_BYTES);
    const subject = givenTemplate(text);
    s3.on(PutObjectCommand).resolves({});

    const argument = await withEnv({ [STAGING_BUCKET_ENV]: STAGING_BUCKET }, () => stackInputs(subject).then((inputs) => inputs.template));

    expect(argument).toHaveProperty('TemplateURL');
  });

  it('fails with a ConfigurationError, staging nothing, when a large template has no staging bucket', async () => {
    const subject = givenTemplate(templateOf(MAX_TEMPLATE_BODY_BYTES + 1));

    const error = await withEnv({ [STAGING_BUCKET_ENV]: undefined }, () => rejectionOf(stackInputs(subject).then((inputs) => inputs.template)));

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toBe(
      `The template is ${MAX_TEMPLATE_BODY_BYTES + 1} bytes, over CloudFormation's 51200-byte TemplateBody limit, and no staging bucket is configured: set TEMPLATE_STAGING_BUCKET on this function (the CDK app does).`,
    );
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('treats an empty TEMPLATE_STAGING_BUCKET as missing', async () => {
    const subject = givenTemplate(templateOf(MAX_TEMPLATE_BODY_BYTES + 1));

    await expect(withEnv({ [STAGING_BUCKET_ENV]: '' }, () => stackInputs(subject).then((inputs) => inputs.template))).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('refuses a template whose digest differs from the one validated, staging and creating nothing', async () => {
    const validated = givenTemplate(TEMPLATE);
    const overwritten = `${TEMPLATE}# changed after validation\n`;
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'infra/template.yaml': overwritten, 'infra/prod.json': TEMPLATE_CONFIGURATION })));

    const error = await withEnv({ [STAGING_BUCKET_ENV]: STAGING_BUCKET }, () => rejectionOf(stackInputs(validated).then((inputs) => inputs.template)));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(
      `The template "infra/template.yaml" in ${WHERE} changed after it was validated (sha256 ${sha256(overwritten)}, expected ${sha256(TEMPLATE)}). Artifacts must not be overwritten while a deployment runs; start the deployment again.`,
    );
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('lets a throttled staging upload be retried', async () => {
    const subject = givenTemplate(templateOf(MAX_TEMPLATE_BODY_BYTES + 1));
    s3.on(PutObjectCommand).rejects(awsError('SlowDown', 'Please reduce your request rate.', 503));

    const error = await withEnv({ [STAGING_BUCKET_ENV]: STAGING_BUCKET }, () => rejectionOf(stackInputs(subject).then((inputs) => inputs.template)));

    expect(error).toBeInstanceOf(AwsTransientError);
    expect(error.message).toContain(`S3 PutObject s3://${STAGING_BUCKET}/templates/prod-app/`);
  });

  it('reports a denied staging upload as a failed call', async () => {
    const subject = givenTemplate(templateOf(MAX_TEMPLATE_BODY_BYTES + 1));
    s3.on(PutObjectCommand).rejects(awsError('AccessDenied', 'Access Denied', 403));

    await expect(withEnv({ [STAGING_BUCKET_ENV]: STAGING_BUCKET }, () => stackInputs(subject).then((inputs) => inputs.template))).rejects.toBeInstanceOf(AwsCallError);
  });
});

describe('stagedTemplateUrl', () => {
  it('builds the TemplateURL on amazonaws.com.cn in the China regions, and on amazonaws.com elsewhere', () => {
    expect(stagedTemplateUrl('bucket', 'cn-north-1', 'templates/a.template')).toBe('https://bucket.s3.cn-north-1.amazonaws.com.cn/templates/a.template');
    expect(stagedTemplateUrl('bucket', 'eu-west-1', 'templates/a.template')).toBe('https://bucket.s3.eu-west-1.amazonaws.com/templates/a.template');
  });
});
