import * as fs from 'fs';
import * as path from 'path';
import { parseDeploymentInput } from '../../functions/shared/input';
import { parseTemplate } from '../../functions/shared/template';
import { parseTemplateConfiguration } from '../../functions/shared/template-configuration';
import { INPUT_DOCUMENTS_DIR, SAMPLE_ENVIRONMENTS } from '../../infra/pipeline-stack';
import { ROOT } from './synth';

/** What the trigger adds from the job's input artifact. */
const FROM_THE_ARTIFACT = { revisionS3Bucket: 'pipeline-artifacts', revisionS3Key: 'SafeDeploySample/Source/a1b2c3.zip' };

function read(relative: string): string {
  return fs.readFileSync(path.join(ROOT, relative), 'utf8');
}

describe('the sample application', () => {
  test('has an input document for each environment of the pipeline, and nothing else in the uploaded folder', () => {
    const uploaded = fs.readdirSync(INPUT_DOCUMENTS_DIR, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(INPUT_DOCUMENTS_DIR, path.join(entry.parentPath, entry.name)))
      .sort();
    expect(uploaded).toEqual(SAMPLE_ENVIRONMENTS.map((environment) => `${environment}/deploy.json`).sort());
  });

  describe.each(SAMPLE_ENVIRONMENTS)('%s', (environment) => {
    const document = JSON.parse(fs.readFileSync(path.join(INPUT_DOCUMENTS_DIR, environment, 'deploy.json'), 'utf8'));
    const input = parseDeploymentInput({ ...document, ...FROM_THE_ARTIFACT });

    test('its input document is valid once the trigger fills in the artifact', () => {
      expect(input.environmentName).toBe(environment);
      expect(document.revisionS3Bucket).toBeUndefined();
    });

    test('its template and template configuration are where the source zip (made from the repository root) has them', () => {
      const template = parseTemplate(read(input.templatePath), input.templatePath);
      const configuration = parseTemplateConfiguration(read(input.templateConfigurationPath as string), input.templateConfigurationPath as string);
      const parameters = (template.Parameters ?? {}) as Record<string, { Default?: unknown }>;
      const given = configuration.parameters.map((parameter) => parameter.ParameterKey);
      expect(given.filter((key) => !(key in parameters))).toEqual([]);
      expect(Object.keys(parameters).filter((key) => parameters[key].Default === undefined && !given.includes(key as string))).toEqual([]);
      expect(configuration.tags).toContainEqual({ Key: 'environment', Value: environment });
    });

    test('its safety policy names resources or types of the template', () => {
      const template = parseTemplate(read(input.templatePath), input.templatePath);
      const known = new Set(Object.entries(template.Resources).flatMap(([logicalId, resource]) => [logicalId, resource.Type]));
      const named = [...(input.safetyPolicy?.allowRemoval ?? []), ...(input.safetyPolicy?.allowReplacement ?? [])];
      expect(named.filter((entry) => !known.has(entry))).toEqual([]);
    });
  });

  test('prod allows no removal and no replacement', () => {
    const prod = JSON.parse(fs.readFileSync(path.join(INPUT_DOCUMENTS_DIR, 'prod', 'deploy.json'), 'utf8'));
    expect(prod.safetyPolicy).toEqual({ allowRemoval: [], allowReplacement: [] });
  });
});
