import { SafetyPolicySchema } from '../../../functions/shared/input';
import { CloudFormationClient, DescribeChangeSetCommand, type Change } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { describeOffending, inspectChangeSet, rejectionMessage } from '../../../functions/shared/inspection';
import { MAX_CHANGES_IN_OUTPUT, MAX_INSPECTION_LIST_BYTES } from '../../../functions/shared/limits';
import { CHANGE_SET_ID, STACK_NAME } from '../../helpers/aws';
import { changeSetPage, changeSetState, deployment, offendingChange, publishedChangeSet, resourceChange, unsafeInspection } from '../helpers';

const cfn = mockClient(CloudFormationClient);

const ROOT = publishedChangeSet('cfn-dcs-awsdocs-nested-root.json');
const CHILD = publishedChangeSet('cfn-dcs-awsdocs-nested-child.json');

/** Our change set (by ARN) holds the changes of this published change set. */
function givenChanges(changes: Change[] | undefined): void {
  cfn.on(DescribeChangeSetCommand, { ChangeSetName: CHANGE_SET_ID }).resolves(changeSetPage('CREATE_COMPLETE', changes));
}

beforeEach(() => {
  cfn.reset();
});

describe('inspectChangeSet', () => {
  it('finds the published add-and-remove change set unsafe, naming the removed instance only', async () => {
    givenChanges(publishedChangeSet('cfn-dcs-awsdocs-add-remove.json').Changes);

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection.safe).toBe(false);
    expect(inspection.changeCount).toBe(3);
    expect(inspection.truncated).toBe(false);
    expect(inspection.changes.map((c) => `${c.action} ${c.logicalResourceId}`)).toEqual(['Add AutoScalingGroup', 'Add LaunchConfig', 'Remove MyEC2Instance']);
    expect(inspection.offending).toEqual([
      {
        logicalResourceId: 'MyEC2Instance',
        resourceType: 'AWS::EC2::Instance',
        action: 'Remove',
        physicalResourceId: 'i-1abc23d4',
        rule: 'removal',
        reason: 'deletes the resource',
        causes: [],
      },
    ]);
    expect(inspection.summary).toBe('1 of 3 change(s) would remove or replace a resource: MyEC2Instance.');
  });

  it('keeps the published PolicyAction, physical id and the properties that force the replacement', async () => {
    givenChanges(publishedChangeSet('cfn-dcs-localstack-replacement-true-policyaction.json').Changes);

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection.offending).toEqual([
      {
        logicalResourceId: 'topic123',
        resourceType: 'AWS::SNS::Topic',
        action: 'Modify',
        replacement: 'True',
        physicalResourceId: 'arn:<partition>:sns:<region>:111111111111:<resource:2>',
        policyAction: 'ReplaceAndDelete',
        rule: 'replacement',
        reason: 'replaces the resource (a new one is created and the old one deleted)',
        causes: ['Properties.TopicName (always replaces, ParameterReference TopicName)', 'Properties.TopicName (always replaces, DirectModification)'],
      },
    ]);
  });

  it('names every offending resource of the published Conditional-and-Remove change set', async () => {
    givenChanges(publishedChangeSet('cfn-dcs-real-secrets-conditional-remove-add.json').Changes);

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection.offending.map((o) => [o.logicalResourceId, o.rule])).toEqual([
      ['Secret1', 'removal'],
      ['Secret222', 'conditional-replacement'],
    ]);
    expect(inspection.summary).toBe('2 of 3 change(s) would remove or replace a resource: Secret1, Secret222.');
  });

  it('finds a change set safe when the policy allows its removals and replacements, and still lists every change', async () => {
    givenChanges(publishedChangeSet('cfn-dcs-real-secrets-conditional-remove-add.json').Changes);

    const inspection = await inspectChangeSet(
      deployment({ safetyPolicy: SafetyPolicySchema.parse({ allowRemoval: ['Secret1'], allowReplacement: ['AWS::SecretsManager::Secret'], unprotect: ['AWS::SecretsManager::Secret'] }) }),
      changeSetState(),
    );

    expect(inspection.safe).toBe(true);
    expect(inspection.offending).toEqual([]);
    expect(inspection.changes).toHaveLength(3);
    expect(inspection.summary).toBe('3 change(s), none removes or replaces a protected resource: safe to execute.');
  });

  it('follows a nested stack into its own change set (published root and child) and prefixes the child\'s logical ids with the parent\'s', async () => {
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: ROOT.ChangeSetId }).resolves(ROOT);
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: CHILD.ChangeSetId }).resolves(CHILD);

    const inspection = await inspectChangeSet(deployment(), changeSetState({ id: ROOT.ChangeSetId! }));

    expect(inspection.safe).toBe(true);
    expect(inspection.changes).toEqual([
      {
        logicalResourceId: 'ChildStack',
        resourceType: 'AWS::CloudFormation::Stack',
        action: 'Modify',
        replacement: 'False',
        physicalResourceId: 'arn:aws:cloudformation:us-west-2:123456789012:stack/my-nested-stack/d0a825a0-e4cd-xmpl-b9fb-061c69e99205',
        verdict: 'allowed',
        rule: 'in-place-modify',
        reason: 'modifies the resource in place',
        causes: [],
      },
      {
        logicalResourceId: 'ChildStack/function',
        resourceType: 'AWS::Lambda::Function',
        action: 'Modify',
        replacement: 'False',
        physicalResourceId: 'my-function',
        verdict: 'allowed',
        rule: 'in-place-modify',
        reason: 'modifies the resource in place',
        causes: [],
      },
    ]);
    expect(cfn.commandCalls(DescribeChangeSetCommand).map((call) => call.args[0].input.ChangeSetName)).toEqual([ROOT.ChangeSetId, CHILD.ChangeSetId]);
  });

  it('finds a replacement inside a nested stack, where the parent\'s own change looks harmless', async () => {
    const replacedInChild = { ...CHILD, Changes: [resourceChange({ ...CHILD.Changes![0].ResourceChange, Replacement: 'True' })] };
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: ROOT.ChangeSetId }).resolves(ROOT);
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: CHILD.ChangeSetId }).resolves(replacedInChild);

    const inspection = await inspectChangeSet(deployment(), changeSetState({ id: ROOT.ChangeSetId! }));

    expect(inspection.safe).toBe(false);
    expect(inspection.offending.map((o) => [o.logicalResourceId, o.rule])).toEqual([['ChildStack/function', 'replacement']]);
  });

  it('allows a nested resource by its path, and not by its bare logical id', async () => {
    const replacedInChild = { ...CHILD, Changes: [resourceChange({ ...CHILD.Changes![0].ResourceChange, Replacement: 'True' })] };
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: ROOT.ChangeSetId }).resolves(ROOT);
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: CHILD.ChangeSetId }).resolves(replacedInChild);

    const byPath = await inspectChangeSet(deployment({ safetyPolicy: SafetyPolicySchema.parse({ allowReplacement: ['ChildStack/function'] }) }), changeSetState({ id: ROOT.ChangeSetId! }));
    const byBareId = await inspectChangeSet(deployment({ safetyPolicy: SafetyPolicySchema.parse({ allowReplacement: ['function'] }) }), changeSetState({ id: ROOT.ChangeSetId! }));

    expect(byPath.safe).toBe(true);
    expect(byBareId.safe).toBe(false);
  });

  it('judges every page: an unsafe change only on the second page is found', async () => {
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_COMPLETE', [resourceChange({ Action: 'Add', LogicalResourceId: 'Queue', ResourceType: 'AWS::SQS::Queue' })], { NextToken: 'page-2' }));
    cfn.on(DescribeChangeSetCommand, { NextToken: 'page-2' }).resolves(
      changeSetPage('CREATE_COMPLETE', [resourceChange({ Action: 'Remove', LogicalResourceId: 'Table', ResourceType: 'AWS::DynamoDB::Table', PolicyAction: 'Delete' })]),
    );

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection.safe).toBe(false);
    expect(inspection.offending.map((o) => o.logicalResourceId)).toEqual(['Table']);
  });

  it('describes our change set by name and stack when it has no ARN', async () => {
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_COMPLETE', []));

    await inspectChangeSet(deployment(), changeSetState({ id: 'deploy-exec-1' }));

    expect(cfn.commandCalls(DescribeChangeSetCommand)[0].args[0].input).toMatchObject({ ChangeSetName: 'deploy-exec-1', StackName: STACK_NAME });
  });

  it(`keeps the first ${MAX_CHANGES_IN_OUTPUT} changes in its output and says it cut the list, but judges them all`, async () => {
    const adds = Array.from({ length: MAX_CHANGES_IN_OUTPUT }, (_, i) => resourceChange({ Action: 'Add', LogicalResourceId: `Queue${i}`, ResourceType: 'AWS::SQS::Queue' }));
    givenChanges([...adds, resourceChange({ Action: 'Remove', LogicalResourceId: 'LastTable', ResourceType: 'AWS::DynamoDB::Table' })]);

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection.changeCount).toBe(MAX_CHANGES_IN_OUTPUT + 1);
    expect(inspection.changes).toHaveLength(MAX_CHANGES_IN_OUTPUT);
    expect(inspection.truncated).toBe(true);
    expect(inspection.offending.map((o) => o.logicalResourceId)).toEqual(['LastTable']);
  });

  it('is not truncated at exactly the limit', async () => {
    givenChanges(Array.from({ length: MAX_CHANGES_IN_OUTPUT }, (_, i) => resourceChange({ Action: 'Add', LogicalResourceId: `Q${i}`, ResourceType: 'AWS::SQS::Queue' })));

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection).toMatchObject({ safe: true, changeCount: MAX_CHANGES_IN_OUTPUT, truncated: false });
  });

  it('reads an empty change set as safe with no changes', async () => {
    givenChanges(undefined);

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection).toEqual({
      safe: true,
      changeCount: 0,
      changes: [],
      counts: { removals: 0, replacements: 0, blocked: 0 },
      truncated: false,
      offending: [],
      offendingCount: 0,
      summary: '0 change(s), none removes or replaces a protected resource: safe to execute.',
    });
  });

  it('names a change that lacks its fields, and finds it unsafe', async () => {
    givenChanges([resourceChange({})]);

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection.offending).toEqual([
      expect.objectContaining({ logicalResourceId: '(unknown)', resourceType: '(unknown type)', action: '(no action)', rule: 'unknown-action' }),
    ]);
  });
});

