import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** How long server access logs are kept. */
export const ACCESS_LOG_RETENTION = Duration.days(365);

/** What happens to stored data when a stack is deleted. */
export interface DataRetention {
  /**
   * Keep buckets (and log groups) when the stack is deleted: the safe default for deployment
   * records. With `false`, buckets are emptied and deleted with the stack.
   */
  readonly retainData: boolean;
}

export function removalPolicyFor({ retainData }: DataRetention): RemovalPolicy {
  return retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}

/**
 * The defaults every bucket of this app shares: S3-managed encryption (SSE-S3: CloudFormation
 * and CodePipeline read these objects without KMS grants), all public access blocked, TLS only,
 * versioned, objects owned by the bucket owner (ACLs off).
 */
function secureDefaults(retention: DataRetention): s3.BucketProps {
  const removalPolicy = removalPolicyFor(retention);
  return {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy,
    autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
  };
}

/** The bucket that receives the other buckets' server access logs. It cannot log to itself. */
export function accessLogsBucket(scope: Construct, id: string, retention: DataRetention): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    ...secureDefaults(retention),
    lifecycleRules: [
      { id: 'ExpireAccessLogs', expiration: ACCESS_LOG_RETENTION, noncurrentVersionExpiration: Duration.days(1) },
    ],
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'This is the server access log bucket; logging its own access would log every log delivery in a loop.',
  });
  return bucket;
}

export interface SecureBucketProps extends DataRetention {
  readonly accessLogs: s3.IBucket;
  /** Prefix of this bucket's access logs in the access log bucket. */
  readonly accessLogsPrefix: string;
  /** Anything else, e.g. lifecycle rules; these props override the defaults. */
  readonly bucketProps?: s3.BucketProps;
}

export function secureBucket(scope: Construct, id: string, props: SecureBucketProps): s3.Bucket {
  return new s3.Bucket(scope, id, {
    ...secureDefaults(props),
    serverAccessLogsBucket: props.accessLogs,
    serverAccessLogsPrefix: props.accessLogsPrefix,
    ...props.bucketProps,
  });
}
