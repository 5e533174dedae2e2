import { parseFlags } from '../args';
import { readFileBytes, readJsonFile } from '../files';
import { UsageError, EXIT } from '../errors';
import { DeploymentError } from '../../functions/shared/errors';
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
  try {
    const validated = validateInput(filled ? { ...TRIGGER_FILLED, ...document } : document);
    const report: Record<string, unknown> = { valid: true, stackName: `${validated.input.environmentName}-${validated.input.stackName}` };
    if (values.artifact) {
      const loaded = loadTemplateFromZip(readFileBytes(values.artifact, 'artifact'), validated.source, values.artifact);
      const deployment = buildDeployment(validated, loaded, 'validate');
      Object.assign(report, { template: deployment.template, parameters: deployment.parameters, tags: deployment.tags });
    }
    if (values.json) {
      out(JSON.stringify(report, null, 2));
    } else {
      out(`✔ ${values.input} is a valid input document for stack ${report.stackName}.`);
      if (filled) out('  revisionS3Bucket and revisionS3Key are left to the trigger, which fills them from the pipeline artifact.');
      if (values.artifact) {
        const template = report.template as { bytes: number; resourceCount: number };
        out(`  Template ${validated.source.templatePath} in ${values.artifact}: ${template.bytes} bytes, ${template.resourceCount} resource(s), parses.`);
      }
    }
    return EXIT.OK;
  } catch (error) {
    if (error instanceof DeploymentError) throw new UsageError(error.message.replace(/\s*\n\s*/g, ' '));
    throw error;
  }
}
