import { CloudFormationClient, DescribeChangeSetCommand, type Change } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { describeDecision, fitDecisionRecord, inspectChangeSet, rejectionMessage } from '../../../functions/shared/inspection';
import { judgeChanges } from '../../../functions/shared/safety-policy';
import { DEFAULT_SAFETY_POLICY, type SafetyPolicy } from '../../../functions/shared/safety-policy-schema';
import { MAX_CHANGES_IN_OUTPUT, MAX_DECISION_RECORD_BYTES } from '../../../functions/shared/limits';
import { CHANGE_SET_ID, STACK_NAME } from '../../helpers/aws';
import { changeSetPage, changeSetState, deployment, blockedChange, publishedChangeSet, resourceChange, unsafeInspection } from '../helpers';

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

const policy = (overrides: Partial<SafetyPolicy>): SafetyPolicy => ({ ...DEFAULT_SAFETY_POLICY, ...overrides });
const blockedIds = (inspection: { decision: { changes: Array<{ verdict: string; nestedPath: string; logicalResourceId: string }> } }) =>
  inspection.decision.changes.filter((c) => c.verdict === 'BLOCKED').map((c) => (c.nestedPath ? `${c.nestedPath}/${c.logicalResourceId}` : c.logicalResourceId));

describe('inspectChangeSet', () => {
  it('finds the published add-and-remove change set unsafe, naming the removed instance only, and records every change', async () => {
    givenChanges(publishedChangeSet('cfn-dcs-awsdocs-add-remove.json').Changes);

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection).toMatchObject({ safe: false, changeCount: 3, offendingCount: 1 });
    expect(inspection.decision.verdict).toBe('BLOCKED');
    expect(inspection.decision.omitted).toBe(0);
    expect(inspection.decision.counts).toEqual({ changes: 3, adds: 2, inPlaceModifications: 0, replacements: 0, removals: 1, undetermined: 0, blocked: 1 });
    // Blocked first, then the rest in change set order.
    expect(inspection.decision.changes.map((c) => `${c.verdict} ${c.action} ${c.logicalResourceId}`)).toEqual([
      'BLOCKED Remove MyEC2Instance',
      'ALLOWED Add AutoScalingGroup',
      'ALLOWED Add LaunchConfig',
    ]);
    expect(inspection.decision.changes[0]).toEqual({
      nestedPath: '',
      logicalResourceId: 'MyEC2Instance',
      physicalResourceId: 'i-1abc23d4',
      resourceType: 'AWS::EC2::Instance',
      action: 'Remove',
      causes: [],
      kind: 'removal',
      rule: 'not-allowed',
      verdict: 'BLOCKED',
      explanation: 'deletes the resource; blocked: not listed in safetyPolicy.allowRemoval',
    });
    expect(inspection.summary).toBe('1 of 3 change(s) would remove or replace a resource the safety policy does not allow: MyEC2Instance.');
  });

  it('keeps the published PolicyAction, physical id and the properties that force the replacement', async () => {
    givenChanges(publishedChangeSet('cfn-dcs-localstack-replacement-true-policyaction.json').Changes);

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection.decision.changes).toEqual([
      expect.objectContaining({
        logicalResourceId: 'topic123',
        resourceType: 'AWS::SNS::Topic',
        action: 'Modify',
        replacement: 'True',
        physicalResourceId: 'arn:<partition>:sns:<region>:111111111111:<resource:2>',
        policyAction: 'ReplaceAndDelete',
        kind: 'replacement',
        verdict: 'BLOCKED',
        causes: ['Properties.TopicName (always replaces, ParameterReference TopicName)', 'Properties.TopicName (always replaces, DirectModification)'],
      }),
    ]);
  });

  it('names every blocked resource of the published Conditional-and-Remove change set, the built-in protection named as such', async () => {
    givenChanges(publishedChangeSet('cfn-dcs-real-secrets-conditional-remove-add.json').Changes);

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection.decision.changes.filter((c) => c.verdict === 'BLOCKED').map((c) => [c.logicalResourceId, c.kind, c.rule, c.matched?.source])).toEqual([
      ['Secret1', 'removal', 'built-in-protection', 'built-in protected types'],
      ['Secret222', 'conditional-replacement', 'built-in-protection', 'built-in protected types'],
    ]);
    expect(inspection.summary).toBe('2 of 3 change(s) would remove or replace a resource the safety policy does not allow: Secret1, Secret222.');
  });

  it('finds a change set safe when the policy unprotects and allows its removals and replacements, and still lists every change', async () => {
    givenChanges(publishedChangeSet('cfn-dcs-real-secrets-conditional-remove-add.json').Changes);

    const inspection = await inspectChangeSet(
      deployment({ safetyPolicy: policy({ unprotect: ['AWS::SecretsManager::Secret'], allowRemoval: ['Secret1'], allowReplacement: ['AWS::SecretsManager::Secret'] }) }),
      changeSetState(),
    );

    expect(inspection.safe).toBe(true);
    expect(inspection.offendingCount).toBe(0);
    expect(inspection.decision.changes).toHaveLength(3);
    expect(inspection.decision.changes.map((c) => c.matched?.entry)).toEqual(['Secret1', 'AWS::SecretsManager::Secret', undefined]);
    expect(inspection.summary).toBe('3 change(s), none removes or replaces anything the safety policy protects: safe to execute (1 replacement(s), 1 removal(s) allowed).');
  });

  it("follows a nested stack into its own change set (published root and child) and records the child's nested path", async () => {
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: ROOT.ChangeSetId }).resolves(ROOT);
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: CHILD.ChangeSetId }).resolves(CHILD);

    const inspection = await inspectChangeSet(deployment(), changeSetState({ id: ROOT.ChangeSetId! }));

    expect(inspection.safe).toBe(true);
    expect(inspection.decision.changes.map((c) => [c.nestedPath, c.logicalResourceId, c.resourceType, c.replacement, c.physicalResourceId])).toEqual([
      ['', 'ChildStack', 'AWS::CloudFormation::Stack', 'False', 'arn:aws:cloudformation:us-west-2:123456789012:stack/my-nested-stack/d0a825a0-e4cd-xmpl-b9fb-061c69e99205'],
      ['ChildStack', 'function', 'AWS::Lambda::Function', 'False', 'my-function'],
    ]);
    expect(cfn.commandCalls(DescribeChangeSetCommand).map((call) => call.args[0].input.ChangeSetName)).toEqual([ROOT.ChangeSetId, CHILD.ChangeSetId]);
  });

  it("finds a replacement inside a nested stack, where the parent's own change looks harmless", async () => {
    const replacedInChild = { ...CHILD, Changes: [resourceChange({ ...CHILD.Changes![0].ResourceChange, Replacement: 'True' })] };
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: ROOT.ChangeSetId }).resolves(ROOT);
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: CHILD.ChangeSetId }).resolves(replacedInChild);

    const inspection = await inspectChangeSet(deployment(), changeSetState({ id: ROOT.ChangeSetId! }));

    expect(inspection.safe).toBe(false);
    expect(blockedIds(inspection)).toEqual(['ChildStack/function']);
  });

  it('allows a nested resource by its path or a path pattern, and not by its bare logical id', async () => {
    const replacedInChild = { ...CHILD, Changes: [resourceChange({ ...CHILD.Changes![0].ResourceChange, Replacement: 'True' })] };
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: ROOT.ChangeSetId }).resolves(ROOT);
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: CHILD.ChangeSetId }).resolves(replacedInChild);
    const inspect = (allowReplacement: string[]) => inspectChangeSet(deployment({ safetyPolicy: policy({ allowReplacement }) }), changeSetState({ id: ROOT.ChangeSetId! }));

    expect((await inspect(['ChildStack/function'])).safe).toBe(true);
    expect((await inspect(['ChildStack/*'])).safe).toBe(true);
    expect((await inspect(['function'])).safe).toBe(false);
  });

  it('judges every page: an unsafe change only on the second page is found', async () => {
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_COMPLETE', [resourceChange({ Action: 'Add', LogicalResourceId: 'Queue', ResourceType: 'AWS::SQS::Queue' })], { NextToken: 'page-2' }));
    cfn.on(DescribeChangeSetCommand, { NextToken: 'page-2' }).resolves(
      changeSetPage('CREATE_COMPLETE', [resourceChange({ Action: 'Remove', LogicalResourceId: 'Table', ResourceType: 'AWS::DynamoDB::Table', PolicyAction: 'Delete' })]),
    );

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection.safe).toBe(false);
    expect(blockedIds(inspection)).toEqual(['Table']);
  });

  it('describes our change set by name and stack when it has no ARN', async () => {
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_COMPLETE', []));

    await inspectChangeSet(deployment(), changeSetState({ id: 'deploy-exec-1' }));

    expect(cfn.commandCalls(DescribeChangeSetCommand)[0].args[0].input).toMatchObject({ ChangeSetName: 'deploy-exec-1', StackName: STACK_NAME });
  });

  it(`lists at most ${MAX_CHANGES_IN_OUTPUT} changes, the blocked one kept though it comes last, and counts them all exactly`, async () => {
    const adds = Array.from({ length: MAX_CHANGES_IN_OUTPUT }, (_, i) => resourceChange({ Action: 'Add', LogicalResourceId: `Queue${i}`, ResourceType: 'AWS::SQS::Queue' }));
    givenChanges([...adds, resourceChange({ Action: 'Remove', LogicalResourceId: 'LastTable', ResourceType: 'AWS::DynamoDB::Table' })]);

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection.changeCount).toBe(MAX_CHANGES_IN_OUTPUT + 1);
    expect(inspection.decision.changes).toHaveLength(MAX_CHANGES_IN_OUTPUT);
    expect(inspection.decision.omitted).toBe(1);
    expect(inspection.decision.counts).toMatchObject({ changes: MAX_CHANGES_IN_OUTPUT + 1, adds: MAX_CHANGES_IN_OUTPUT, removals: 1, blocked: 1 });
    expect(inspection.decision.changes[0]).toMatchObject({ logicalResourceId: 'LastTable', verdict: 'BLOCKED' });
  });

  it('omits nothing at exactly the limit', async () => {
    givenChanges(Array.from({ length: MAX_CHANGES_IN_OUTPUT }, (_, i) => resourceChange({ Action: 'Add', LogicalResourceId: `Q${i}`, ResourceType: 'AWS::SQS::Queue' })));

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection).toMatchObject({ safe: true, changeCount: MAX_CHANGES_IN_OUTPUT });
    expect(inspection.decision.omitted).toBe(0);
  });

  it('reads an empty change set as safe with no changes', async () => {
    givenChanges(undefined);

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection).toEqual({
      safe: true,
      changeCount: 0,
      offendingCount: 0,
      summary: '0 change(s), none removes or replaces anything the safety policy protects: safe to execute (0 replacement(s), 0 removal(s) allowed).',
      decision: { verdict: 'SAFE', counts: { changes: 0, adds: 0, inPlaceModifications: 0, replacements: 0, removals: 0, undetermined: 0, blocked: 0 }, changes: [], omitted: 0 },
    });
  });

  it('names a change that lacks its fields, and finds it unsafe', async () => {
    givenChanges([resourceChange({})]);

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection.decision.changes).toEqual([
      expect.objectContaining({ logicalResourceId: '(unknown)', resourceType: '(unknown type)', action: '(no action)', rule: 'unknown-action', verdict: 'BLOCKED' }),
    ]);
  });
});

