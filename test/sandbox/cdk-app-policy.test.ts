/**
 * A CDK app with an API Gateway REST API, synthesized with aws-cdk-lib, deployed twice on the
 * sandbox: the second time with an API change, which makes CDK replace the API's deployment
 * (a new logical id). The built-in policy lets that through with no policy entry at all.
 */
import './quiet-logs';
import { App, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { TASK_HANDLERS } from '../../functions/handlers';
import { runScenario, type Scenario } from '../../local/sandbox/scenario';

/** The app's template: a function behind a REST API, with `paths` as its resources. */
function synthesize(paths: string[]): string {
  const app = new App({ analyticsReporting: true });
  const stack = new Stack(app, 'Orders', { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });
  const handler = new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" });'),
  });
  const api = new apigateway.RestApi(stack, 'Api', { deployOptions: { stageName: 'prod' } });
  for (const path of paths) api.root.addResource(path).addMethod('GET', new apigateway.LambdaIntegration(handler));
  return JSON.stringify(app.synth().getStackByName('Orders').template);
}

function scenario(deployed: string, proposed: string): Scenario {
  return {
    name: 'cdk-api-change',
    description: 'a CDK app redeployed with an API change',
    input: { environmentName: 'prod', stackName: 'orders', templatePath: 'template.json', capabilities: ['CAPABILITY_IAM'] },
    artifact: { bucket: 'pipeline-artifacts', key: 'cdk/source.zip', files: { 'template.json': proposed } },
    stacks: [{ stackName: 'prod-orders', templateBody: deployed }],
    expect: {},
  } as unknown as Scenario;
}

describe('a CDK app with a REST API', () => {
  it('redeploys an API change (CDK replaces the API deployment) with no policy entry', async () => {
    const before = synthesize(['orders']);
    const after = synthesize(['orders', 'customers']);

    const result = await runScenario(scenario(before, after), { handlers: TASK_HANDLERS });

    const inspection = (result.execution.output as { inspection: { changes: Array<{ resourceType: string; action: string; verdict: string; matched?: string }> } } | undefined)?.inspection;
    expect({ status: result.execution.status, error: result.execution.error, cause: result.execution.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    const deployments = inspection?.changes.filter((change) => change.resourceType === 'AWS::ApiGateway::Deployment') ?? [];
    expect(deployments.map((change) => change.action).sort()).toEqual(['Add', 'Remove']);
    expect(deployments.find((change) => change.action === 'Remove')).toMatchObject({ verdict: 'allowed', matched: 'built-in harmless replacement: AWS::ApiGateway::Deployment' });
  });
});