describe('describeOffending', () => {
  it('writes one line: logical id, type, physical id, action, replacement, policy action, reason and causes', () => {
    const line = describeOffending(
      offendingChange({
        logicalResourceId: 'topic123',
        resourceType: 'AWS::SNS::Topic',
        physicalResourceId: 'arn:aws:sns:us-east-1:123456789012:topic',
        action: 'Modify',
        replacement: 'True',
        policyAction: 'ReplaceAndDelete',
        rule: 'replacement',
        reason: 'replaces the resource',
        causes: ['Properties.TopicName (always replaces, DirectModification)'],
      }),
    );

    expect(line).toBe(
      '- topic123 (AWS::SNS::Topic) [arn:aws:sns:us-east-1:123456789012:topic]: Modify, Replacement True, PolicyAction ReplaceAndDelete: replaces the resource; forced by Properties.TopicName (always replaces, DirectModification)',
    );
  });

  it('leaves out what the change does not have', () => {
    const line = describeOffending(offendingChange({ physicalResourceId: undefined }));

    expect(line).toBe('- MyEC2Instance (AWS::EC2::Instance): Remove: deletes the resource');
  });
});

describe('rejectionMessage', () => {
  it('says the change set was deleted, not executed, lists each offending resource and how to allow it', () => {
    const inspection = unsafeInspection([offendingChange(), offendingChange({ logicalResourceId: 'Secret1', resourceType: 'AWS::SecretsManager::Secret', physicalResourceId: undefined })]);

    const message = rejectionMessage(deployment(), changeSetState(), inspection);

    expect(message.split('\n')).toEqual([
      'Change set deploy-exec-1 on stack prod-app was rejected and deleted, not executed: 2 resource change(s) would remove or replace resources.',
      '- MyEC2Instance (AWS::EC2::Instance) [i-1abc23d4]: Remove: deletes the resource',
      '- Secret1 (AWS::SecretsManager::Secret): Remove: deletes the resource',
      'Nothing was changed. If these removals or replacements are intended, list the logical ids (or resource types) in the input document\'s safetyPolicy.allowRemoval / safetyPolicy.allowReplacement and run the deployment again.',
    ]);
  });
});

