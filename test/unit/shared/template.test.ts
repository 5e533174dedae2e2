import { parseTemplate, parseTemplateText } from '../../../functions/shared/template';
import { InvalidInputError } from '../../../functions/shared/errors';
import { TEMPLATE } from '../../helpers/aws';
import { fixtureText, thrownBy } from '../helpers';

/** Every short form CloudFormation accepts in YAML, and the long form it stands for. `!GetAtt` has its own tests. */
const SHORT_FORMS: Array<[string, string]> = [
  ['Base64', 'Fn::Base64'],
  ['Cidr', 'Fn::Cidr'],
  ['FindInMap', 'Fn::FindInMap'],
  ['GetAZs', 'Fn::GetAZs'],
  ['ImportValue', 'Fn::ImportValue'],
  ['Join', 'Fn::Join'],
  ['Select', 'Fn::Select'],
  ['Split', 'Fn::Split'],
  ['Sub', 'Fn::Sub'],
  ['Transform', 'Fn::Transform'],
  ['And', 'Fn::And'],
  ['Equals', 'Fn::Equals'],
  ['If', 'Fn::If'],
  ['Not', 'Fn::Not'],
  ['Or', 'Fn::Or'],
  ['Length', 'Fn::Length'],
  ['ToJsonString', 'Fn::ToJsonString'],
  ['Ref', 'Ref'],
  ['Condition', 'Condition'],
];

const WHERE = '"infra/template.yaml" in s3://artifact-bucket/pipeline/source/abc123.zip';

describe('parseTemplateText: short-form tags', () => {
  it.each(SHORT_FORMS)('!%s in scalar form is { %s: value }', (short, long) => {
    const parsed = parseTemplateText(`Value: !${short} some-value\n`);

    expect(parsed).toEqual({ Value: { [long]: 'some-value' } });
  });

  it.each(SHORT_FORMS)('!%s in sequence form is { %s: [..] }', (short, long) => {
    const parsed = parseTemplateText(`Value: !${short} [first, 2, {Key: v}]\n`);

    expect(parsed).toEqual({ Value: { [long]: ['first', 2, { Key: 'v' }] } });
  });

  it.each(SHORT_FORMS)('!%s in mapping form is { %s: {..} }', (short, long) => {
    const parsed = parseTemplateText(`Value: !${short}\n  Name: n\n  Parameters: {a: 1}\n`);

    expect(parsed).toEqual({ Value: { [long]: { Name: 'n', Parameters: { a: 1 } } } });
  });

  it('!GetAtt Resource.Attribute splits at the first dot', () => {
    expect(parseTemplateText('Value: !GetAtt Table.Arn\n')).toEqual({ Value: { 'Fn::GetAtt': ['Table', 'Arn'] } });
  });

  it('!GetAtt keeps a dotted attribute whole (a nested stack\'s Outputs.Name)', () => {
    expect(parseTemplateText('Value: !GetAtt ChildStack.Outputs.BucketName\n')).toEqual({ Value: { 'Fn::GetAtt': ['ChildStack', 'Outputs.BucketName'] } });
  });

  it('!GetAtt without a dot is a one-element list', () => {
    expect(parseTemplateText('Value: !GetAtt Table\n')).toEqual({ Value: { 'Fn::GetAtt': ['Table'] } });
  });

  it('!GetAtt in sequence form is passed through', () => {
    expect(parseTemplateText('Value: !GetAtt [Table, StreamArn]\n')).toEqual({ Value: { 'Fn::GetAtt': ['Table', 'StreamArn'] } });
  });

  it('tags nest inside each other', () => {
    const parsed = parseTemplateText(
      [
        'Name: !If [IsProd, !Sub "${AWS::StackName}-prod", !Ref AWS::NoValue]',
        'Zone: !Select [0, !GetAZs ""]',
        'Url: !Join ["", ["https://", !GetAtt Api.Endpoint, !ImportValue shared-path]]',
        'IsProd: !Not [!Equals [!Ref Env, dev]]',
        '',
      ].join('\n'),
    );

    expect(parsed).toEqual({
      Name: { 'Fn::If': ['IsProd', { 'Fn::Sub': '${AWS::StackName}-prod' }, { Ref: 'AWS::NoValue' }] },
      Zone: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
      Url: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': ['Api', 'Endpoint'] }, { 'Fn::ImportValue': 'shared-path' }]] },
      IsProd: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] }] },
    });
  });

  it('a !Sub block scalar keeps its text', () => {
    const parsed = parseTemplateText('Script: !Sub |\n  echo ${Name}\n  exit 0\n');

    expect(parsed).toEqual({ Script: { 'Fn::Sub': 'echo ${Name}\nexit 0\n' } });
  });
});