describe('fitDecisionRecord: the record stays within the state payload', () => {
  const longId = 'arn:aws:lambda:us-east-1:123456789012:function:' + 'x'.repeat(400);
  const many = (count: number) =>
    judgeChanges(
      Array.from({ length: count }, (_, i) => ({
        path: '',
        change: resourceChange({ Action: 'Modify', Replacement: 'False', LogicalResourceId: `Function${i}`, PhysicalResourceId: longId, ResourceType: 'AWS::Lambda::Function' }),
      })),
      DEFAULT_SAFETY_POLICY,
    );

  it('stops listing changes at the byte budget and counts exactly what it left out', () => {
    const record = many(MAX_CHANGES_IN_OUTPUT);

    const fitted = fitDecisionRecord(record);

    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(MAX_DECISION_RECORD_BYTES);
    expect(fitted.changes.length).toBeLessThan(MAX_CHANGES_IN_OUTPUT);
    expect(fitted.changes.length + fitted.omitted).toBe(MAX_CHANGES_IN_OUTPUT);
    expect(fitted.counts).toEqual(record.counts);
  });

  it('leaves a small record whole', () => {
    const record = many(3);

    expect(fitDecisionRecord(record)).toEqual(record);
  });
});

describe('describeDecision', () => {
  it('writes one line: full logical id, type, physical id, action, replacement, policy action, explanation and causes', () => {
    const line = describeDecision(
      blockedChange({
        nestedPath: 'Messaging',
        logicalResourceId: 'topic123',
        resourceType: 'AWS::SNS::Topic',
        physicalResourceId: 'arn:aws:sns:us-east-1:123456789012:topic',
        action: 'Modify',
        replacement: 'True',
        policyAction: 'ReplaceAndDelete',
        kind: 'replacement',
        explanation: 'replaces the resource; blocked: not listed in safetyPolicy.allowReplacement',
        causes: ['Properties.TopicName (always replaces, DirectModification)'],
      }),
    );

    expect(line).toBe(
      '- Messaging/topic123 (AWS::SNS::Topic) [arn:aws:sns:us-east-1:123456789012:topic]: Modify, Replacement True, PolicyAction ReplaceAndDelete: replaces the resource; blocked: not listed in safetyPolicy.allowReplacement; forced by Properties.TopicName (always replaces, DirectModification)',
    );
  });

  it('leaves out what the change does not have', () => {
    const line = describeDecision(blockedChange({ physicalResourceId: undefined, policyAction: undefined }));

    expect(line).toBe('- MyEC2Instance (AWS::EC2::Instance): Remove: deletes the resource; blocked: not listed in safetyPolicy.allowRemoval');
  });
});