describe('inspectChangeSet: what it cannot read is unsafe', () => {
  it('a change that carries no ResourceChange (a type this deployer does not know) makes the change set unsafe', async () => {
    givenChanges([{ Type: 'Resource' }, { Type: 'SomethingNew' as never }]);

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection.safe).toBe(false);
    expect(inspection.offending).toHaveLength(2);
    expect(inspection.offending[1]).toMatchObject({ rule: 'unknown-action', action: 'SomethingNew' });
  });
});

describe('inspectChangeSet: a very large rejection stays within the state payload', () => {
  it('keeps at most MAX_CHANGES_IN_OUTPUT offending changes, counts them all, and the message says how many were left out', async () => {
    const removals = Array.from({ length: MAX_CHANGES_IN_OUTPUT + 50 }, (_, i) =>
      resourceChange({ Action: 'Remove', LogicalResourceId: `Queue${i}`, ResourceType: 'AWS::SQS::Queue' }),
    );
    givenChanges(removals);

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection.offending).toHaveLength(MAX_CHANGES_IN_OUTPUT);
    expect(inspection.offendingCount).toBe(MAX_CHANGES_IN_OUTPUT + 50);
    const message = rejectionMessage(deployment(), changeSetState(), inspection);
    expect(message).toContain(`${MAX_CHANGES_IN_OUTPUT + 50} resource change(s) would remove or replace resources`);
    expect(message).toMatch(/… and \d+ more/);
    expect(message.length).toBeLessThan(20_000);
  });
  it('keeps its lists within the byte budget when every change is large, and still counts them all exactly', async () => {
    // Real physical ids of a big stack are long ARNs; every replacement of a protected type carries its reason too.
    const longArn = (i: number) => `arn:aws:dynamodb:eu-west-1:123456789012:table/${'orders-archive-'.repeat(12)}${i}`;
    const replaced = Array.from({ length: MAX_CHANGES_IN_OUTPUT }, (_, i) =>
      resourceChange({
        Action: 'Modify',
        Replacement: 'True',
        PolicyAction: 'ReplaceAndRetain',
        LogicalResourceId: `ArchiveTable${i}`,
        PhysicalResourceId: longArn(i),
        ResourceType: 'AWS::DynamoDB::Table',
        Details: [{ Target: { Attribute: 'Properties', Name: 'TableName', RequiresRecreation: 'Always' }, Evaluation: 'Static', ChangeSource: 'DirectModification' }],
      }),
    );
    givenChanges(replaced);

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    const listBytes = Buffer.byteLength(JSON.stringify(inspection.changes)) + Buffer.byteLength(JSON.stringify(inspection.offending));
    expect(listBytes).toBeLessThanOrEqual(MAX_INSPECTION_LIST_BYTES);
    expect(inspection.offending.length).toBeGreaterThan(0);
    expect(inspection.offending.length).toBeLessThan(MAX_CHANGES_IN_OUTPUT);
    expect(inspection).toMatchObject({ changeCount: MAX_CHANGES_IN_OUTPUT, offendingCount: MAX_CHANGES_IN_OUTPUT, truncated: true, counts: { replacements: MAX_CHANGES_IN_OUTPUT, blocked: MAX_CHANGES_IN_OUTPUT } });
    const message = rejectionMessage(deployment(), changeSetState(), inspection);
    expect(message).toContain(`${MAX_CHANGES_IN_OUTPUT} resource change(s) would remove or replace resources`);
    expect(message).toContain(`… and ${MAX_CHANGES_IN_OUTPUT - Math.min(50, inspection.offending.length)} more`);
  });
});

