import { describeCollisions, fixedNames, nameCollisions, type LiveNames } from '../../../functions/shared/fixed-names';
import { parseTemplate } from '../../../functions/shared/template';

const template = (text: string) => parseTemplate(text, 'template.yaml');

const TEMPLATE = template(`
Parameters:
  QueueName:
    Type: String
    Default: orders-queue
  Secret:
    Type: String
    NoEcho: true
Resources:
  Assets:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-assets
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub '\${AWS::StackName}-orders'
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Ref QueueName
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Join ['-', [!Ref 'AWS::Region', worker]]
  Generated:
    Type: AWS::SNS::Topic
  Glue:
    Type: AWS::Glue::Database
    Properties:
      DatabaseInput:
        Name: analytics
  Secretive:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Ref Secret
Outputs:
  QueueUrl:
    Value: !Ref Queue
    Export:
      Name: orders-queue-url
  TableName:
    Value: !Ref Orders
    Export:
      Name: !Sub '\${AWS::StackName}-table'
`);

describe('fixedNames', () => {
  it('finds every name the template fixes, resolving plain values and parameters, and skips names derived from the stack name', () => {
    const fixed = fixedNames(TEMPLATE, [{ ParameterKey: 'QueueName', ParameterValue: 'prod-orders-queue' }, { ParameterKey: 'Secret', ParameterValue: '****' }]);

    expect(fixed).toEqual([
      { logicalId: 'Assets', type: 'AWS::S3::Bucket', property: 'BucketName', value: 'acme-assets' },
      { logicalId: 'Queue', type: 'AWS::SQS::Queue', property: 'QueueName', value: 'prod-orders-queue' },
      // Fixed, but not knowable from the template alone: matched by logical id.
      { logicalId: 'Worker', type: 'AWS::Lambda::Function', property: 'FunctionName' },
      { logicalId: 'Glue', type: 'AWS::Glue::Database', property: 'DatabaseInput.Name', value: 'analytics' },
      // A NoEcho parameter's value is masked in the execution's data: never guessed.
      { logicalId: 'Secretive', type: 'AWS::SSM::Parameter', property: 'Name' },
      { logicalId: 'Outputs.QueueUrl', type: 'Export', property: 'Export.Name', value: 'orders-queue-url' },
    ]);
  });

  it('takes a parameter\'s default when the configuration does not set it', () => {
    expect(fixedNames(TEMPLATE, []).find((name) => name.logicalId === 'Queue')?.value).toBe('orders-queue');
  });

  it('finds nothing in a template that lets CloudFormation name everything', () => {
    expect(fixedNames(template('Resources:\n  T:\n    Type: AWS::SNS::Topic\n  B:\n    Type: AWS::S3::Bucket\n'), [])).toEqual([]);
  });
});

describe('nameCollisions', () => {
  const live: LiveNames = {
    resources: [
      { logicalId: 'Assets', type: 'AWS::S3::Bucket', physicalId: 'acme-assets' },
      { logicalId: 'OldQueue', type: 'AWS::SQS::Queue', physicalId: 'https://sqs.us-east-1.amazonaws.com/123456789012/prod-orders-queue' },
      { logicalId: 'Worker', type: 'AWS::Lambda::Function', physicalId: 'us-east-1-worker' },
      { logicalId: 'Glue', type: 'AWS::SNS::Topic', physicalId: 'arn:aws:sns:us-east-1:123456789012:analytics' },
    ],
    exports: [{ outputKey: 'Url', exportName: 'orders-queue-url' }],
  };

  it('names what the live stack holds: same logical id and type, a physical id that is the name (or an ARN or URL ending in it), the same export', () => {
    const collisions = nameCollisions(fixedNames(TEMPLATE, [{ ParameterKey: 'QueueName', ParameterValue: 'prod-orders-queue' }]), live);

    expect(collisions.map((collision) => [collision.logicalId, collision.heldBy])).toEqual([
      ['Assets', 'its resource Assets (acme-assets)'],
      ['Queue', 'its resource OldQueue (https://sqs.us-east-1.amazonaws.com/123456789012/prod-orders-queue)'],
      ['Worker', 'its resource Worker (us-east-1-worker)'],
      ['Outputs.QueueUrl', 'its export orders-queue-url (output Url)'],
    ]);
    // A resource of another type with the same name is no collision (Glue database vs SNS topic).
    expect(collisions.find((collision) => collision.logicalId === 'Glue')).toBeUndefined();
    expect(describeCollisions(collisions)).toContain('Assets (AWS::S3::Bucket BucketName "acme-assets"), held by its resource Assets (acme-assets)');
  });

  it('finds none when the live stack holds none of the names', () => {
    expect(nameCollisions(fixedNames(TEMPLATE, []), { resources: [], exports: [] })).toEqual([]);
  });
});
