import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { currentCloudFormation, inTargetOf, sessionNameFor } from '../../../functions/shared/target';

describe('deployment targets', () => {
  it('names the session after the deployment\'s change set (deploy-<execution>), within STS\'s 64 characters and alphabet', () => {
    expect(sessionNameFor('deploy-codepipeline-44c89859-b89b-4343-9ca5-0968dfd47c76')).toBe('deploy-codepipeline-44c89859-b89b-4343-9ca5-0968dfd47c76');
    expect(sessionNameFor(`deploy-${'x'.repeat(100)}`)).toHaveLength(64);
    expect(sessionNameFor('deploy-a b/c')).toBe('deploy-a-b-c');
    expect(sessionNameFor(undefined)).toBe('deploy-orchestrator');
  });

  it('sends to the orchestrator\'s own client outside a deployment, and without a target', async () => {
    const own = currentCloudFormation();
    expect(own).toBeInstanceOf(CloudFormationClient);
    await inTargetOf({ changeSetName: 'deploy-1' }, async () => expect(currentCloudFormation()).toBe(own));
  });

  it('makes one client per invocation for a target, in its region, and never shares it with another invocation', async () => {
    const target = { roleArn: 'arn:aws:iam::222222222222:role/SafeDeployTarget-DeployRole', region: 'eu-west-1', account: '222222222222' };
    const seen: CloudFormationClient[] = [];
    await inTargetOf({ target, changeSetName: 'deploy-1' }, async () => {
      seen.push(currentCloudFormation(), currentCloudFormation());
      expect(await currentCloudFormation().config.region()).toBe('eu-west-1');
    });
    await inTargetOf({ target, changeSetName: 'deploy-1' }, async () => {
      seen.push(currentCloudFormation());
    });
    expect(seen[0]).toBe(seen[1]);
    expect(seen[2]).not.toBe(seen[0]);
    expect(seen[0]).not.toBe(currentCloudFormation());
  });
});
