import * as path from 'path';
import { Aws, CfnOutput, DefaultStackSynthesizer, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { grantArtifactRead } from './artifact-access';
import { acknowledgeWildcardResources } from './nag';
import { PROJECT_ROOT } from './deploy-function';
import { accessLogsBucket, secureBucket } from './secure-bucket';

/** The object the S3 source action watches: a zip of the repository (at least `examples/app/`). */
export const SOURCE_OBJECT_KEY = 'source.zip';
/** The sample's environments, deployed in this order by one state machine. */
export const SAMPLE_ENVIRONMENTS = ['test', 'prod'] as const;
/** The input documents, uploaded to the input bucket as `<environment>/deploy.json`. */
export const INPUT_DOCUMENTS_DIR = path.join(PROJECT_ROOT, 'examples', 'app', 'inputs');
/** Artifacts are only read while a run deploys them. */
const ARTIFACT_EXPIRATION = Duration.days(90);
const SOURCE_HISTORY = Duration.days(90);
const LAMBDA_BASIC_EXECUTION = 'arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

/** A GitHub repository reached through a CodeStar (CodeConnections) connection you have authorised. */
export interface GitHubSource {
  readonly connectionArn: string;
  readonly owner: string;
  readonly repo: string;
  readonly branch: string;
}

export interface SamplePipelineSettings {
  /** @default - an S3 source: a versioned bucket, object `source.zip` */
  readonly gitHub?: GitHubSource;
  /** @default ['test', 'prod'] */
  readonly environments?: readonly string[];
  /** Keep the buckets when the stack is deleted. @default true */
  readonly retainData?: boolean;
}

export interface SamplePipelineStackProps extends StackProps, SamplePipelineSettings {
  /** The orchestrator's trigger function (output TriggerFunctionName of the orchestrator stack). */
  readonly triggerFunctionArn: string;
  /** The orchestrator's input bucket (output InputBucketName). */
  readonly inputBucketName: string;
  /** The roles that read the artifact zip: they are granted read access to this pipeline's artifact bucket. */
  readonly artifactReaderRoleArns: readonly string[];
}

/**
 * A pipeline wired to the orchestrator the way you would wire your own: a source, then one stage
 * per environment whose only action invokes the trigger Lambda with UserParameters naming the
 * environment's input document. One state machine serves both environments.
 */
export class SamplePipelineStack extends Stack {
  public readonly pipeline: codepipeline.Pipeline;
  public readonly artifactBucket: s3.Bucket;
  /** The S3 source bucket, when the source is not GitHub. */
  public readonly sourceBucket?: s3.Bucket;

  constructor(scope: Construct, id: string, props: SamplePipelineStackProps) {
    super(scope, id, {
      description: 'Sample pipeline for the safe CloudFormation deployer: source, then test and prod deployments through the state machine',
      ...props,
    });
    const retention = { retainData: props.retainData ?? true };
    const accessLogs = accessLogsBucket(this, 'AccessLogsBucket', retention);

    this.artifactBucket = secureBucket(this, 'ArtifactBucket', {
      ...retention,
      accessLogs,
      accessLogsPrefix: 'artifacts/',
      bucketProps: {
        lifecycleRules: [{ id: 'ExpireOldArtifacts', expiration: ARTIFACT_EXPIRATION, noncurrentVersionExpiration: Duration.days(1) }],
      },
    });

    const sourceOutput = new codepipeline.Artifact('Source');
    let sourceAction: codepipeline.IAction;
    if (props.gitHub) {
      sourceAction = new actions.CodeStarConnectionsSourceAction({
        actionName: 'GitHub',
        connectionArn: props.gitHub.connectionArn,
        owner: props.gitHub.owner,
        repo: props.gitHub.repo,
        branch: props.gitHub.branch,
        output: sourceOutput,
        triggerOnPush: true,
      });
    } else {
      this.sourceBucket = secureBucket(this, 'SourceBucket', {
        ...retention,
        accessLogs,
        accessLogsPrefix: 'source/',
        bucketProps: {
          eventBridgeEnabled: true,
          lifecycleRules: [{ id: 'ExpireOldSources', noncurrentVersionExpiration: SOURCE_HISTORY }],
        },
      });
      // Started by an EventBridge rule on the upload (below), not by polling or a CloudTrail trail.
      sourceAction = new actions.S3SourceAction({
        actionName: 'S3',
        bucket: this.sourceBucket,
        bucketKey: SOURCE_OBJECT_KEY,
        output: sourceOutput,
        trigger: actions.S3Trigger.NONE,
      });
    }

    // Wired as you would wire your own pipeline: the trigger by its ARN, the input bucket by its name.
    const trigger = lambda.Function.fromFunctionAttributes(this, 'Trigger', {
      functionArn: props.triggerFunctionArn,
      sameEnvironment: true,
    });
    const environments = props.environments ?? SAMPLE_ENVIRONMENTS;

    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineType: codepipeline.PipelineType.V2,
      artifactBucket: this.artifactBucket,
      crossAccountKeys: false,
      restartExecutionOnUpdate: false,
      stages: [
        { stageName: 'Source', actions: [sourceAction] },
        ...environments.map((environment) => ({
          stageName: environment,
          actions: [
            new actions.LambdaInvokeAction({
              actionName: 'SafeDeploy',
              lambda: trigger,
              inputs: [sourceOutput],
              userParameters: { s3Bucket: props.inputBucketName, stateMachineFile: `${environment}/deploy.json` },
              // The trigger's output variables (StackName, Decision, the stack's outputs…) under this namespace.
              variablesNamespace: `Deploy-${environment}`,
            }),
          ],
        })),
      ],
    });

    if (this.sourceBucket) {
      new events.Rule(this, 'SourceUploaded', {
        description: `Starts the sample pipeline when ${SOURCE_OBJECT_KEY} is uploaded`,
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: { bucket: { name: [this.sourceBucket.bucketName] }, object: { key: [SOURCE_OBJECT_KEY] } },
        },
        targets: [new targets.CodePipeline(this.pipeline)],
      });
    }

    // The deployment reads the template from this pipeline's artifacts with the orchestrator's roles.
    const readers = props.artifactReaderRoleArns.map((arn, index) =>
      iam.Role.fromRoleArn(this, `ArtifactReader${index + 1}`, arn, { mutable: true }),
    );
    const artifactAccess = grantArtifactRead(this, 'ArtifactReadAccess', { bucketName: this.artifactBucket.bucketName }, readers);

    // The input documents for test and prod, next to the other pipelines' in the shared input bucket.
    const inputBucket = s3.Bucket.fromBucketName(this, 'InputBucket', props.inputBucketName);
    const inputDocuments = new s3deploy.BucketDeployment(this, 'InputDocuments', {
      sources: [s3deploy.Source.asset(INPUT_DOCUMENTS_DIR)],
      destinationBucket: inputBucket,
      // Other pipelines' documents share the bucket: never delete what this stack did not upload.
      prune: false,
      retainOnDelete: true,
    });

    // A new pipeline starts at once: let its first run find its permissions and documents in place.
    this.pipeline.node.addDependency(artifactAccess, inputDocuments);

    this.acknowledgeCdkGrants(trigger, inputBucket, inputDocuments);

    new CfnOutput(this, 'PipelineName', { value: this.pipeline.pipelineName });
    new CfnOutput(this, 'PipelineConsoleUrl', {
      value: `https://${Aws.REGION}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${this.pipeline.pipelineName}/view?region=${Aws.REGION}`,
    });
    if (this.sourceBucket) {
      new CfnOutput(this, 'SourceObject', {
        value: `s3://${this.sourceBucket.bucketName}/${SOURCE_OBJECT_KEY}`,
        description: 'Upload the zipped sample here to run the pipeline',
      });
    }
  }

  /**
   * cdk-nag findings on permissions that CDK's own constructs grant: the pipeline's and its actions'
   * roles, the BucketDeployment handler and the handler that turns on the source bucket's
   * EventBridge notifications. Each is acknowledged where it arises, with its reason.
   */
  private acknowledgeCdkGrants(trigger: lambda.IFunction, inputBucket: s3.IBucket, inputDocuments: s3deploy.BucketDeployment): void {
    const bucketWildcards = ['Action::s3:Abort*', 'Action::s3:DeleteObject*', 'Action::s3:GetBucket*', 'Action::s3:GetObject*', 'Action::s3:List*'];
    const pipelineReason =
      'Granted by CDK to the pipeline and its action roles so that they read and write run artifacts: the artifact store holds only this pipeline\'s artifacts.';
    for (const finding of bucketWildcards) Validations.of(this.pipeline).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: pipelineReason });
    acknowledgeWildcardResources(this.pipeline, [this.artifactBucket.arnForObjects('*')], pipelineReason);
    acknowledgeWildcardResources(
      this.pipeline,
      [`${trigger.functionArn}:*`],
      'Granted by CDK\'s LambdaInvokeAction: invoking the trigger function (any version or alias of it, the :* suffix) and nothing else.',
    );
    Validations.of(this.pipeline).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Granted by CDK\'s LambdaInvokeAction: lambda:ListFunctions, which CodePipeline calls for the Invoke action, supports no resource-level permissions.',
    });

    const deploymentReason =
      'CDK\'s BucketDeployment handler copies the input documents from the CDK asset bucket into the input bucket; its grants are CDK\'s, limited to those two buckets.';
    const handlerRole = inputDocuments.handlerRole;
    for (const finding of bucketWildcards) Validations.of(handlerRole).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: deploymentReason });
    acknowledgeWildcardResources(
      handlerRole,
      [`arn:${Aws.PARTITION}:s3:::${assetBucketName(this)}/*`, inputBucket.arnForObjects('*')],
      deploymentReason,
    );
    Validations.of(handlerRole).acknowledge({ id: `AwsSolutions-IAM4[Policy::${LAMBDA_BASIC_EXECUTION}]`, reason: deploymentReason });

    for (const child of this.node.children) {
      if (child.node.id.startsWith('Custom::CDKBucketDeployment')) {
        Validations.of(child).acknowledge({
          id: 'AwsSolutions-L1',
          reason: 'The BucketDeployment handler\'s runtime is chosen by CDK (it bundles the AWS CLI layer for that runtime).',
        });
      }
      if (child.node.id.startsWith('BucketNotificationsHandler')) {
        Validations.of(child).acknowledge({
          id: `AwsSolutions-IAM4[Policy::${LAMBDA_BASIC_EXECUTION}]`,
          reason: 'CDK\'s handler that turns on EventBridge notifications for the source bucket; CDK gives it the basic Lambda execution policy.',
        });
      }
    }
  }
}

/** The CDK bootstrap bucket that holds this stack's file assets, as the default synthesizer names it. */
function assetBucketName(stack: Stack): string {
  const qualifier = stack.synthesizer.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  return `cdk-${qualifier}-assets-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}