describe('rejectionMessage', () => {
  it('says the change set was deleted, not executed, lists each blocked resource and how to allow it', () => {
    const inspection = unsafeInspection([
      blockedChange({ policyAction: undefined }),
      blockedChange({
        logicalResourceId: 'Secret1',
        resourceType: 'AWS::SecretsManager::Secret',
        physicalResourceId: undefined,
        policyAction: undefined,
        rule: 'built-in-protection',
        explanation: 'deletes the resource; blocked: AWS::SecretsManager::Secret is a built-in protected type',
      }),
    ]);

    const message = rejectionMessage(deployment(), changeSetState(), inspection);

    expect(message.split('\n')).toEqual([
      'Change set deploy-exec-1 on stack prod-app was rejected and deleted, not executed: 2 resource change(s) would remove or replace resources the safety policy does not allow.',
      '- MyEC2Instance (AWS::EC2::Instance) [i-1abc23d4]: Remove: deletes the resource; blocked: not listed in safetyPolicy.allowRemoval',
      '- Secret1 (AWS::SecretsManager::Secret): Remove: deletes the resource; blocked: AWS::SecretsManager::Secret is a built-in protected type',
      "Nothing was changed. If these removals or replacements are intended, list the logical ids (or resource types) in the input document's safetyPolicy.allowRemoval / safetyPolicy.allowReplacement (a protected one also in safetyPolicy.unprotect, or out of safetyPolicy.protect) and run the deployment again.",
    ]);
  });
});

