import { SafetyPolicySchema } from '../../functions/shared/input';
import { planDeployment, PLAN_DISCLAIMER, PlanInputError, parameterValues } from '../../local/plan';
import { fixtureText, side, template } from './helpers';

const NO_POLICY = SafetyPolicySchema.parse({});
const BUCKET = fixtureText('sandbox', 'cfn-template-cfn101-bucket-before.yaml');
const RENAMED = fixtureText('sandbox', 'cfn-template-cfn101-changeset-challenge.yaml');

describe('plan: the deployment policy judges the predicted change set', () => {
  it('blocks a replacement the policy does not allow, naming what forces it', () => {
    const report = planDeployment({ deployed: side(BUCKET, { BucketName: 'b-1' }), proposed: side(BUCKET, { BucketName: 'b-2' }) }, NO_POLICY);

    expect(report.outcome).toBe('blocked');
    expect(report.blockedCount).toBe(1);
    expect(report.changes[0]).toMatchObject({
      logicalResourceId: 'MyS3Bucket',
      action: 'Modify',
      replacement: 'True',
      verdict: 'blocked',
      rule: 'replacement',
      causes: ['Properties.BucketName (always replaces, ParameterReference BucketName)'],
    });
    expect(report.summary).toMatch(/^Would be blocked: 1 of 1 change\(s\).*MyS3Bucket\.$/);
    expect(report.disclaimer).toBe(PLAN_DISCLAIMER);
  });

  it('passes the same change when the policy allows it, by logical id or by type, once the bucket is unprotected', () => {
    const allowing = (entry: string) => SafetyPolicySchema.parse({ allowReplacement: [entry], unprotect: ['AWS::S3::Bucket'] });
    const byId = planDeployment({ deployed: side(BUCKET, { BucketName: 'b-1' }), proposed: side(BUCKET, { BucketName: 'b-2' }) }, allowing('MyS3Bucket'));
    const byType = planDeployment({ deployed: side(BUCKET, { BucketName: 'b-1' }), proposed: side(BUCKET, { BucketName: 'b-2' }) }, allowing('AWS::S3::*'));
    const stillProtected = planDeployment({ deployed: side(BUCKET, { BucketName: 'b-1' }), proposed: side(BUCKET, { BucketName: 'b-2' }) }, SafetyPolicySchema.parse({ allowReplacement: ['MyS3Bucket'] }));

    expect([byId.outcome, byType.outcome, stillProtected.outcome]).toEqual(['pass', 'pass', 'blocked']);
    expect(byId.changes[0]).toMatchObject({ verdict: 'allowed', reason: expect.stringMatching(/allowed by safetyPolicy.allowReplacement \("MyS3Bucket"\)$/) });
    expect(stillProtected.changes[0].reason).toMatch(/AWS::S3::Bucket is protected built in/);
  });

  it('blocks the removal of a renamed logical id and lets the additions through', () => {
    const report = planDeployment({ deployed: side(BUCKET, { BucketName: 'b-1' }), proposed: side(RENAMED, { BucketName: 'b-1' }) }, NO_POLICY);

    expect(report.changes.map((change) => `${change.action} ${change.logicalResourceId} ${change.verdict}`)).toEqual([
      'Add NewS3Bucket allowed',
      'Add MySqsQueue allowed',
      'Remove MyS3Bucket blocked',
    ]);
    expect(report.outcome).toBe('blocked');
  });

  it('says plainly why a type the schemas do not know is judged a possible replacement', () => {
    const before = 'Resources:\n  CDKMetadata:\n    Type: AWS::CDK::Metadata\n    Properties: { Analytics: "v2:abc" }\n';

    const report = planDeployment({ deployed: side(before), proposed: side(before.replace('abc', 'def')) }, NO_POLICY);

    // A possible replacement, which the built-in harmless replacements allow for CDK's metadata.
    expect(report.changes[0]).toMatchObject({ replacement: 'Conditional', verdict: 'allowed', rule: 'conditional-replacement' });
    expect(report.changes[0].reason).toMatch(/allowed built in/);
    expect(report.changes[0].notes).toEqual(['AWS::CDK::Metadata is not in the CloudFormation resource schemas this tool reads: any modification may replace it']);
  });

  it('reports no changes for the same template, and a refused change set when a type changes', () => {
    const queue = 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n';

    const same = planDeployment({ deployed: side(queue), proposed: side(queue) }, NO_POLICY);
    const retyped = planDeployment({ deployed: side(queue), proposed: side(queue.replace('AWS::SQS::Queue', 'AWS::SNS::Topic')) }, NO_POLICY);

    expect(same).toMatchObject({ outcome: 'no-changes', changes: [] });
    expect(retyped.outcome).toBe('refused');
    expect(retyped.refused).toEqual([{ logicalId: 'Q', from: 'AWS::SQS::Queue', to: 'AWS::SNS::Topic' }]);
    expect(retyped.summary).toMatch(/CloudFormation would refuse this change set: the type of Q \(AWS::SQS::Queue → AWS::SNS::Topic\) changes/);
  });

  it('passes a change of outputs or parameter values alone: the change set then has no resource changes, and is executed', () => {
    const queue = 'Parameters:\n  Unused: { Type: String, Default: a }\nResources:\n  Q:\n    Type: AWS::SQS::Queue\nOutputs:\n  Url: { Value: !Ref Q }\n';

    const parameter = planDeployment({ deployed: side(queue), proposed: side(queue, { Unused: 'b' }) }, NO_POLICY);
    const output = planDeployment({ deployed: side(queue), proposed: side(queue.replace('Url:', 'QueueUrl:')) }, NO_POLICY);

    expect([parameter.outcome, output.outcome]).toEqual(['pass', 'pass']);
    expect(parameter.changes).toEqual([]);
    expect(output.summary).toMatch(/^Would pass: no resource changes, but the outputs or parameter values change/);
  });

  it('notes what it cannot see: a Transform and nested stacks', () => {
    const sam = 'Transform: AWS::Serverless-2016-10-31\nResources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties: { TemplateURL: https://example.com/a.yaml }\n';

    const report = planDeployment({ deployed: side(sam), proposed: side(sam.replace('a.yaml', 'b.yaml')) }, NO_POLICY);

    expect(report.notes).toEqual([expect.stringMatching(/declares a Transform/), expect.stringMatching(/^Nested stack\(s\) Child: the changes inside them are not predicted/)]);
  });

  it('notes that a changed mapping looked up by region is resolved for the offline region only', () => {
    const mapped = 'Mappings:\n  Sizes:\n    us-east-1: { Delay: 1 }\n    eu-west-1: { Delay: 1 }\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: !FindInMap [Sizes, !Ref AWS::Region, Delay]\n';

    const report = planDeployment({ deployed: side(mapped), proposed: side(mapped.replace('eu-west-1: { Delay: 1 }', 'eu-west-1: { Delay: 9 }')) }, NO_POLICY);

    expect(report.outcome).toBe('no-changes');
    expect(report.notes).toEqual([expect.stringMatching(/^The Mappings change, and the resources use the region or account: offline, those are us-east-1 and 123456789012/)]);
  });
});

describe('plan: parameter values', () => {
  const declared = template('Parameters:\n  Name: { Type: String }\n  Size: { Type: String, Default: small, AllowedValues: [small, large] }\nResources:\n  Q: { Type: AWS::SQS::Queue }\n');

  it('takes given values over defaults', () => {
    expect(parameterValues(declared, { Name: 'a' }, 'new')).toEqual({ Name: 'a', Size: 'small' });
  });

  it.each([
    ['a parameter with no value', {}, /Parameter\(s\) Name of the new template have no value and no default: give them with --parameter KEY=VALUE/],
    ['an undeclared parameter', { Name: 'a', Colour: 'red' }, /Parameter\(s\) Colour given for the new template, which does not declare them \(it declares: Name, Size\)/],
    ['a value outside AllowedValues', { Name: 'a', Size: 'huge' }, /Parameter Size of the new template is "huge", which is not one of its AllowedValues \(small, large\)/],
  ])('refuses %s', (_case, given, message) => {
    const call = () => parameterValues(declared, given, 'new');
    expect(call).toThrow(PlanInputError);
    expect(call).toThrow(message);
  });
});
