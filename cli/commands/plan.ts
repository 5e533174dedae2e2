import { parseFlags } from '../args';
import { readFileBytes, readJsonFile } from '../files';
import { asUsage, EXIT, UsageError } from '../errors';
import { formatPlan } from '../plan-report';
import { SafetyPolicySchema, type SafetyPolicy } from '../../functions/shared/input';
import { validateInput, type ValidatedInput } from '../../functions/shared/prepare';
import { loadTemplateFromZip } from '../../functions/shared/template-source';
import { parseTemplate, type CloudFormationTemplate } from '../../functions/shared/template';
import { parseTemplateConfiguration } from '../../functions/shared/template-configuration';
import { parameterValues, planDeployment, PlanInputError } from '../../local/plan';
import { describeCollisions, fixedNames, nameCollisions } from '../../functions/shared/fixed-names';

/** Placeholders for the fields the trigger fills from the pipeline's artifact, so a pipeline document validates as it is. */
const TRIGGER_FILLED = { revisionS3Bucket: 'filled-by-the-trigger', revisionS3Key: 'filled-by-the-trigger' };

/** What the deployment uses when its input document has no safetyPolicy: nothing may be removed or replaced. */
const DEFAULT_POLICY: SafetyPolicy = SafetyPolicySchema.parse({});

function readText(file: string, what: string): string {
  return new TextDecoder('utf-8').decode(readFileBytes(file, what));
}

function readTemplate(file: string, what: string): CloudFormationTemplate {
  return asUsage(() => parseTemplate(readText(file, what), file));
}

/** The planner's input errors are usage errors (exit 2), like the deployer's own. */
function asPlanUsage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof PlanInputError) throw new UsageError(error.message);
    throw error;
  }
}