describe('parseTemplateText: JSON and YAML', () => {
  it('reads the published JSON template as JSON', () => {
    const parsed = parseTemplateText(fixtureText('cloudformation/cfn-template-awsdocs-ec2-instance-changesets.json')) as Record<string, Record<string, unknown>>;

    expect(Object.keys(parsed.Parameters)).toEqual(['Purpose', 'KeyPairName', 'InstanceType']);
    expect(parsed.Resources.MyEC2Instance).toMatchObject({ Type: 'AWS::EC2::Instance', Properties: { KeyName: { Ref: 'KeyPairName' } } });
  });

  it('reads JSON that starts after whitespace', () => {
    expect(parseTemplateText('\n  {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}')).toEqual({ Resources: { T: { Type: 'AWS::SNS::Topic' } } });
  });

  it('reads the published YAML templates with their short forms and comments', () => {
    const sns = parseTemplateText(fixtureText('cloudformation/cfn-template-localstack-sns-topic-simple.yaml'));
    const bucket = parseTemplateText(fixtureText('cloudformation/cfn-template-cfn101-bucket-before.yaml'));

    expect(sns).toMatchObject({ Resources: { topic123: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { Ref: 'TopicName' } }, DeletionPolicy: 'Delete' } } });
    expect(bucket).toMatchObject({ Resources: { MyS3Bucket: { Properties: { BucketName: { Ref: 'BucketName' } } } } });
  });
});

describe('parseTemplate', () => {
  it('returns the template of test/helpers TEMPLATE with its Resources', () => {
    const template = parseTemplate(TEMPLATE, WHERE);

    expect(Object.keys(template.Resources)).toEqual(['Table']);
    expect(template.Resources.Table.Properties).toMatchObject({ TableName: { Ref: 'TableName' } });
    expect(template.Outputs).toEqual({ TableArn: { Value: { 'Fn::GetAtt': ['Table', 'Arn'] } } });
  });

  it.each([
    ['YAML that does not parse', 'Resources:\n  Table: [\n', /^The template .* does not parse as JSON or YAML: .+\. Fix the template and run the pipeline again\.$/],
    ['JSON that does not parse', '{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}', /does not parse as JSON or YAML/],
    ['a YAML list at the top level', '- Resources\n', /is not a CloudFormation template: its top level must be a mapping with a Resources section/],
    ['a scalar at the top level', 'just text\n', /is not a CloudFormation template/],
    ['an empty file', '', /is not a CloudFormation template/],
    ['no Resources section', 'AWSTemplateFormatVersion: "2010-09-09"\nOutputs: {}\n', /has no Resources section \(CloudFormation requires at least one resource\)/],
    ['an empty Resources section', 'Resources: {}\n', /has no Resources section/],
    ['Resources as a list', 'Resources:\n  - Type: AWS::SNS::Topic\n', /has no Resources section/],
    ['a resource without a Type', 'Resources:\n  Topic:\n    Properties: {}\n', /has a resource "Topic" without a Type/],
    ['a resource that is not a mapping', 'Resources:\n  Topic: AWS::SNS::Topic\n', /has a resource "Topic" without a Type/],
    ['a resource whose Type is not a string', 'Resources:\n  Topic:\n    Type: !Ref TopicType\n', /has a resource "Topic" without a Type/],
  ])('refuses %s with an InvalidInputError naming the file', (_case, text, message) => {
    const error = thrownBy(() => parseTemplate(text, WHERE));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain(WHERE);
    expect(error.message).toMatch(message);
  });

  it('reports only the first line of a YAML error', () => {
    const error = thrownBy(() => parseTemplate('Resources:\n  Table: [\n', WHERE));

    expect(error.message).not.toContain('\n');
  });
});

describe('parseTemplateText: YAML that starts like JSON', () => {
  it('parses a flow-style YAML template with short-form tags, which begins with "{" but is not JSON', () => {
    const parsed = parseTemplateText('{ Resources: { Topic: { Type: AWS::SNS::Topic, Properties: { TopicName: !Ref Name } } } }\n');

    expect(parsed).toEqual({ Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { Ref: 'Name' } } } } });
  });
});
