import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { ScenarioError } from '../errors';
import { ScenarioFileSchema, type Scenario } from './format';

/** Where the pipeline's source artifact lives when a scenario does not say. */
export const DEFAULT_ARTIFACT_BUCKET = 'pipeline-artifacts';
export const DEFAULT_ARTIFACT_KEY = 'SafeDeploy/SourceArti/a1b2c3d.zip';
export const SCENARIO_FILE = 'scenario.yaml';

function readFile(directory: string, relative: string, what: string): string {
  const resolved = path.resolve(directory, relative);
  if (path.relative(directory, resolved).startsWith('..')) {
    throw new ScenarioError(`${what} "${relative}" must be a file inside the scenario folder ${directory}.`);
  }
  if (!fs.existsSync(resolved)) throw new ScenarioError(`${what} "${relative}" does not exist in ${directory}.`);
  return fs.readFileSync(resolved, 'utf8');
}

/** Reads `<directory>/scenario.yaml` and every file it names. */
export function loadScenario(directory: string): Scenario {
  const file = path.join(directory, SCENARIO_FILE);
  if (!fs.existsSync(file)) throw new ScenarioError(`No ${SCENARIO_FILE} in ${directory}.`);
  const parsed = ScenarioFileSchema.safeParse(parseYaml(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
    throw new ScenarioError(`${file} is not a valid scenario: ${problems.join('; ')}`);
  }
  const { stacks, artifact, ...rest } = parsed.data;
  return {
    ...rest,
    name: path.basename(directory),
    stacks: (stacks ?? []).map(({ template, ...seed }) => ({
      ...seed,
      ...(template ? { templateBody: readFile(directory, template, `Stack ${seed.stackName}'s template`) } : {}),
    })),
    artifact: {
      bucket: artifact.bucket ?? DEFAULT_ARTIFACT_BUCKET,
      key: artifact.key ?? DEFAULT_ARTIFACT_KEY,
      files: Object.fromEntries(Object.entries(artifact.files).map(([entry, source]) => [entry, readFile(directory, source, `Artifact file ${entry}`)])),
      ...(artifact.raw ? { raw: new TextEncoder().encode(readFile(directory, artifact.raw, 'Raw artifact')) } : {}),
    },
  };
}

/** Every scenario folder under `root` (folders holding a scenario.yaml), by name. */
export function listScenarios(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(root, entry.name, SCENARIO_FILE)))
    .map((entry) => entry.name)
    .sort();
}
