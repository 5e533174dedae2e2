/**
 * A real CDK app (synthesized here with aws-cdk-lib: a REST API in front of a Lambda function with
 * a published current version) deployed twice to the same sandbox, the second time with an API
 * change, and no safety policy at all. The second deployment must go out: the API deployment the
 * CDK rotates on every API change, the function's new current version, and the API's invoke
 * permissions (replaced because they name the new version) are built-in harmless replacements;
 * nothing is protected or blocked. The template carries AWS::CDK::Metadata, as the CDK CLI
 * synthesizes it.
 */
import './quiet-logs';
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { TASK_HANDLERS } from '../../functions/handlers';
import type { ExecutionOutput } from '../../functions/shared/state';
import { buildScenarioSandbox, scenarioInput, type Scenario } from '../../local/sandbox/scenario';

const TEMPLATE_PATH = 'cdk.out/OrdersApi.template.json';
const MAX_DESCRIBES = 200;

/** The sample app; `withPostMethod` is the API change of the second release. */
function synthesize(release: number, withPostMethod: boolean): string {
  // As the CDK CLI synthesizes it, with the AWS::CDK::Metadata resource (analytics reporting is on by default there).
  const app = new App({ analyticsReporting: true });
  const stack = new Stack(app, 'OrdersApi', { analyticsReporting: true, env: { account: '123456789012', region: 'eu-west-1' } });
  const handler = new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(`exports.handler = async () => ({ statusCode: 200, body: 'release ${release}' });`),
  });
  const api = new apigateway.LambdaRestApi(stack, 'Api', { handler: handler.currentVersion, proxy: false });
  const orders = api.root.addResource('orders');
  orders.addMethod('GET');
  if (withPostMethod) orders.addMethod('POST');
  return JSON.stringify(app.synth().getStackByName('OrdersApi').template, null, 2);
}

function scenarioFor(template: string): Scenario {
  return {
    name: 'cdk-app-redeploy',
    description: 'a CDK app deployed twice',
    input: { environmentName: 'prod', stackName: 'orders-api', templatePath: TEMPLATE_PATH, capabilities: ['CAPABILITY_IAM'] },
    artifact: { bucket: 'pipeline-artifacts', key: 'SafeDeploy/SourceArti/cdk.zip', files: { [TEMPLATE_PATH]: template } },
    stacks: [],
    expect: { status: 'SUCCEEDED' },
  };
}

async function runToEnd(sfn: SFNClient, stateMachineArn: string, name: string, input: unknown): Promise<string> {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
  for (let describes = 0; describes < MAX_DESCRIBES; describes++) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') break;
  }
  return executionArn ?? '';
}

describe('a CDK app with an API Gateway REST API and a Lambda function, redeployed with an API change', () => {
  it('goes out with no policy entry: the rotated API deployment and the new function version are harmless', async () => {
    // Prepare
    const release1 = synthesize(1, false);
    const release2 = synthesize(2, true);
    const first = scenarioFor(release1);
    const { sandbox, stateMachineArn } = buildScenarioSandbox(first, TASK_HANDLERS);
    sandbox.install();
    const sfn = new SFNClient({});
    try {
      // Act: the first release creates the stack, the second updates it through a change set.
      const createdArn = await runToEnd(sfn, stateMachineArn, 'release-1', scenarioInput(first));
      await sandbox.stepFunctions.idle();
      const created = await sandbox.stepFunctions.result(createdArn);
      sandbox.putArtifact(first.artifact.bucket, first.artifact.key, { [TEMPLATE_PATH]: release2 });
      const updatedArn = await runToEnd(sfn, stateMachineArn, 'release-2', scenarioInput(first));
      await sandbox.stepFunctions.idle();
      const updated = await sandbox.stepFunctions.result(updatedArn);

      // Assess
      expect(created).toMatchObject({ status: 'SUCCEEDED' });
      expect((created.output as ExecutionOutput).result.decision).toBe('CREATED');
      expect({ status: updated.status, error: updated.error, cause: updated.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
      const output = updated.output as ExecutionOutput;
      expect(output.result).toMatchObject({ decision: 'UPDATED', status: 'UPDATE_COMPLETE' });
      expect(output.deployment.safetyPolicy).toMatchObject({ allowRemoval: [], allowReplacement: [], protect: [], unprotect: [] });

      const inspection = output.inspection!;
      const byType = (type: string) => inspection.changes.filter((change) => change.resourceType === type);
      // The CDK gives the API deployment a new logical id on every API change: the old one is removed.
      const deployments = byType('AWS::ApiGateway::Deployment');
      expect(deployments.map((change) => [change.action, change.verdict]).sort()).toEqual([
        ['Add', 'allowed'],
        ['Remove', 'allowed'],
      ]);
      expect(deployments.find((change) => change.action === 'Remove')?.matched).toBe('built-in harmless replacement: AWS::ApiGateway::Deployment');
      // The new code publishes a new current version (by logical id too): the old one is removed.
      expect(byType('AWS::Lambda::Version').map((change) => [change.action, change.verdict]).sort()).toEqual([
        ['Add', 'allowed'],
        ['Remove', 'allowed'],
      ]);
      // The API's invoke permissions name the version, and every property of a permission is create-only: they are replaced.
      const replacedPermissions = byType('AWS::Lambda::Permission').filter((change) => change.action === 'Modify');
      expect(replacedPermissions.map((change) => [change.replacement, change.verdict, change.matched])).toEqual([
        ['True', 'allowed', 'built-in harmless replacement: AWS::Lambda::Permission'],
        ['True', 'allowed', 'built-in harmless replacement: AWS::Lambda::Permission'],
      ]);
      expect(JSON.parse(release2).Resources.CDKMetadata?.Type).toBe('AWS::CDK::Metadata');
      expect(inspection.counts.blocked).toBe(0);
      expect(sandbox.mutatingCalls('CloudFormation')).toEqual(['CreateStack', 'CreateChangeSet', 'ExecuteChangeSet']);
    } finally {
      await sandbox.close();
    }
  });
});
