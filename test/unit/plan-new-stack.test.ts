import { CloudFormationClient, DeleteChangeSetCommand, DescribeStacksCommand, ListStackResourcesCommand, ListStacksCommand, type StackSummary } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/plan-new-stack/handler';
import { handler as findLiveGeneration } from '../../functions/find-live-generation/handler';
import { NameCollisionError, TooManyStacksError } from '../../functions/shared/errors';
import { STACK_ID, artifactZip, defaultArtifact, s3Object } from '../helpers/aws';
import { changeSetState, commandsSent, deployment, rejectionOf, sha256, stackCheck, unsafeInspection } from './helpers';
import type { Deployment, Generation } from '../../functions/shared/state';

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);

const summary = (name: string, status: string, created: string): StackSummary => ({
  StackName: name,
  StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${name}/${created}`,
  StackStatus: status as StackSummary['StackStatus'],
  CreationTime: new Date(created),
});

const LIVE = summary('prod-app', 'UPDATE_COMPLETE', '2026-11-01T10:00:00.000Z');
const generations = (stacks: Generation[] = []) => ({ lineage: 'prod-app', live: 'prod-app', stacks });

function event(overrides: Partial<Deployment> = {}, stackId = STACK_ID) {
  return {
    deployment: deployment({ onUnsafe: 'new-stack', maxStacks: 2, generations: generations(), ...overrides }),
    stack: stackCheck({ stackId }),
    changeSet: changeSetState({ status: 'CREATE_COMPLETE', outcome: 'READY', stackId }),
    inspection: unsafeInspection(),
  };
}

beforeEach(() => {
  cfn.reset();
  s3.reset();
  s3.on(GetObjectCommand).resolves(s3Object(defaultArtifact()));
  cfn.on(ListStacksCommand).resolves({ StackSummaries: [LIVE] });
  cfn.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [{ LogicalResourceId: 'Topic', ResourceType: 'AWS::SNS::Topic', PhysicalResourceId: 'arn:aws:sns:us-east-1:123456789012:prod-app-Topic-1', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() }] });
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'prod-app', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: [] }] });
  cfn.on(DeleteChangeSetCommand).resolves({});
});

describe('Plan New Stack', () => {
  it('checks generations and names, then deletes the unsafe change set and points the deployment at <lineage>-<suffix>', async () => {
    const planned = await handler(event());

    expect(commandsSent(cfn)).toEqual(['ListStacks', 'ListStackResources', 'DescribeStacks', 'DeleteChangeSet']);
    expect(cfn.commandCalls(ListStackResourcesCommand)[0].args[0].input.StackName).toBe('prod-app');
    expect(planned.stackName).toMatch(/^prod-app-[0-9a-f]{8}$/);
    expect(planned.newStack).toEqual({ previousStackName: 'prod-app', previousStackId: STACK_ID, suffix: planned.stackName.slice(-8), reason: unsafeInspection().summary.replace(/\.$/, '') });
    // Everything else is the deployment as validated: same template, parameters and tags.
    expect({ ...planned, stackName: 'prod-app', newStack: undefined }).toEqual({ ...event().deployment, newStack: undefined });
  });

  it('gives the same revision beside the same live stack the same name (a retried job), and another live stack another', async () => {
    const first = await handler(event());
    const again = await handler(event());
    const besideAnother = await handler(event({}, `${STACK_ID}-other`));
    const otherRevision = await handler(event({ parameters: [{ ParameterKey: 'TableName', ParameterValue: 'users-v2' }] }));

    expect(again.stackName).toBe(first.stackName);
    expect(besideAnother.stackName).not.toBe(first.stackName);
    expect(otherRevision.stackName).not.toBe(first.stackName);
  });

  it('refuses to go over maxStacks, listing the generations, before reading anything else or deleting anything', async () => {
    cfn.on(ListStacksCommand).resolves({
      StackSummaries: [LIVE, summary('prod-app-0a1b2c3d', 'CREATE_COMPLETE', '2026-11-20T10:00:00.000Z'), summary('prod-application', 'CREATE_COMPLETE', '2026-11-02T10:00:00.000Z'), summary('prod-app-extra', 'CREATE_COMPLETE', '2026-11-03T10:00:00.000Z')],
    });

    const error = await rejectionOf(handler(event()));

    expect(error).toBeInstanceOf(TooManyStacksError);
    expect(error.message).toContain('prod-app already has 2 generation(s): prod-app (UPDATE_COMPLETE, created 2026-11-01T10:00:00.000Z), prod-app-0a1b2c3d (CREATE_COMPLETE, created 2026-11-20T10:00:00.000Z)');
    expect(error.message).toMatch(/would make 3, over maxStacks 2\. Delete the generations no longer in use .* or raise maxStacks/);
    expect(error.message).not.toContain('prod-application');
    expect(commandsSent(cfn)).toEqual(['ListStacks']);
  });

  it('counts a failed earlier attempt at the same new stack once: it is recreated, not added', async () => {
    const name = (await handler(event())).stackName;
    cfn.resetHistory();
    cfn.on(ListStacksCommand).resolves({ StackSummaries: [LIVE, summary(name, 'ROLLBACK_COMPLETE', '2026-11-20T10:00:00.000Z')] });

    const planned = await handler(event());

    expect(planned.stackName).toBe(name);
    expect(commandsSent(cfn)).toContain('DeleteChangeSet');
  });

  it('reads every page of ListStacks', async () => {
    cfn.on(ListStacksCommand).resolvesOnce({ StackSummaries: [LIVE], NextToken: 'page-2' }).resolves({ StackSummaries: [summary('prod-app-0a1b2c3d', 'CREATE_COMPLETE', '2026-11-20T10:00:00.000Z')] });

    await expect(handler(event())).rejects.toBeInstanceOf(TooManyStacksError);
    expect(cfn.commandCalls(ListStacksCommand)[1].args[0].input.NextToken).toBe('page-2');
    expect(cfn.commandCalls(ListStacksCommand)[0].args[0].input.StackStatusFilter).not.toContain('DELETE_COMPLETE');
  });

  it('stops on a fixed name the live stack holds, naming it and how to fix it; the change set is left for Clean Up', async () => {
    cfn.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [{ LogicalResourceId: 'Table', ResourceType: 'AWS::DynamoDB::Table', PhysicalResourceId: 'users', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() }] });

    const error = await rejectionOf(handler(event()));

    expect(error).toBeInstanceOf(NameCollisionError);
    expect(error.message).toContain('Table (AWS::DynamoDB::Table TableName "users"), held by its resource Table (users)');
    expect(error.message).toContain('Nothing was created; prod-app is untouched.');
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
  });

  it('stops on an export name the live stack exports', async () => {
    const withExport = 'Resources:\n  Topic:\n    Type: AWS::SNS::Topic\nOutputs:\n  TopicArn:\n    Value: !Ref Topic\n    Export:\n      Name: shared-topic\n';
    s3.on(GetObjectCommand).resolves(s3Object(artifactZip({ 'infra/template.yaml': withExport })));
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'prod-app', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'Arn', OutputValue: 'x', ExportName: 'shared-topic' }] }] });

    const error = await rejectionOf(
      handler(event({ templateConfigurationPath: undefined, template: { bytes: withExport.length, sha256: sha256(withExport), resourceCount: 1 }, parameters: [] })),
    );

    expect(error).toBeInstanceOf(NameCollisionError);
    expect(error.message).toContain('Outputs.TopicArn (output export name "shared-topic"), held by its export shared-topic (output Arn)');
  });
});

describe('Find Live Generation', () => {
  const find = (stacks: StackSummary[]) => {
    cfn.on(ListStacksCommand).resolves({ StackSummaries: stacks });
    return findLiveGeneration({ deployment: deployment({ onUnsafe: 'new-stack' }) });
  };

  it('points the deployment at the newest generation that completed its create', async () => {
    const found = await find([summary('prod-app-0a1b2c3d', 'UPDATE_ROLLBACK_COMPLETE', '2026-11-20T10:00:00.000Z'), LIVE, summary('prod-app-99999999', 'ROLLBACK_COMPLETE', '2026-11-25T10:00:00.000Z'), summary('dev-app', 'CREATE_COMPLETE', '2026-11-26T10:00:00.000Z')]);

    expect(found.stackName).toBe('prod-app-0a1b2c3d');
    expect(found.generations).toEqual({
      lineage: 'prod-app',
      live: 'prod-app-0a1b2c3d',
      stacks: [
        expect.objectContaining({ stackName: 'prod-app', status: 'UPDATE_COMPLETE' }),
        expect.objectContaining({ stackName: 'prod-app-0a1b2c3d' }),
        expect.objectContaining({ stackName: 'prod-app-99999999', status: 'ROLLBACK_COMPLETE' }),
      ],
    });
  });

  it('keeps the stack the input names when it has no generations (or does not exist yet)', async () => {
    const found = await find([]);

    expect(found.stackName).toBe('prod-app');
    expect(found.generations).toEqual({ lineage: 'prod-app', live: 'prod-app', stacks: [] });
  });

  it('a retried task starts again from the lineage, not from the generation it found', async () => {
    cfn.on(ListStacksCommand).resolves({ StackSummaries: [LIVE] });
    const found = await findLiveGeneration({ deployment: deployment({ stackName: 'prod-app-0a1b2c3d', generations: generations() }) });

    expect(found.stackName).toBe('prod-app');
  });
});
