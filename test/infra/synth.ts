import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { createStacks, type Stacks } from '../../infra/app';

export const ROOT = path.join(__dirname, '..', '..');
const CDK_JSON = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { app: string; context: Record<string, unknown> };
export const CDK_CONTEXT = CDK_JSON.context;
export const CDK_APP_COMMAND = CDK_JSON.app;

export interface Synthesized extends Stacks {
  readonly app: App;
  readonly outdir: string;
  /** cdk-nag (and any other validation plugin) findings nobody acknowledged: `<rule> at <construct path>`. */
  readonly violations: string[];
  readonly orchestratorTemplate: Template;
  readonly pipelineTemplate?: Template;
  readonly targetTemplate?: Template;
  readonly cleanup: () => void;
}

/**
 * Synthesizes the app as `cdk synth` does (same stacks, cdk.json's context, cdk-nag), plus the
 * given context. Lambda bundling is skipped (`aws:cdk:bundling-stacks: []`): the templates do not
 * depend on the bundles, and the CLI test bundles them for real. CDK's built-in template
 * validation, which takes seconds, is also left to that test.
 */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'infra-test-'));
  const app = new App({
    outdir,
    builtinCloudFormationValidation: false,
    context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context },
  });
  const stacks = createStacks(app);
  let failure: unknown;
  try {
    app.synth();
  } catch (error) {
    failure = error;
  }
  const violations = readViolations(outdir);
  if (failure !== undefined && violations.length === 0) throw failure;
  const template = (stackName: string) => Template.fromJSON(JSON.parse(fs.readFileSync(path.join(outdir, `${stackName}.template.json`), 'utf8')));
  return {
    ...stacks,
    app,
    outdir,
    violations,
    orchestratorTemplate: template(stacks.orchestrator.artifactId),
    pipelineTemplate: stacks.samplePipeline ? template(stacks.samplePipeline.artifactId) : undefined,
    targetTemplate: stacks.target ? template(stacks.target.artifactId) : undefined,
    cleanup: () => fs.rmSync(outdir, { recursive: true, force: true }),
  };
}

interface ValidationReport {
  pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; severity: string; violatingConstructs: Array<{ constructPath: string }> }> }>;
}

/** Every violation in the cloud assembly's validation report, whatever its severity. */
export function readViolations(outdir: string): string[] {
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as ValidationReport;
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs.map((construct) => `${plugin.pluginName} ${violation.severity}: ${violation.ruleName} at ${construct.constructPath}`),
    ),
  );
}

export interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Every rule acknowledged anywhere in the tree (`Validations.of(x).acknowledge(...)`). */
export function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id, reason })),
      ),
  );
}

type Json = Record<string, unknown>;

export interface PolicyStatementJson {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

export function actionsOf(statement: PolicyStatementJson): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: PolicyStatementJson): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** The statements of every policy attached to a role (its inline policies and AWS::IAM::Policy resources). */
export function roleStatements(template: Template, roleLogicalId: string): PolicyStatementJson[] {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
  const role = resources[roleLogicalId];
  if (!role || role.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not a role of this template`);
  const inline = ((role.Properties.Policies as Array<{ PolicyDocument: { Statement: PolicyStatementJson[] } }>) ?? []).flatMap(
    (policy) => policy.PolicyDocument.Statement,
  );
  const attached = Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy')
    .filter((policy) => JSON.stringify(policy.Properties.Roles ?? []).includes(`"${roleLogicalId}"`))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: PolicyStatementJson[] }).Statement);
  return [...inline, ...attached];
}

/** Every policy statement in a template: roles' inline policies, policies and managed policies. */
export function allStatements(template: Template): Array<{ owner: string; statement: PolicyStatementJson }> {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
  return Object.entries(resources).flatMap(([logicalId, resource]) => {
    const documents: Array<{ Statement: PolicyStatementJson[] }> = [];
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of (resource.Properties.Policies as Array<{ PolicyDocument: { Statement: PolicyStatementJson[] } }>) ?? []) documents.push(policy.PolicyDocument);
    }
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      documents.push(resource.Properties.PolicyDocument as { Statement: PolicyStatementJson[] });
    }
    return documents.flatMap((document) => document.Statement.map((statement) => ({ owner: logicalId, statement })));
  });
}

/**
 * Renders a CloudFormation value as text, each intrinsic function it contains replaced by a
 * readable placeholder: `{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::b/*"]]}` → `arn:<AWS::Partition>:s3:::b/*`.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const object = value as Json;
    if ('Ref' in object) return `<${String(object.Ref)}>`;
    if ('Fn::GetAtt' in object) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(separator);
    }
    if ('Fn::GetStackOutput' in object) return `<${(object['Fn::GetStackOutput'] as { StackName: string; OutputName: string }).OutputName}>`;
    if ('Fn::Select' in object || 'Fn::Split' in object || 'Fn::ImportValue' in object || 'Fn::Sub' in object) return `<${Object.keys(object)[0]}>`;
  }
  return JSON.stringify(value);
}
