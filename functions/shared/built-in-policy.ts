/**
 * The safety policy's built-in lists, each entry with the one-line reason a rejection or an
 * allowance gives. Users change them only by name: `unprotect` drops a protected type,
 * `"builtInAllowances": false` drops every harmless replacement.
 */

/** Types whose replacement or removal loses data: protected unless named in `unprotect`. */
export const PROTECTED_DATA_TYPES: Readonly<Record<string, string>> = {
  'AWS::RDS::DBInstance': 'a database instance: replacing or deleting it loses its data unless a snapshot is taken',
  'AWS::RDS::DBCluster': 'an Aurora cluster: replacing or deleting it loses its data unless a snapshot is taken',
  'AWS::DocDB::DBCluster': 'a DocumentDB cluster: replacing or deleting it loses its data unless a snapshot is taken',
  'AWS::Neptune::DBCluster': 'a Neptune cluster: replacing or deleting it loses its data unless a snapshot is taken',
  'AWS::DynamoDB::Table': 'a DynamoDB table: a replacement is a new, empty table; deleting it deletes its items',
  'AWS::DynamoDB::GlobalTable': 'a DynamoDB global table: a replacement is a new, empty table in every region',
  'AWS::S3::Bucket': 'an S3 bucket: a replacement is a new, empty bucket, and the old one holds the objects',
  'AWS::EFS::FileSystem': 'an EFS file system: a replacement is a new, empty file system',
  'AWS::Cognito::UserPool': 'a Cognito user pool: a replacement loses every user and their passwords',
  'AWS::KMS::Key': 'a KMS key: data encrypted with it cannot be decrypted once it is deleted',
  'AWS::Kinesis::Stream': 'a Kinesis stream: a replacement loses the records it holds',
  'AWS::OpenSearchService::Domain': 'an OpenSearch domain: a replacement is a new, empty domain',
  'AWS::Elasticsearch::Domain': 'an Elasticsearch domain: a replacement is a new, empty domain',
  'AWS::ECR::Repository': 'an ECR repository: a replacement is a new repository without the images',
  'AWS::SecretsManager::Secret': 'a Secrets Manager secret: a replacement is a new secret with a new value and ARN',
  'AWS::Backup::BackupVault': 'a backup vault: deleting it needs it empty, and replacing it orphans its recovery points',
  'AWS::Timestream::Database': 'a Timestream database: a replacement is a new, empty database',
  'AWS::Timestream::Table': 'a Timestream table: a replacement is a new, empty table',
  // Other stores whose resource is the data, per their CloudFormation reference.
  'AWS::S3Express::DirectoryBucket': 'an S3 directory bucket: a replacement is a new, empty bucket',
  'AWS::FSx::FileSystem': 'an FSx file system: a replacement is a new, empty file system',
  'AWS::EC2::Volume': 'an EBS volume: replacing or deleting it loses its blocks unless a snapshot is taken',
  'AWS::Redshift::Cluster': 'a Redshift cluster: replacing or deleting it loses its data unless a snapshot is taken',
  'AWS::RedshiftServerless::Namespace': 'a Redshift Serverless namespace holds its databases: a replacement is a new, empty namespace',
  'AWS::MemoryDB::Cluster': 'a MemoryDB cluster is a durable database: a replacement is a new, empty cluster',
  'AWS::Cassandra::Table': 'an Amazon Keyspaces table: a replacement is a new, empty table',
};

/** Types designed to be replaced, holding no data: replacing or removing them is allowed unless `builtInAllowances` is false. */
export const HARMLESS_REPLACEMENT_TYPES: Readonly<Record<string, string>> = {
  'AWS::CDK::Metadata': 'CDK\'s metadata resource holds nothing; CDK changes it on nearly every deploy',
  'AWS::ApiGateway::Deployment': 'an API Gateway deployment is an immutable snapshot of the API, replaced on every API change',
  'AWS::ApiGatewayV2::Deployment': 'an API Gateway v2 deployment is an immutable snapshot of the API, replaced on every API change',
  'AWS::Lambda::Version': 'a Lambda version is immutable: a new code or configuration is a new version by design',
  'AWS::Lambda::LayerVersion': 'a Lambda layer version is immutable: new content is a new version by design',
  // Every property is create-only, so any change replaces it: a CDK LambdaRestApi in front of a
  // function's current version replaces its invoke permissions on every code change.
  'AWS::Lambda::Permission': "a Lambda permission is one statement of the function's resource policy, holding no data; every property change replaces it",
  'AWS::CloudFormation::WaitConditionHandle': 'a wait condition handle is a presigned URL with no state of its own',
};