/** Parameter values from a template configuration file, then `KEY=VALUE` flags over them. */
function givenParameters(configuration: string | undefined, pairs: string[] | undefined, flag: string): Record<string, string> {
  const values: Record<string, string> = {};
  if (configuration) {
    const parsed = asUsage(() => parseTemplateConfiguration(readText(configuration, 'template configuration'), configuration));
    for (const { ParameterKey, ParameterValue } of parsed.parameters) values[ParameterKey] = ParameterValue;
  }
  for (const pair of pairs ?? []) {
    const equals = pair.indexOf('=');
    if (equals < 1) throw new UsageError(`${flag} takes KEY=VALUE (got "${pair}").`);
    values[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return values;
}

function readInput(file: string): ValidatedInput {
  const document = readJsonFile(file, 'input document');
  const filled = document && typeof document === 'object' && !Array.isArray(document) && !('revisionS3Bucket' in document) && !('revisionS3Key' in document);
  return asUsage(() => validateInput(filled ? { ...TRIGGER_FILLED, ...document } : document));
}

/** The policy of the deployment being planned: from its input document, a policy file, or the default. */
function policyOf(validated: ValidatedInput | undefined, policyFile: string | undefined): { policy: SafetyPolicy; stackName?: string } {
  if (validated) {
    const { input } = validated;
    return { policy: input.safetyPolicy ?? DEFAULT_POLICY, stackName: `${input.environmentName}-${input.stackName}` };
  }
  if (policyFile) {
    const parsed = SafetyPolicySchema.safeParse(readJsonFile(policyFile, 'safety policy'));
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(document)'}: ${issue.message}`);
      throw new UsageError(`The safety policy ${policyFile} is invalid: ${problems.join('; ')}. It is the input document's "safetyPolicy" object, e.g. {"allowReplacement": ["AWS::Lambda::Version"]}.`);
    }
    return { policy: parsed.data };
  }
  return { policy: DEFAULT_POLICY };
}

/**
 * The new template and its configuration's parameters: from files, or, with --artifact, from the
 * pipeline's artifact at the input document's templatePath and templateConfigurationPath, as a deployment reads them.
 */
function proposedTemplate(
  values: { template?: string; configuration?: string; artifact?: string },
  validated: ValidatedInput | undefined,
): { template: CloudFormationTemplate; configured: Record<string, string> } {
  const artifact = values.artifact;
  if (!artifact) {
    if (!values.template) throw new UsageError('plan: --template FILE (the new template) is required, or --input FILE with --artifact ZIP.');
    return { template: readTemplate(values.template, 'template'), configured: givenParameters(values.configuration, undefined, '--parameter') };
  }
  if (!validated) throw new UsageError('plan: --artifact ZIP needs --input FILE, whose templatePath and templateConfigurationPath name the files in it.');
  if (values.template || values.configuration) {
    throw new UsageError('plan: with --artifact, the template and its configuration come from the artifact; leave out --template and --configuration.');
  }
  const loaded = asUsage(() => loadTemplateFromZip(readFileBytes(artifact, 'artifact'), validated.source, artifact));
  const configured = Object.fromEntries((loaded.configuration?.parameters ?? []).map(({ ParameterKey, ParameterValue }) => [ParameterKey, ParameterValue]));
  return { template: loaded.template, configured };
}

export async function planCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseFlags('plan', args, {
    deployed: { type: 'string' },
    template: { type: 'string' },
    'deployed-configuration': { type: 'string' },
    'deployed-parameter': { type: 'string', multiple: true },
    configuration: { type: 'string' },
    parameter: { type: 'string', multiple: true },
    input: { type: 'string' },
    artifact: { type: 'string' },
    policy: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length) throw new UsageError(`plan: unexpected argument "${positionals[0]}"; name the templates with --deployed FILE and --template FILE.`);
  if (!values.deployed) throw new UsageError('plan: --deployed FILE (the template the stack runs now) is required.');
  if (values.input && values.policy) throw new UsageError('plan: give --input FILE or --policy FILE, not both (an input document carries its own safetyPolicy).');
  const deployedTemplate = readTemplate(values.deployed, 'deployed template');
  const validated = values.input ? readInput(values.input) : undefined;
  const { policy, stackName } = policyOf(validated, values.policy);
  const proposed = proposedTemplate(values, validated);
  const deployedGiven = givenParameters(values['deployed-configuration'], values['deployed-parameter'], '--deployed-parameter');
  const proposedGiven = { ...proposed.configured, ...givenParameters(undefined, values.parameter, '--parameter') };
  const report = planDeployment(
    {
      deployed: { template: deployedTemplate, parameters: asPlanUsage(() => parameterValues(deployedTemplate, deployedGiven, 'deployed')) },
      proposed: { template: proposed.template, parameters: asPlanUsage(() => parameterValues(proposed.template, proposedGiven, 'new')) },
      ...(stackName ? { stackName } : {}),
    },
    policy,
  );
  if (validated && report.outcome === 'blocked') {
    const note = whatAnUnsafeChangeDoes(validated, deployedTemplate, proposed.template, proposedGiven);
    if (note) report.notes.push(note);
  }
  out(values.json ? JSON.stringify(report, null, 2) : formatPlan(report));
  return report.outcome === 'pass' || report.outcome === 'no-changes' ? EXIT.OK : EXIT.FAILED;
}

/**
 * A blocked change set is not the end with onUnsafe approve or new-stack: say what the deployment
 * would do instead. For new-stack, the template's fixed names are checked against the deployed
 * template's resources (same logical id and type) and exports, as Plan New Stack checks the live stack's.
 */
function whatAnUnsafeChangeDoes(validated: ValidatedInput, deployed: CloudFormationTemplate, proposed: CloudFormationTemplate, parameters: Record<string, string>): string | undefined {
  const { onUnsafe, environmentName, stackName } = validated.input;
  if (onUnsafe === 'approve') return 'With onUnsafe "approve", the deployment would keep this change set, unexecuted, and wait for a person to approve or reject exactly it.';
  if (onUnsafe !== 'new-stack') return undefined;
  const given = Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
  const live = {
    resources: Object.entries(deployed.Resources ?? {}).map(([logicalId, resource]) => ({ logicalId, type: resource.Type })),
    exports: fixedNames(deployed, []).filter((name) => name.type === 'Export' && name.value !== undefined).map((name) => ({ outputKey: name.logicalId.slice('Outputs.'.length), exportName: name.value as string })),
  };
  const collisions = nameCollisions(fixedNames(proposed, given), live);
  const lineage = `${environmentName}-${stackName}`;
  return collisions.length
    ? `With onUnsafe "new-stack", the new stack beside ${lineage} would take names it holds, so the deployment would fail with NameCollisionError, creating nothing: ${describeCollisions(collisions)}.`
    : `With onUnsafe "new-stack", the deployment would leave the live generation of ${lineage} untouched and create the new version beside it as ${lineage}-<suffix> (within maxStacks); no fixed name of the template is one the deployed template holds.`;
}
