import { parseDeploymentInput } from '../../../functions/shared/input';
import { InvalidInputError } from '../../../functions/shared/errors';
import { input } from '../../helpers/aws';
import { ROLE_ARN, thrownBy } from '../helpers';

function problemWith(document: unknown): string {
  const error = thrownBy(() => parseDeploymentInput(document));
  expect(error).toBeInstanceOf(InvalidInputError);
  return error.message;
}

describe('parseDeploymentInput: valid documents', () => {
  it('returns the document typed, with the optional fields it gives', () => {
    const document = input({
      revisionS3ObjectVersion: '3sL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
      sourceArtifactName: 'SourceArtifact',
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_AUTO_EXPAND'],
      cloudFormationRoleArn: ROLE_ARN,
      safetyPolicy: { allowRemoval: ['LegacyQueue'], allowReplacement: ['AWS::SNS::Subscription', 'Child/Table'], protect: [], unprotect: [], builtInAllowances: true, retainedRemovals: 'allow' },
      maxWaitSeconds: 7200,
    });

    const parsed = parseDeploymentInput(document);

    expect(parsed).toEqual(document);
  });

  it('fills in the empty lists of a safety policy that gives only one of them', () => {
    const parsed = parseDeploymentInput(input({ safetyPolicy: { allowRemoval: ['LegacyQueue'] } }));

    expect(parsed.safetyPolicy).toEqual({ allowRemoval: ['LegacyQueue'], allowReplacement: [], protect: [], unprotect: [], builtInAllowances: true, retainedRemovals: 'allow' });
  });

  it('accepts the names at their longest: environmentName-stackName of exactly 128 characters', () => {
    const parsed = parseDeploymentInput(input({ environmentName: 'prod', stackName: `a${'b'.repeat(122)}` }));

    expect(`${parsed.environmentName}-${parsed.stackName}`).toHaveLength(128);
  });

  it.each([60, 82_800])('accepts maxWaitSeconds %d, at the bounds', (maxWaitSeconds) => {
    expect(parseDeploymentInput(input({ maxWaitSeconds })).maxWaitSeconds).toBe(maxWaitSeconds);
  });

  it.each(['arn:aws:iam::123456789012:role/service-role/cfn-deploy', 'arn:aws-us-gov:iam::123456789012:role/cfn', 'arn:aws-cn:iam::123456789012:role/a.b@c=d,e+f'])(
    'accepts the role ARN %s',
    (cloudFormationRoleArn) => {
      expect(parseDeploymentInput(input({ cloudFormationRoleArn })).cloudFormationRoleArn).toBe(cloudFormationRoleArn);
    },
  );
});

