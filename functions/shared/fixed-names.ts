import type { CloudFormationTemplate } from './template';
import type { Parameter } from './state';
import { MASKED_VALUE } from './template-source';

/**
 * onUnsafe new-stack creates the new generation from the same template, beside the live stack. A
 * resource whose physical name the template fixes would be created a second time under the name
 * the live stack's resource holds, and the create would fail half-way (or, for a few types, take
 * over the name). Those are found from the template before anything is created.
 *
 * The property that names each type's resource, for the types whose names are unique in an account
 * and region (or globally): a name given there is fixed unless it is derived from the stack's name.
 */
export const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Lambda::LayerVersion': 'LayerName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Kinesis::Stream': 'Name',
  'AWS::KinesisFirehose::DeliveryStream': 'DeliveryStreamName',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::ECS::Cluster': 'ClusterName',
  'AWS::ECS::Service': 'ServiceName',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'Name',
  'AWS::ElasticLoadBalancingV2::TargetGroup': 'Name',
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
  'AWS::RDS::DBCluster': 'DBClusterIdentifier',
  'AWS::ElastiCache::ReplicationGroup': 'ReplicationGroupId',
  'AWS::OpenSearchService::Domain': 'DomainName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::Events::Rule': 'Name',
  'AWS::Events::EventBus': 'Name',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::SSM::Parameter': 'Name',
  'AWS::KMS::Alias': 'AliasName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::CodeBuild::Project': 'Name',
  'AWS::Glue::Database': 'DatabaseInput.Name',
  'AWS::Route53::RecordSet': 'Name',
  'AWS::ApiGateway::DomainName': 'DomainName',
  'AWS::CloudFront::Distribution': 'DistributionConfig.Aliases',
};

/** A name the template fixes: the same in every stack made from it. */
export interface FixedName {
  /** The resource's logical id, or `Outputs.<key>` for an export. */
  logicalId: string;
  /** The resource type, or `Export` for an output's export name. */
  type: string;
  property: string;
  /** The name, when the template gives it plainly or through a parameter. */
  value?: string;
}

/** What the live stack holds that a name could collide with. */
export interface LiveNames {
  resources: { logicalId: string; type: string; physicalId?: string }[];
  /** Its outputs' export names, by output key. */
  exports: { outputKey: string; exportName: string }[];
}

export interface NameCollision extends FixedName {
  /** What of the live stack holds it. */
  heldBy: string;
}

function propertyAt(properties: Record<string, unknown> | undefined, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), properties);
}

/** A name built from `AWS::StackName` or `AWS::StackId` differs in every stack. */
function derivedFromStack(value: unknown): boolean {
  return /AWS::Stack(Name|Id)\b/.test(JSON.stringify(value));
}

/** The name, when it can be known from the template and the parameters alone. */
function resolvedName(value: unknown, template: CloudFormationTemplate, parameters: Parameter[]): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && 'Ref' in value) {
    const name = (value as { Ref: unknown }).Ref;
    if (typeof name !== 'string') return undefined;
    const given = parameters.find((parameter) => parameter.ParameterKey === name)?.ParameterValue;
    if (given !== undefined) return given === MASKED_VALUE ? undefined : given;
    const declared = (template.Parameters as Record<string, { Default?: unknown }> | undefined)?.[name];
    return typeof declared?.Default === 'string' ? declared.Default : undefined;
  }
  return undefined;
}

/** Every resource name and export name the template fixes (names derived from the stack's name are not fixed). */
export function fixedNames(template: CloudFormationTemplate, parameters: Parameter[]): FixedName[] {
  const fixed: FixedName[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const property = NAME_PROPERTIES[resource.Type];
    const value = property ? propertyAt(resource.Properties, property) : undefined;
    if (value === undefined || derivedFromStack(value)) continue;
    const name = resolvedName(value, template, parameters);
    fixed.push({ logicalId, type: resource.Type, property, ...(name !== undefined ? { value: name } : {}) });
  }
  const outputs = (template.Outputs as Record<string, { Export?: { Name?: unknown } }> | undefined) ?? {};
  for (const [key, output] of Object.entries(outputs)) {
    const exportName = output?.Export?.Name;
    if (exportName === undefined || derivedFromStack(exportName)) continue;
    const name = resolvedName(exportName, template, parameters);
    fixed.push({ logicalId: `Outputs.${key}`, type: 'Export', property: 'Export.Name', ...(name !== undefined ? { value: name } : {}) });
  }
  return fixed;
}

/** Whether a physical id is the name, or an ARN or URL that ends in it. */
function physicalIdNames(physicalId: string | undefined, name: string): boolean {
  return physicalId !== undefined && (physicalId === name || physicalId.endsWith(`/${name}`) || physicalId.endsWith(`:${name}`));
}

/**
 * The fixed names the live stack already holds: a resource of the same logical id and type (made
 * from the same template, it holds the same name), or one whose physical id is the name; an export
 * of the same name, or of the same output when the name cannot be known.
 */
export function nameCollisions(fixed: FixedName[], live: LiveNames): NameCollision[] {
  const collisions: NameCollision[] = [];
  for (const name of fixed) {
    if (name.type === 'Export') {
      const outputKey = name.logicalId.slice('Outputs.'.length);
      const held = live.exports.find((entry) => (name.value !== undefined ? entry.exportName === name.value : entry.outputKey === outputKey));
      if (held) collisions.push({ ...name, heldBy: `its export ${held.exportName} (output ${held.outputKey})` });
      continue;
    }
    const held =
      live.resources.find((resource) => resource.logicalId === name.logicalId && resource.type === name.type) ??
      (name.value !== undefined ? live.resources.find((resource) => resource.type === name.type && physicalIdNames(resource.physicalId, name.value as string)) : undefined);
    if (held) collisions.push({ ...name, heldBy: `its resource ${held.logicalId}${held.physicalId ? ` (${held.physicalId})` : ''}` });
  }
  return collisions;
}

/** One line per collision, and what to do about each kind. */
export function describeCollisions(collisions: NameCollision[]): string {
  const lines = collisions.map((collision) => {
    const what = collision.type === 'Export' ? `output export name` : `${collision.type} ${collision.property}`;
    return `${collision.logicalId} (${what}${collision.value !== undefined ? ` "${collision.value}"` : ''}), held by ${collision.heldBy}`;
  });
  return lines.join('; ');
}
