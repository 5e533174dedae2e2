/**
 * The safety policy's built-in entries, each with the one-line reason the decision record shows.
 * The reasons restate what the CloudFormation resource reference and the services' API references
 * say about the type (read from the documentation carried by `@aws-cdk/aws-service-spec` and the
 * AWS docs), not opinions.
 */

export interface BuiltInEntry {
  type: string;
  reason: string;
}

/**
 * Data-bearing types: never removed or replaced unless the input document lifts the protection by
 * name (`safetyPolicy.unprotect`). A replacement is a new, empty resource; the old one and what it
 * held are deleted. A removal whose PolicyAction is Retain deletes nothing, so it is not blocked here.
 */
export const PROTECTED_TYPES: readonly BuiltInEntry[] = [
  { type: 'AWS::RDS::DBInstance', reason: 'an RDS database: deleting or replacing the instance loses its data unless a snapshot is taken' },
  { type: 'AWS::RDS::DBCluster', reason: 'an Aurora or Multi-AZ database: the cluster volume holds the data, and a new cluster starts without it' },
  { type: 'AWS::DynamoDB::Table', reason: "holds the table's items: they go with it, and a replacement is a new, empty table" },
  { type: 'AWS::DynamoDB::GlobalTable', reason: 'holds the items of every replica: they go with it, and a replacement is a new, empty table' },
  { type: 'AWS::S3::Bucket', reason: 'holds objects: CloudFormation deletes only empty buckets, and a replacement is a new, empty bucket' },
  { type: 'AWS::S3Express::DirectoryBucket', reason: 'holds objects: a replacement is a new, empty directory bucket' },
  { type: 'AWS::EFS::FileSystem', reason: 'holds files: they go with it, and a new file system starts empty' },
  { type: 'AWS::FSx::FileSystem', reason: 'holds files: they go with it, and a replacement is a new, empty file system' },
  { type: 'AWS::Cognito::UserPool', reason: 'holds the users and their sign-in data: they go with it, and a new user pool starts with none' },
  { type: 'AWS::KMS::Key', reason: 'data encrypted under the key cannot be decrypted once it is deleted (a removal schedules deletion after PendingWindowInDays)' },
  { type: 'AWS::Kinesis::Stream', reason: 'holds the records within its retention period: they go with it, and a new stream starts empty' },
  { type: 'AWS::OpenSearchService::Domain', reason: 'holds the search indexes: they go with it, and a new domain starts empty' },
  { type: 'AWS::Elasticsearch::Domain', reason: 'holds the search indexes: they go with it, and a new domain starts empty' },
  { type: 'AWS::ECR::Repository', reason: 'holds container images: EmptyOnDelete force-deletes them, and a new repository starts empty' },
  { type: 'AWS::SecretsManager::Secret', reason: 'holds a secret value: deleting or replacing the secret loses the stored value' },
  { type: 'AWS::Backup::BackupVault', reason: 'holds recovery points (backups): a new vault holds none' },
  { type: 'AWS::Timestream::Database', reason: 'holds time-series tables: they go with it, and a new database starts empty' },
  { type: 'AWS::Timestream::Table', reason: 'holds time-series records: they go with it, and a new table starts empty' },
  { type: 'AWS::DocDB::DBCluster', reason: 'a DocumentDB database: the cluster volume holds the data, and a new cluster starts without it' },
  { type: 'AWS::Neptune::DBCluster', reason: 'a Neptune graph database: without a DeletionPolicy its volume is deleted with no snapshot' },
  { type: 'AWS::Redshift::Cluster', reason: 'a data warehouse: deleting or replacing the cluster loses its data unless a snapshot is taken' },
  { type: 'AWS::RedshiftServerless::Namespace', reason: 'holds the databases of a Redshift Serverless warehouse: a new namespace starts empty' },
  { type: 'AWS::MemoryDB::Cluster', reason: 'a durable in-memory database: its data goes with it, and a new cluster starts empty' },
  { type: 'AWS::ElastiCache::ReplicationGroup', reason: 'a Valkey or Redis OSS data store: a new replication group starts empty unless seeded from a snapshot' },
  { type: 'AWS::EC2::Volume', reason: 'an EBS volume: deleting or replacing it loses its blocks unless a snapshot is taken' },
  { type: 'AWS::Cassandra::Table', reason: "holds the table's rows (Amazon Keyspaces): they go with it, and a new table starts empty" },
  { type: 'AWS::QLDB::Ledger', reason: 'holds the journal of every change to the ledger: it goes with it, and a new ledger starts empty' },
];

/**
 * Types designed to be replaced that hold no data: their replacement is allowed unless the input
 * document sets `"builtInAllowances": false`. So is their removal: the CDK replaces some of them by
 * giving the new one a new logical id (an API Gateway deployment, a function's current version),
 * which a change set shows as an Add and a Remove.
 */
export const HARMLESS_REPLACEMENTS: readonly BuiltInEntry[] = [
  {
    type: 'AWS::CDK::Metadata',
    reason: "the CDK's record of the construct library versions; holds no data, and CloudFormation reports it as a Conditional replacement on nearly every CDK deploy",
  },
  {
    type: 'AWS::ApiGateway::Deployment',
    reason: 'an immutable snapshot of a REST API: every API change is published by a new deployment that the stage moves to, and the old one is deleted',
  },
  { type: 'AWS::ApiGatewayV2::Deployment', reason: 'an immutable snapshot of an HTTP or WebSocket API: every API change is published by a new deployment' },
  { type: 'AWS::Lambda::Version', reason: "an immutable snapshot of a function's code and configuration: every change publishes a new version" },
  {
    type: 'AWS::Lambda::LayerVersion',
    reason: 'an immutable layer version: every change publishes a new one, and functions still using the old one keep their copy',
  },
  {
    type: 'AWS::Lambda::Permission',
    reason: "one statement of a function's resource policy: every property is create-only, so any change replaces it; it holds no data",
  },
  { type: 'AWS::CloudFormation::WaitConditionHandle', reason: 'has no properties and holds no data: only the presigned URL that signals are sent to' },
];

const byType = (entries: readonly BuiltInEntry[]) => new Map(entries.map((entry) => [entry.type, entry]));
const PROTECTED_BY_TYPE = byType(PROTECTED_TYPES);
const HARMLESS_BY_TYPE = byType(HARMLESS_REPLACEMENTS);

export function builtInProtection(type: string): BuiltInEntry | undefined {
  return PROTECTED_BY_TYPE.get(type);
}

export function builtInHarmlessReplacement(type: string): BuiltInEntry | undefined {
  return HARMLESS_BY_TYPE.get(type);
}