describe('parseDeploymentInput: invalid documents name the field', () => {
  it.each([
    ['null', null],
    ['a list', [input()]],
    ['a string', JSON.stringify(input())],
  ])('refuses %s as a whole, listing the required fields', (_case, document) => {
    expect(problemWith(document)).toBe(
      'The deployment input must be a JSON object with environmentName, stackName, templatePath, revisionS3Bucket and revisionS3Key.',
    );
  });

  it.each(['environmentName', 'stackName', 'templatePath', 'revisionS3Bucket', 'revisionS3Key'])('a missing %s "is required"', (field) => {
    const document = input();
    delete document[field];

    expect(problemWith(document)).toBe(`Invalid deployment input: ${field}: is required.`);
  });

  it.each([
    ['stackName', 42, 'stackName: must be a string'],
    ['environmentName', ['prod'], 'environmentName: must be a string'],
    ['templatePath', false, 'templatePath: must be a string'],
    ['revisionS3Bucket', null, 'revisionS3Bucket: must be a string'],
  ])('a %s of the wrong type says so, not that it is missing', (field, value, problem) => {
    expect(problemWith(input({ [field]: value }))).toBe(`Invalid deployment input: ${problem}.`);
  });

  it.each([
    ['stackName', 'my_app!', 'stackName: use letters, digits and hyphens, starting with a letter'],
    ['stackName', '1app', 'stackName: use letters, digits and hyphens, starting with a letter'],
    ['environmentName', '', 'environmentName: must not be empty'],
    ['stackName', 'a'.repeat(129), 'stackName: must be at most 128 characters'],
    ['templatePath', '', 'templatePath: must not be empty'],
    ['revisionS3Bucket', 'ab', 'revisionS3Bucket: must be an S3 bucket name'],
    ['revisionS3Key', '', 'revisionS3Key: must be the S3 key of the artifact zip'],
    ['cloudFormationRoleArn', 'cfn-deploy', 'cloudFormationRoleArn: must be an IAM role ARN, arn:aws:iam::<account>:role/<name>'],
    ['cloudFormationRoleArn', 'arn:aws:iam::123456789012:user/deployer', 'cloudFormationRoleArn: must be an IAM role ARN'],
    ['maxWaitSeconds', 59, 'maxWaitSeconds: must be at least 60'],
    ['maxWaitSeconds', 82_801, 'maxWaitSeconds: must be at most 82800 (CodePipeline stops a Lambda action after 24 hours)'],
    ['maxWaitSeconds', 90.5, 'maxWaitSeconds: must be a whole number of seconds'],
  ])('a malformed %s (%p) is named with what is wrong', (field, value, problem) => {
    expect(problemWith(input({ [field]: value }))).toContain(problem);
  });

  // Fields without a message of their own show zod's English default: functions/shared/zod.ts loads it.
  it.each([
    ['maxWaitSeconds', 'soon', 'maxWaitSeconds: Invalid input: expected number, received string'],
    ['capabilities', 'CAPABILITY_IAM', 'capabilities: Invalid input: expected array, received string'],
    ['sourceArtifactName', 7, 'sourceArtifactName: Invalid input: expected string, received number'],
    ['revisionS3ObjectVersion', '', 'revisionS3ObjectVersion: Too small: expected string to have >=1 characters'],
  ])('a wrong %s (%p) reads as zod says it in English', (field, value, problem) => {
    expect(problemWith(input({ [field]: value }))).toBe(`Invalid deployment input: ${problem}.`);
  });

  it('an unknown capability is named by its position', () => {
    expect(problemWith(input({ capabilities: ['CAPABILITY_IAM', 'CAPABILITY_EVERYTHING'] }))).toMatch(/^Invalid deployment input: capabilities\.1: /);
  });

  it('an unknown field is named, with a hint to check its spelling', () => {
    expect(problemWith(input({ stackname: 'app', templatePth: 'x' }))).toBe(
      'Invalid deployment input: stackname: unknown field (check its spelling; see the README for the fields); templatePth: unknown field (check its spelling; see the README for the fields).',
    );
  });

  it('an unknown field of the safety policy is named by its path', () => {
    expect(problemWith(input({ safetyPolicy: { allowDeletion: ['Table'] } }))).toBe(
      'Invalid deployment input: safetyPolicy.allowDeletion: unknown field (check its spelling; see the README for the fields).',
    );
  });

  it('an empty entry of a safety policy list is named by its path', () => {
    expect(problemWith(input({ safetyPolicy: { allowRemoval: [''] } }))).toMatch(/^Invalid deployment input: safetyPolicy\.allowRemoval\.0: /);
  });

  it('names every bad field at once', () => {
    const message = problemWith(input({ stackName: undefined, templatePath: '', maxWaitSeconds: 1 }));

    expect(message).toContain('stackName: is required');
    expect(message).toContain('templatePath: must not be empty');
    expect(message).toContain('maxWaitSeconds: must be at least 60');
  });

  it('refuses environmentName-stackName longer than CloudFormation\'s 128 characters, though each part fits', () => {
    const stackName = `a${'b'.repeat(123)}`;

    expect(problemWith(input({ stackName }))).toBe(
      `Invalid deployment input: environmentName-stackName ("prod-${stackName}") is 129 characters; CloudFormation allows 128. Shorten stackName.`,
    );
  });
});

describe('parseDeploymentInput: onUnsafe new-stack', () => {
  it('takes "new-stack" with maxStacks from 2 to 10', () => {
    expect(parseDeploymentInput(input({ onUnsafe: 'new-stack', maxStacks: 3 }))).toMatchObject({ onUnsafe: 'new-stack', maxStacks: 3 });
    expect(problemWith(input({ onUnsafe: 'new-stack', maxStacks: 1 }))).toContain('maxStacks: must be at least 2 (the live stack and one new generation)');
    expect(problemWith(input({ onUnsafe: 'new-stack', maxStacks: 11 }))).toContain('maxStacks: must be at most 10');
    expect(problemWith(input({ onUnsafe: 'blue-green' }))).toContain('onUnsafe: must be "fail", "approve" or "new-stack"');
  });

  it('refuses maxStacks without new-stack, and approvalTimeoutSeconds without approve: each would silently do nothing', () => {
    expect(problemWith(input({ maxStacks: 3 }))).toMatch(/maxStacks counts the generations of onUnsafe "new-stack".*remove maxStacks, or set "onUnsafe": "new-stack"/);
    expect(problemWith(input({ onUnsafe: 'new-stack', approvalTimeoutSeconds: 600 }))).toMatch(/approvalTimeoutSeconds is how long .* with onUnsafe "approve".*remove approvalTimeoutSeconds, or set "onUnsafe": "approve"/);
    expect(parseDeploymentInput(input({ onUnsafe: 'approve', approvalTimeoutSeconds: 600 })).approvalTimeoutSeconds).toBe(600);
  });

  it('leaves room in the stack name for a generation suffix', () => {
    const stackName = `a${'b'.repeat(118)}`;
    expect(parseDeploymentInput(input({ stackName })).stackName).toBe(stackName);
    expect(problemWith(input({ stackName, onUnsafe: 'new-stack' }))).toMatch(/is 124 characters; CloudFormation allows 128; with onUnsafe "new-stack" a new generation adds 9 characters, so at most 119 are left/);
  });
});
