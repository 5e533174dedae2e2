import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from './nag';

/** A pipeline's artifact store, which the deployment reads the template from. */
export interface ArtifactStore {
  readonly bucketName: string;
  /** The customer managed key the artifacts are encrypted with, if any (the AWS managed aws/s3 key needs no grant). */
  readonly kmsKeyArn?: string;
}

/**
 * Lets the Lambdas that read the artifact zip (Prepare Deployment, Create Stack, Create Change Set)
 * read objects of a pipeline's artifact bucket: s3:GetObject and s3:GetObjectVersion on its
 * objects, and kms:Decrypt on its key when it has one. The policy is created in `scope`, so a
 * pipeline stack grants access to its own bucket without the orchestrator stack depending on it.
 */
export function grantArtifactRead(scope: Construct, id: string, store: ArtifactStore, roles: iam.IRole[]): iam.Policy {
  const stack = Stack.of(scope);
  const objects = stack.formatArn({ service: 's3', region: '', account: '', resource: store.bucketName, resourceName: '*' });
  const statements = [
    new iam.PolicyStatement({
      sid: 'ReadPipelineArtifacts',
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [objects],
    }),
  ];
  if (store.kmsKeyArn) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'DecryptPipelineArtifacts',
        actions: ['kms:Decrypt'],
        resources: [store.kmsKeyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    );
  }
  const policy = new iam.Policy(scope, id, { statements, roles });
  acknowledgeWildcardResources(
    policy,
    [objects],
    'CodePipeline names a new artifact object for every run; reading is limited to objects of the one artifact bucket.',
  );
  return policy;
}
