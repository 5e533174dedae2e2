import { App } from 'aws-cdk-lib';
import { readSettings } from '../../infra/settings';

const CONNECTION_ARN = 'arn:aws:codeconnections:eu-west-1:111122223333:connection/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';

function settings(context: Record<string, unknown>) {
  return readSettings(new App({ context }));
}

describe('the app\'s context', () => {
  test('by default: the orchestrator alone, keeping its data, with the sample service role policy', () => {
    expect(settings({})).toEqual({
      orchestrator: { retainData: true, stackNamePatterns: undefined, eventMode: true, artifactStores: undefined, serviceRole: undefined },
    });
  });

  test('eventMode=false leaves event mode out (deployments poll)', () => {
    expect(settings({ eventMode: 'false' }).orchestrator.eventMode).toBe(false);
    expect(() => settings({ eventMode: 'no' })).toThrow(/eventMode must be true or false/);
  });

  test('samplePipeline=true adds the sample pipeline, with an S3 source', () => {
    expect(settings({ samplePipeline: 'true' }).samplePipeline).toEqual({ retainData: true, gitHub: undefined });
    expect(settings({ samplePipeline: true }).samplePipeline).toBeDefined();
    expect(settings({ samplePipeline: 'false' }).samplePipeline).toBeUndefined();
  });

  test('connectionArn and repo make the source GitHub, on main unless a branch is given', () => {
    expect(settings({ samplePipeline: 'true', connectionArn: CONNECTION_ARN, repo: 'octo-org/app' }).samplePipeline?.gitHub).toEqual({
      connectionArn: CONNECTION_ARN,
      owner: 'octo-org',
      repo: 'app',
      branch: 'main',
    });
  });

  test('lists are comma-separated', () => {
    const { orchestrator } = settings({
      artifactBuckets: 'pipeline-artifacts-a, pipeline-artifacts-b',
      stackNamePatterns: 'test-*,prod-*',
      serviceRoleManagedPolicies: 'arn:aws:iam::aws:policy/PowerUserAccess',
      retainData: 'false',
    });
    expect(orchestrator).toEqual({
      retainData: false,
      stackNamePatterns: ['test-*', 'prod-*'],
      eventMode: true,
      artifactStores: [{ bucketName: 'pipeline-artifacts-a' }, { bucketName: 'pipeline-artifacts-b' }],
      serviceRole: { managedPolicyArns: ['arn:aws:iam::aws:policy/PowerUserAccess'] },
    });
  });

  test.each([
    [{ samplePipeline: 'yes' }, /samplePipeline must be true or false/],
    [{ samplePipeline: 'true', repo: 'octo-org/app' }, /needs both context connectionArn .* and repo/],
    [{ samplePipeline: 'true', connectionArn: 'github.com/octo-org', repo: 'octo-org/app' }, /connectionArn must be a connection ARN/],
    [{ samplePipeline: 'true', connectionArn: CONNECTION_ARN, repo: 'app' }, /repo must be owner\/name/],
    [{ samplePipeline: 'true', branch: 'main' }, /branch needs connectionArn and repo/],
  ])('refuses %j', (context, message) => {
    expect(() => settings(context)).toThrow(message);
  });
});
