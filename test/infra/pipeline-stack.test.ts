import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnResource } from 'aws-cdk-lib';
import { actionsOf, render, resourcesOf, synthesize, type Synthesized } from './synth';

const CONNECTION_ARN = 'arn:aws:codeconnections:eu-west-1:111122223333:connection/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';

function logicalId(construct: { node: { defaultChild?: unknown } }): string {
  return Stack.of(construct as never).getLogicalId(construct.node.defaultChild as CfnResource);
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }>;

describe('the sample pipeline with its default S3 source', () => {
  let synthesized: Synthesized;
  let template: Template;
  let resources: Resources;

  beforeAll(() => {
    synthesized = synthesize({ samplePipeline: 'true' });
    template = synthesized.pipelineTemplate as Template;
    resources = template.toJSON().Resources as Resources;
  });
  afterAll(() => synthesized.cleanup());

  test('a V2 pipeline: the source, then test and prod', () => {
    const pipeline = template.findResources('AWS::CodePipeline::Pipeline');
    const [properties] = Object.values(pipeline).map((resource) => resource.Properties);
    expect(properties.PipelineType).toBe('V2');
    expect(properties.Stages.map((stage: { Name: string }) => stage.Name)).toEqual(['Source', 'test', 'prod']);
    expect(properties.ArtifactStore).toEqual({ Type: 'S3', Location: { Ref: logicalId(synthesized.samplePipeline!.artifactBucket) } });
  });

  test('the source is source.zip in a versioned bucket, started by an EventBridge rule on its upload', () => {
    const sourceBucket = logicalId(synthesized.samplePipeline!.sourceBucket!);
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([
        {
          Name: 'Source',
          Actions: [
            Match.objectLike({
              ActionTypeId: { Category: 'Source', Owner: 'AWS', Provider: 'S3', Version: '1' },
              Configuration: { S3Bucket: { Ref: sourceBucket }, S3ObjectKey: 'source.zip', PollForSourceChanges: false },
              OutputArtifacts: [{ Name: 'Source' }],
            }),
          ],
        },
      ]),
    });
    expect(resources[sourceBucket].Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: sourceBucket },
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [{ Ref: sourceBucket }] }, object: { key: ['source.zip'] } },
      },
      Targets: [Match.objectLike({ Arn: Match.anyValue() })],
    });
  });

  test.each(['test', 'prod'])('the %s stage invokes the trigger with UserParameters naming its input document', (environment) => {
    const [properties] = Object.values(template.findResources('AWS::CodePipeline::Pipeline')).map((resource) => resource.Properties);
    const stage = properties.Stages.find((candidate: { Name: string }) => candidate.Name === environment);
    expect(stage.Actions).toHaveLength(1);
    const [action] = stage.Actions;
    expect(action.ActionTypeId).toEqual({ Category: 'Invoke', Owner: 'AWS', Provider: 'Lambda', Version: '1' });
    expect(action.InputArtifacts).toEqual([{ Name: 'Source' }]);
    expect(action.Namespace).toBe(`Deploy-${environment}`);
    // The function's name, taken from the orchestrator's trigger ARN.
    expect(action.Configuration.FunctionName['Fn::Select'][0]).toBe(6);
    expect(JSON.stringify(action.Configuration.FunctionName)).toMatch(/"OutputName":"[^"]*TriggerFunction[^"]*Arn/);
    const userParameters = JSON.parse(render(action.Configuration.UserParameters));
    expect(userParameters).toEqual({ s3Bucket: expect.stringMatching(/^<.*InputBucket.*>$/), stateMachineFile: `${environment}/deploy.json` });
  });

  test('the orchestrator\'s artifact readers may read this pipeline\'s artifacts, before the pipeline first runs', () => {
    const artifactBucket = logicalId(synthesized.samplePipeline!.artifactBucket);
    const [policyId, policy] = Object.entries(resources).find(([id, resource]) => resource.Type === 'AWS::IAM::Policy' && id.startsWith('ArtifactReadAccess'))!;
    const statements = (policy.Properties.PolicyDocument as { Statement: Parameters<typeof actionsOf>[0][] }).Statement;
    expect(statements.map((statement) => [actionsOf(statement), resourcesOf(statement).map(render)])).toEqual([
      [['s3:GetObject', 's3:GetObjectVersion'], [`arn:<AWS::Partition>:s3:::<${artifactBucket}>/*`]],
    ]);
    expect(policy.Properties.Roles).toHaveLength(synthesized.orchestrator.artifactReaderRoles.length);
    const [pipelineId] = Object.keys(template.findResources('AWS::CodePipeline::Pipeline'));
    expect(resources[pipelineId].DependsOn).toEqual(expect.arrayContaining([policyId]));
  });

  test('the input documents are uploaded to the shared input bucket without touching the others\'', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: Match.anyValue(),
      Prune: false,
    });
    const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    expect(deployment.Properties.RetainOnDelete).not.toBe(false);
    expect(render(deployment.Properties.DestinationBucketName)).toMatch(/InputBucket/);
  });

  test('its buckets: encrypted, public access blocked, versioned, TLS only', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(3);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
      expect(Object.values(bucket.Properties.PublicAccessBlockConfiguration)).toEqual([true, true, true, true]);
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    }
    const denyInsecure = Object.values(template.findResources('AWS::S3::BucketPolicy')).filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('"aws:SecureTransport":"false"'),
    );
    expect(denyInsecure).toHaveLength(3);
  });

  test('no "Action": "*"', () => {
    expect(JSON.stringify(resources)).not.toMatch(/"Action":"\*"|"Action":\["\*"\]/);
  });
});

describe('the sample pipeline with a GitHub source', () => {
  let synthesized: Synthesized;
  let template: Template;

  beforeAll(() => {
    synthesized = synthesize({ samplePipeline: 'true', connectionArn: CONNECTION_ARN, repo: 'octo-org/safe-deploy', branch: 'release' });
    template = synthesized.pipelineTemplate as Template;
  });
  afterAll(() => synthesized.cleanup());

  test('reads the repository through the CodeStar connection, on every push, and has no source bucket', () => {
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([
        {
          Name: 'Source',
          Actions: [
            Match.objectLike({
              ActionTypeId: { Category: 'Source', Owner: 'AWS', Provider: 'CodeStarSourceConnection', Version: '1' },
              Configuration: Match.objectLike({ ConnectionArn: CONNECTION_ARN, FullRepositoryId: 'octo-org/safe-deploy', BranchName: 'release' }),
            }),
          ],
        },
      ]),
    });
    expect(synthesized.samplePipeline!.sourceBucket).toBeUndefined();
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.resourceCountIs('AWS::S3::Bucket', 2);
  });
});
