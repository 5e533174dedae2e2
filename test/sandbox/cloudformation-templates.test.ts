import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { useSandbox } from './helpers';

const cfn = new CloudFormationClient({});

async function createAndSettle(sandbox: () => import('../../local/sandbox').Sandbox, StackName: string, TemplateBody: string, parameters: Record<string, string> = {}) {
  await cfn.send(
    new CreateStackCommand({ StackName, TemplateBody, Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })) }),
  );
  sandbox().cloudFormation.settle();
  return (await cfn.send(new DescribeStacksCommand({ StackName }))).Stacks?.[0];
}

const CONDITIONAL = `
Parameters:
  Env: { Type: String, AllowedValues: [dev, prod] }
Mappings:
  Sizes:
    dev: { Capacity: '1' }
    prod: { Capacity: '5' }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Join ['-', [!Ref 'AWS::StackName', !If [IsProd, main, scratch]]]
  Alarm:
    Type: AWS::SNS::Topic
    Condition: IsProd
Outputs:
  Capacity:
    Value: !FindInMap [Sizes, !Ref Env, Capacity]
  AlarmTopic:
    Condition: IsProd
    Value: !Ref Alarm
  QueueName:
    Value: !GetAtt Queue.QueueName
  Mode:
    Value: !If [IsDev, development, production]
`;

describe('CloudFormation sandbox: templates', () => {
  const sandbox = useSandbox();

  it('resolves conditions, mappings, Fn::If, Fn::Join and outputs per environment', async () => {
    // Act
    const prod = await createAndSettle(sandbox, 'prod-app', CONDITIONAL, { Env: 'prod' });
    const dev = await createAndSettle(sandbox, 'dev-app', CONDITIONAL, { Env: 'dev' });

    // Assess
    const outputs = (stack: typeof prod) => Object.fromEntries((stack?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]));
    expect(outputs(prod)).toEqual({
      Capacity: '5',
      AlarmTopic: expect.stringMatching(/^arn:aws:sns:us-east-1:123456789012:prod-app-Alarm-/),
      QueueName: 'prod-app-main',
      Mode: 'production',
    });
    expect(outputs(dev)).toEqual({ Capacity: '1', QueueName: 'dev-app-scratch', Mode: 'development' });
    expect([...(sandbox().cloudFormation.stack('dev-app')?.resources.keys() ?? [])]).toEqual(['Queue']);
  });

  it('refuses a parameter value outside AllowedValues and a missing value', async () => {
    // Act
    const outside = await cfn.send(new CreateStackCommand({ StackName: 'a', TemplateBody: CONDITIONAL, Parameters: [{ ParameterKey: 'Env', ParameterValue: 'qa' }] })).catch((error: Error) => error);
    const missing = await cfn.send(new CreateStackCommand({ StackName: 'a', TemplateBody: CONDITIONAL })).catch((error: Error) => error);

    // Assess
    expect(outside).toMatchObject({ name: 'ValidationError', message: "Parameter 'Env' must be one of AllowedValues" });
    expect(missing).toMatchObject({ name: 'ValidationError', message: 'Parameters: [Env] must have values' });
  });

  it('imports values other stacks export, and refuses references to nothing', async () => {
    // Prepare
    await createAndSettle(sandbox, 'network', 'Resources:\n  Vpc: { Type: AWS::SQS::Queue }\nOutputs:\n  Id:\n    Value: vpc-123\n    Export: { Name: shared-vpc }\n');

    // Act
    const app = await createAndSettle(sandbox, 'app', 'Resources:\n  Q: { Type: AWS::SQS::Queue }\nOutputs:\n  Vpc:\n    Value: !ImportValue shared-vpc\n');
    const dangling = await cfn
      .send(new CreateStackCommand({ StackName: 'broken', TemplateBody: 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy: { deadLetterTargetArn: !GetAtt Dlq.Arn }\n' }))
      .catch((error: Error) => error);

    // Assess
    expect(app?.Outputs).toEqual([{ OutputKey: 'Vpc', OutputValue: 'vpc-123' }]);
    expect(dangling).toMatchObject({ message: 'Template format error: Unresolved resource dependencies [Dlq] in the Resources block of the template' });
  });
});
