import type { App } from 'aws-cdk-lib';
import type { OrchestratorStackProps } from './orchestrator-stack';
import type { TargetAccountStackProps } from './target-account-stack';
import type { GitHubSource, SamplePipelineSettings } from './pipeline-stack';

/**
 * The app's settings, from context (`-c key=value` or `cdk.json`):
 *
 * | key | meaning |
 * |---|---|
 * | `samplePipeline=true` | also deploy the sample pipeline stack |
 * | `connectionArn`, `repo=owner/name`, `branch` | its source: a GitHub repository through a CodeStar connection (default: an S3 bucket) |
 * | `artifactBuckets=name,name` | artifact buckets of your own pipelines, which the deployments read |
 * | `serviceRoleManagedPolicies=arn,arn` | managed policies for the CloudFormation service role, instead of the sample's policy |
 * | `stackNamePatterns=test-*,prod-*` | the stacks the deployer may touch (default: all) |
 * | `targetAccounts=111111111111,222222222222` | workload accounts deployments may target (targetRoleArn) |
 * | `targetRolePattern=SafeDeployTarget-*` | the role names the task functions may assume there |
 * | `orchestratorAccount=111111111111` | also define the target-account stack SafeDeployTarget, for that orchestrator |
 * | `eventMode=false` | no stack event resources (wait table, status change rule, completion function): deployments poll |
 * | `retainData=false` | delete buckets and log groups with the stacks (default: keep them) |
 */
export interface Settings {
  readonly orchestrator: OrchestratorStackProps;
  readonly samplePipeline?: SamplePipelineSettings;
}

export const DEFAULT_BRANCH = 'main';

export function readSettings(app: App): Settings {
  const text = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    return String(value).trim();
  };
  const list = (key: string): string[] | undefined => {
    const value = text(key);
    return value === undefined ? undefined : value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  };
  const flag = (key: string, fallback: boolean): boolean => {
    const value = text(key);
    if (value === undefined) return fallback;
    if (value === 'true' || value === 'false') return value === 'true';
    throw new Error(`Context ${key} must be true or false, not "${value}"`);
  };

  const retainData = flag('retainData', true);
  const managedPolicyArns = list('serviceRoleManagedPolicies');
  const orchestrator: OrchestratorStackProps = {
    retainData,
    stackNamePatterns: list('stackNamePatterns'),
    eventMode: flag('eventMode', true),
    ...targetSettings(list('targetAccounts'), text('targetRolePattern')),
    artifactStores: list('artifactBuckets')?.map((bucketName) => ({ bucketName })),
    serviceRole: managedPolicyArns ? { managedPolicyArns } : undefined,
  };
  if (!flag('samplePipeline', false)) return { orchestrator };
  return { orchestrator, samplePipeline: { retainData, gitHub: gitHubSource(text('connectionArn'), text('repo'), text('branch')) } };
}

function accountId(value: string, key: string): string {
  if (!/^\d{12}$/.test(value)) throw new Error(`Context ${key} must be 12-digit account ids, not "${value}"`);
  return value;
}

function targetSettings(accounts: string[] | undefined, rolePattern: string | undefined): Pick<OrchestratorStackProps, 'targetAccounts' | 'targetRolePattern'> {
  return {
    ...(accounts ? { targetAccounts: accounts.map((account) => accountId(account, 'targetAccounts')) } : {}),
    ...(rolePattern ? { targetRolePattern: rolePattern } : {}),
  };
}

/** The target-account stack's settings, when `orchestratorAccount` names the orchestrator it serves. */
export function readTargetSettings(app: App): TargetAccountStackProps | undefined {
  const text = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value).trim();
  };
  const orchestratorAccount = text('orchestratorAccount');
  if (!orchestratorAccount) return undefined;
  const managedPolicyArns = text('serviceRoleManagedPolicies')?.split(',').map((arn) => arn.trim()).filter(Boolean);
  return {
    orchestratorAccount: accountId(orchestratorAccount, 'orchestratorAccount'),
    ...(text('orchestratorRegion') ? { orchestratorRegion: text('orchestratorRegion') } : {}),
    ...(text('externalId') ? { externalId: text('externalId') } : {}),
    ...(text('deployRoleName') ? { deployRoleName: text('deployRoleName') } : {}),
    ...(managedPolicyArns?.length ? { serviceRole: { managedPolicyArns } } : {}),
  };
}

function gitHubSource(connectionArn: string | undefined, repo: string | undefined, branch: string | undefined): GitHubSource | undefined {
  if (connectionArn === undefined && repo === undefined) {
    if (branch !== undefined) throw new Error('Context branch needs connectionArn and repo (a GitHub source); the S3 source has no branch');
    return undefined;
  }
  if (connectionArn === undefined || repo === undefined) {
    throw new Error('A GitHub source needs both context connectionArn (a CodeStar connection ARN) and repo (owner/name)');
  }
  if (!/^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/.test(connectionArn)) {
    throw new Error(`Context connectionArn must be a connection ARN, arn:aws:codeconnections:<region>:<account>:connection/<id>, not "${connectionArn}"`);
  }
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repo);
  if (!match) throw new Error(`Context repo must be owner/name, like octo-org/my-app, not "${repo}"`);
  return { connectionArn, owner: match[1], repo: match[2], branch: branch ?? DEFAULT_BRANCH };
}