describe('the decision record', () => {
  it('gives every change its verdict, rule and deciding entry, and counts removals, replacements and blocked changes', async () => {
    givenChanges(publishedChangeSet('cfn-dcs-real-secrets-conditional-remove-add.json').Changes);

    const inspection = await inspectChangeSet(deployment({ safetyPolicy: SafetyPolicySchema.parse({ allowRemoval: ['Secret1'] }) }), changeSetState());

    expect(inspection.changes.map((change) => [change.logicalResourceId, change.action, change.verdict, change.rule, change.matched])).toEqual(
      publishedChangeSet('cfn-dcs-real-secrets-conditional-remove-add.json').Changes!.map((change) => {
        const resource = change.ResourceChange!;
        if (resource.Action === 'Add') return [resource.LogicalResourceId, 'Add', 'allowed', 'add', undefined];
        if (resource.Action === 'Remove') return [resource.LogicalResourceId, 'Remove', 'blocked', 'removal', 'built-in protected type: AWS::SecretsManager::Secret'];
        return [resource.LogicalResourceId, 'Modify', 'blocked', 'conditional-replacement', 'built-in protected type: AWS::SecretsManager::Secret'];
      }),
    );
    expect(inspection.counts).toEqual({
      removals: inspection.changes.filter((change) => change.action === 'Remove').length,
      replacements: inspection.changes.filter((change) => change.action === 'Modify').length,
      blocked: inspection.offendingCount,
    });
  });
});
