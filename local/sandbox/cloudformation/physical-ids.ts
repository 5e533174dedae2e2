import { SANDBOX_ACCOUNT, SANDBOX_PARTITION, SANDBOX_REGION } from '../constants';
import type { SeededRandom } from '../random';

/**
 * Physical ids and attributes of the sandbox's fake resources. A resource whose template gives it
 * a name is called that; others get CloudFormation's generated form, `<stack>-<LogicalId>-<RANDOM>`.
 * The physical id is also what `Ref` returns, as it is for most types in CloudFormation.
 */

/** The property that names a resource of each common type; a change to it replaces the resource. */
const NAME_PROPERTIES: Record<string, string> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SSM::Parameter': 'Name',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::Kinesis::Stream': 'Name',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
};

/** Types whose `Ref` (and physical id) is an ARN or URL rather than a bare name. */
const REF_FORMATS: Record<string, (name: string) => string> = {
  'AWS::SNS::Topic': (name) => `arn:${SANDBOX_PARTITION}:sns:${SANDBOX_REGION}:${SANDBOX_ACCOUNT}:${name}`,
  'AWS::SQS::Queue': (name) => `https://sqs.${SANDBOX_REGION}.amazonaws.com/${SANDBOX_ACCOUNT}/${name}`,
  'AWS::SecretsManager::Secret': (name) => `arn:${SANDBOX_PARTITION}:secretsmanager:${SANDBOX_REGION}:${SANDBOX_ACCOUNT}:secret:${name}`,
  'AWS::StepFunctions::StateMachine': (name) => `arn:${SANDBOX_PARTITION}:states:${SANDBOX_REGION}:${SANDBOX_ACCOUNT}:stateMachine:${name}`,
};

const GENERATED_SUFFIX_LENGTH = 13;
const UPPER_ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** Types whose generated names must be lower case (S3 bucket names are). */
const LOWER_CASE_TYPES = new Set(['AWS::S3::Bucket']);

export function nameProperty(type: string): string | undefined {
  return NAME_PROPERTIES[type];
}

export function physicalIdFor(
  type: string,
  logicalId: string,
  properties: Record<string, unknown> | undefined,
  stackName: string,
  random: SeededRandom,
): string {
  const nameKey = NAME_PROPERTIES[type];
  const given = nameKey ? properties?.[nameKey] : undefined;
  let name: string;
  if (typeof given === 'string' && given !== '') {
    name = given;
  } else {
    name = `${stackName}-${logicalId}-${random.chars(GENERATED_SUFFIX_LENGTH, UPPER_ALPHANUMERIC)}`;
    if (LOWER_CASE_TYPES.has(type)) name = name.toLowerCase();
  }
  const format = REF_FORMATS[type];
  return format ? format(name) : name;
}

function serviceOf(type: string): string {
  return (type.split('::')[1] ?? 'custom').toLowerCase();
}

/** `Fn::GetAtt`: ARNs look like ARNs; other attributes are recognisable fakes. */
export function attributeOf(type: string, logicalId: string, physicalId: string, attribute: string): string {
  if (physicalId.startsWith('arn:') && /Arn$/.test(attribute)) return physicalId;
  if (attribute === 'Arn' || attribute.endsWith('Arn')) {
    if (type === 'AWS::S3::Bucket') return `arn:${SANDBOX_PARTITION}:s3:::${physicalId}`;
    const kind = (type.split('::')[2] ?? logicalId).toLowerCase();
    return `arn:${SANDBOX_PARTITION}:${serviceOf(type)}:${SANDBOX_REGION}:${SANDBOX_ACCOUNT}:${kind}/${physicalId}`;
  }
  if (type === 'AWS::SQS::Queue' && attribute === 'QueueName') return physicalId.split('/').pop() ?? physicalId;
  if (type === 'AWS::SQS::Queue' && attribute === 'QueueUrl') return physicalId;
  if (type === 'AWS::S3::Bucket' && attribute === 'DomainName') return `${physicalId}.s3.amazonaws.com`;
  if (type === 'AWS::S3::Bucket' && attribute === 'RegionalDomainName') return `${physicalId}.s3.${SANDBOX_REGION}.amazonaws.com`;
  if (type === 'AWS::DynamoDB::Table' && attribute === 'StreamArn') {
    return `arn:${SANDBOX_PARTITION}:dynamodb:${SANDBOX_REGION}:${SANDBOX_ACCOUNT}:table/${physicalId}/stream/2024-05-01T12:00:00.000`;
  }
  return `${physicalId}.${attribute}`;
}
