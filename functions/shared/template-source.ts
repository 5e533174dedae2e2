import { createHash } from 'crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from './s3-client';
import { awsCall } from './aws-errors';
import { describeArtifact, extractEntries, readArtifactZip } from './artifact';
import { ConfigurationError, InvalidInputError } from './errors';
import { MAX_TEMPLATE_BODY_BYTES, MAX_TEMPLATE_CONFIGURATION_BYTES, MAX_TEMPLATE_URL_BYTES } from './limits';
import { parseTemplate, type CloudFormationTemplate } from './template';
import { parseTemplateConfiguration, type TemplateConfiguration } from './template-configuration';
import type { ArtifactLocation, Deployment, Parameter, TemplateSummary } from './state';

export interface TemplateSource {
  artifact: ArtifactLocation;
  templatePath: string;
  templateConfigurationPath?: string;
}

export interface LoadedTemplate {
  text: string;
  template: CloudFormationTemplate;
  summary: TemplateSummary;
  configuration?: TemplateConfiguration;
}

/** Reads the template (and its configuration file) out of the artifact zip, in memory, and parses both. */
export async function loadTemplate(source: TemplateSource): Promise<LoadedTemplate> {
  return loadTemplateFromZip(await readArtifactZip(source.artifact), source, describeArtifact(source.artifact));
}

/** The same, from zip bytes already in memory; `where` names the artifact in error messages. */
export function loadTemplateFromZip(zip: Uint8Array, source: Omit<TemplateSource, 'artifact'>, where: string): LoadedTemplate {
  const wanted = [{ path: source.templatePath, field: 'templatePath', maxBytes: MAX_TEMPLATE_URL_BYTES }];
  if (source.templateConfigurationPath) {
    wanted.push({ path: source.templateConfigurationPath, field: 'templateConfigurationPath', maxBytes: MAX_TEMPLATE_CONFIGURATION_BYTES });
  }
  const entries = extractEntries(zip, wanted, where);
  const templateBytes = entries.get(source.templatePath)!.bytes;
  const text = new TextDecoder('utf-8').decode(templateBytes);
  const template = parseTemplate(text, `"${source.templatePath}" in ${where}`);
  const configurationEntry = source.templateConfigurationPath ? entries.get(source.templateConfigurationPath) : undefined;
  const configuration = configurationEntry
    ? parseTemplateConfiguration(new TextDecoder('utf-8').decode(configurationEntry.bytes), `"${source.templateConfigurationPath}" in ${where}`)
    : undefined;
  return {
    text,
    template,
    configuration,
    summary: {
      bytes: templateBytes.byteLength,
      sha256: sha256(templateBytes),
      resourceCount: Object.keys(template.Resources).length,
      ...(configurationEntry ? { configurationSha256: sha256(configurationEntry.bytes) } : {}),
    },
  };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export type TemplateArgument = { TemplateBody: string } | { TemplateURL: string };

/** The environment variable naming the bucket where templates too large for `TemplateBody` are staged. */
export const STAGING_BUCKET_ENV = 'TEMPLATE_STAGING_BUCKET';

export interface StackInputs {
  /**
   * Read again from the artifact rather than carried in the execution's data: the data stays small
   * (and readable in the console), and the digest recorded by Prepare Deployment proves it is the
   * template that was validated.
   */
  template: TemplateArgument;
  /** With the real values of NoEcho parameters, for CloudFormation only: never logged, never returned to the state machine. */
  parameters: Parameter[];
}

/**
 * What CreateStack and CreateChangeSet send: the template and the parameters, read again from the
 * artifact. The execution's data carries NoEcho values masked, so their real values are taken from
 * the same template configuration file, which must be the one Prepare Deployment validated.
 */
export async function stackInputs(deployment: Deployment): Promise<StackInputs> {
  const loaded = await loadValidatedTemplate(deployment);
  const real = new Map((loaded.configuration?.parameters ?? []).map((parameter) => [parameter.ParameterKey, parameter.ParameterValue]));
  const parameters = deployment.parameters.map((parameter) =>
    parameter.ParameterValue === MASKED_VALUE && real.has(parameter.ParameterKey) ? { ...parameter, ParameterValue: real.get(parameter.ParameterKey) as string } : parameter,
  );
  const template: TemplateArgument =
    loaded.summary.bytes <= MAX_TEMPLATE_BODY_BYTES ? { TemplateBody: loaded.text } : { TemplateURL: await stageTemplate(deployment, loaded.text) };
  return { template, parameters };
}

/** The template and its configuration read again from the artifact, refused unless they are the ones Prepare Deployment validated. */
export async function loadValidatedTemplate(deployment: Deployment): Promise<LoadedTemplate> {
  const loaded = await loadTemplate(deployment);
  const where = describeArtifact(deployment.artifact);
  if (loaded.summary.sha256 !== deployment.template.sha256) {
    throw new InvalidInputError(
      `The template "${deployment.templatePath}" in ${where} changed after it was validated (sha256 ${loaded.summary.sha256}, expected ${deployment.template.sha256}). Artifacts must not be overwritten while a deployment runs; start the deployment again.`,
    );
  }
  if (loaded.summary.configurationSha256 !== deployment.template.configurationSha256 && deployment.template.configurationSha256 !== undefined) {
    throw new InvalidInputError(
      `The template configuration "${deployment.templateConfigurationPath}" in ${where} changed after it was validated. Artifacts must not be overwritten while a deployment runs; start the deployment again.`,
    );
  }
  return loaded;
}

/** How the value of a NoEcho parameter shows everywhere but in the call to CloudFormation. */
export const MASKED_VALUE = '****';

/** The configuration's parameters with the values of the template's NoEcho parameters masked. */
export function maskNoEcho(parameters: Parameter[], template: CloudFormationTemplate): Parameter[] {
  const declared = (template.Parameters ?? {}) as Record<string, { NoEcho?: unknown } | undefined>;
  return parameters.map((parameter) => {
    const noEcho = declared[parameter.ParameterKey]?.NoEcho;
    return noEcho === true || String(noEcho).toLowerCase() === 'true' ? { ...parameter, ParameterValue: MASKED_VALUE } : parameter;
  });
}

async function stageTemplate(deployment: Deployment, text: string): Promise<string> {
  const bucket = process.env[STAGING_BUCKET_ENV];
  if (!bucket) {
    throw new ConfigurationError(
      `The template is ${deployment.template.bytes} bytes, over CloudFormation's ${MAX_TEMPLATE_BODY_BYTES}-byte TemplateBody limit, and no staging bucket is configured: set ${STAGING_BUCKET_ENV} on this function (the CDK app does).`,
    );
  }
  const key = `templates/${deployment.stackName}/${deployment.template.sha256}.template`;
  await awsCall(`S3 PutObject s3://${bucket}/${key}`, () =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: 'text/plain; charset=utf-8' })),
  );
  return stagedTemplateUrl(bucket, await s3.config.region(), key);
}

/** The object's virtual-hosted URL, in the domain of the region's partition (the China regions have their own). */
export function stagedTemplateUrl(bucket: string, region: string, key: string): string {
  const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://${bucket}.s3.${region}.${domain}/${key}`;
}