describe('inspectChangeSet: what it cannot read is unsafe', () => {
  it('a change that carries no ResourceChange (a type this deployer does not know) makes the change set unsafe', async () => {
    givenChanges([{ Type: 'Resource' }, { Type: 'SomethingNew' as never }]);

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection.safe).toBe(false);
    expect(inspection.offendingCount).toBe(2);
    expect(inspection.decision.changes[1]).toMatchObject({ rule: 'unknown-action', action: 'SomethingNew' });
  });
});

describe('inspectChangeSet: a very large rejection stays within the state payload', () => {
  it('lists at most MAX_CHANGES_IN_OUTPUT blocked changes, counts them all, and the message says how many were left out', async () => {
    const removals = Array.from({ length: MAX_CHANGES_IN_OUTPUT + 50 }, (_, i) =>
      resourceChange({ Action: 'Remove', LogicalResourceId: `Queue${i}`, ResourceType: 'AWS::SQS::Queue' }),
    );
    givenChanges(removals);

    const inspection = await inspectChangeSet(deployment(), changeSetState());

    expect(inspection.decision.changes).toHaveLength(MAX_CHANGES_IN_OUTPUT);
    expect(inspection.offendingCount).toBe(MAX_CHANGES_IN_OUTPUT + 50);
    expect(inspection.decision.counts.blocked).toBe(MAX_CHANGES_IN_OUTPUT + 50);
    const message = rejectionMessage(deployment(), changeSetState(), inspection);
    expect(message).toContain(`${MAX_CHANGES_IN_OUTPUT + 50} resource change(s) would remove or replace resources`);
    expect(message).toContain(`… and ${MAX_CHANGES_IN_OUTPUT + 50 - 50} more (inspection.decision in the execution's data lists ${MAX_CHANGES_IN_OUTPUT} of the ${MAX_CHANGES_IN_OUTPUT + 50})`);
    expect(message.length).toBeLessThan(20_000);
  });
});
