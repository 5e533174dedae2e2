import { parseFlags } from '../args';
import { readFileBytes, readJsonFile } from '../files';
import { UsageError, EXIT, asUsage } from '../errors';
import { buildDeployment, validateInput } from '../../functions/shared/prepare';
import { loadTemplateFromZip } from '../../functions/shared/template-source';

/** Placeholders for the fields the trigger fills from the pipeline's artifact, so a pipeline document validates as it is. */
const TRIGGER_FILLED = { revisionS3Bucket: 'filled-by-the-trigger', revisionS3Key: 'filled-by-the-trigger' };

export async function validateCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseFlags('validate', args, {
    input: { type: 'string' },
    artifact: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (!values.input) throw new UsageError('validate: --input FILE is required (the deployment input document).');
  const document = readJsonFile(values.input, 'input document');
  const filled = document && typeof document === 'object' && !Array.isArray(document) && !('revisionS3Bucket' in document) && !('revisionS3Key' in document);
  const validated = asUsage(() => validateInput(filled ? { ...TRIGGER_FILLED, ...document } : document));
  const stackName = `${validated.input.environmentName}-${validated.input.stackName}`;
  const artifact = values.artifact;
  const deployment = artifact
    ? asUsage(() => buildDeployment(validated, loadTemplateFromZip(readFileBytes(artifact, 'artifact'), validated.source, artifact), 'validate'))
    : undefined;
  if (values.json) {
    const found = deployment ? { template: deployment.template, parameters: deployment.parameters, tags: deployment.tags } : {};
    out(JSON.stringify({ valid: true, stackName, ...found }, null, 2));
    return EXIT.OK;
  }
  out(`✔ ${values.input} is a valid input document for stack ${stackName}.`);
  if (filled) out('  revisionS3Bucket and revisionS3Key are left to the trigger, which fills them from the pipeline artifact.');
  if (deployment) {
    out(`  Template ${validated.source.templatePath} in ${artifact}: ${deployment.template.bytes} bytes, ${deployment.template.resourceCount} resource(s), parses.`);
  }
  return EXIT.OK;
}
