/**
 * The change-set safety policy, as a table: real-shaped changes (published DescribeChangeSet
 * responses, or one of them with only the field a case is about changed) × policies → the verdict,
 * the rule, the entry that decided it and the explanation. Each rule has compliant and numbered
 * non-compliant cases, cdk-nag style.
 */
import type { ResourceChange } from '@aws-sdk/client-cloudformation';
import { KIND_MESSAGES, judgeChange, judgeChanges, replacementCauses } from '../../../functions/shared/safety-policy';
import { DEFAULT_SAFETY_POLICY, type SafetyPolicy } from '../../../functions/shared/safety-policy-schema';
import type { ChangeDecision } from '../../../functions/shared/state';
import { publishedChangeSet, publishedResourceChange } from '../helpers';

const policy = (overrides: Partial<SafetyPolicy> = {}): SafetyPolicy => ({ ...DEFAULT_SAFETY_POLICY, ...overrides });
const NOTHING_ALLOWED = policy();

// Published changes, one per kind.
const ADD = publishedResourceChange('cfn-dcs-awsdocs-add-remove.json', 'AutoScalingGroup');
const REMOVE = publishedResourceChange('cfn-dcs-awsdocs-add-remove.json', 'MyEC2Instance');
const MODIFY_FALSE = publishedResourceChange('cfn-dcs-awscli-lambda-timeout-modify.json', 'function');
const MODIFY_TRUE = publishedResourceChange('cfn-dcs-awsdocs-replacement-true-multiple.json', 'MyEC2Instance');
const MODIFY_TRUE_POLICY_ACTION = publishedResourceChange('cfn-dcs-localstack-replacement-true-policyaction.json', 'topic123');
const MODIFY_CONDITIONAL = publishedResourceChange('cfn-dcs-real-secrets-conditional-remove-add.json', 'Secret222');
const REMOVE_SECRET = publishedResourceChange('cfn-dcs-real-secrets-conditional-remove-add.json', 'Secret1');

/** A published change with only what a case is about changed. */
const variant = (change: ResourceChange, overrides: Partial<ResourceChange>): ResourceChange => ({ ...change, ...overrides });
const withoutReplacement = (change: ResourceChange): ResourceChange => {
  const { Replacement: _omitted, ...rest } = change;
  return rest;
};

// The same published changes on other types: the shapes CDK apps and data stores produce.
const TABLE_REPLACED = variant(MODIFY_TRUE, { LogicalResourceId: 'UsersTable', ResourceType: 'AWS::DynamoDB::Table', PhysicalResourceId: 'prod-users' });
const TABLE_REMOVED = variant(REMOVE, { LogicalResourceId: 'UsersTable', ResourceType: 'AWS::DynamoDB::Table', PhysicalResourceId: 'prod-users', PolicyAction: 'Delete' });
const TABLE_RETAINED = variant(TABLE_REMOVED, { PolicyAction: 'Retain' });
const BUCKET_SNAPSHOT = variant(REMOVE, { LogicalResourceId: 'Volume', ResourceType: 'AWS::EC2::Volume', PolicyAction: 'Snapshot' });
const CDK_METADATA = variant(MODIFY_CONDITIONAL, { LogicalResourceId: 'CDKMetadata', ResourceType: 'AWS::CDK::Metadata', PhysicalResourceId: 'a1b2c3' });
const API_DEPLOYMENT = variant(MODIFY_TRUE, { LogicalResourceId: 'ApiDeployment3C2B1A0F', ResourceType: 'AWS::ApiGateway::Deployment', PhysicalResourceId: 'abc123' });
const LAMBDA_VERSION = variant(MODIFY_TRUE, { LogicalResourceId: 'FnCurrentVersion', ResourceType: 'AWS::Lambda::Version', PhysicalResourceId: 'arn:aws:lambda:us-east-1:1:function:fn:3' });
const LAMBDA_VERSION_REMOVED = variant(REMOVE, { LogicalResourceId: 'FnCurrentVersion', ResourceType: 'AWS::Lambda::Version' });
const API_DEPLOYMENT_ROTATED = variant(REMOVE, { LogicalResourceId: 'ApiDeploymentB17BE62D9c1a2b3c', ResourceType: 'AWS::ApiGateway::Deployment', PhysicalResourceId: 'abc123', PolicyAction: 'Delete' });
const TOPIC_REPLACE_AND_RETAIN = variant(MODIFY_TRUE_POLICY_ACTION, { PolicyAction: 'ReplaceAndRetain' });
const CUSTOM_REPLACED = variant(MODIFY_TRUE, { LogicalResourceId: 'Seeder', ResourceType: 'Custom::DatabaseSeeder' });

interface Row {
  case: string;
  change: ResourceChange;
  policy: SafetyPolicy;
  path?: string;
  expect: Partial<Pick<ChangeDecision, 'verdict' | 'kind' | 'rule'>> & { entry?: string; source?: string; explanation: string };
}

const table: Row[] = [
  // rule: safe-change
  { case: 'compliant: the published Add', change: ADD, policy: NOTHING_ALLOWED, expect: { verdict: 'ALLOWED', kind: 'add', rule: 'safe-change', explanation: 'adds a new resource' } },
  {
    case: 'compliant: an Import',
    change: variant(ADD, { Action: 'Import', PhysicalResourceId: 'my-asg' }),
    policy: NOTHING_ALLOWED,
    expect: { verdict: 'ALLOWED', kind: 'import', rule: 'safe-change', explanation: 'imports an existing resource into the stack' },
  },
  {
    case: 'compliant: the published Lambda Timeout change, in place',
    change: MODIFY_FALSE,
    policy: NOTHING_ALLOWED,
    expect: { verdict: 'ALLOWED', kind: 'in-place-modify', rule: 'safe-change', explanation: 'modifies the resource in place' },
  },
  {
    case: 'compliant: a drift sync in place (SyncWithActual, Replacement False)',
    change: variant(MODIFY_FALSE, { Action: 'SyncWithActual' }),
    policy: NOTHING_ALLOWED,
    expect: { verdict: 'ALLOWED', kind: 'in-place-modify', explanation: 'modifies the resource in place' },
  },
  {
    case: 'compliant: protect does not block an in-place change',
    change: MODIFY_FALSE,
    policy: policy({ protect: ['function'] }),
    expect: { verdict: 'ALLOWED', rule: 'safe-change', explanation: 'modifies the resource in place' },
  },

  // rule: allow-list, replacements
  {
    case: 'compliant: the published KeyName replacement allowed by its logical id',
    change: MODIFY_TRUE,
    policy: policy({ allowReplacement: ['MyEC2Instance'] }),
    expect: {
      verdict: 'ALLOWED',
      kind: 'replacement',
      rule: 'allow-list',
      source: 'safetyPolicy.allowReplacement',
      entry: 'MyEC2Instance',
      explanation: 'replaces the resource: a new one is created and the old one deleted; allowed by safetyPolicy.allowReplacement "MyEC2Instance"',
    },
  },
  {
    case: 'compliant: a replacement allowed by a logical-id pattern with ?',
    change: MODIFY_TRUE,
    policy: policy({ allowReplacement: ['MyEC2Instanc?'] }),
    expect: { verdict: 'ALLOWED', entry: 'MyEC2Instanc?', explanation: 'replaces the resource: a new one is created and the old one deleted; allowed by safetyPolicy.allowReplacement "MyEC2Instanc?"' },
  },
  {
    case: 'compliant: a replacement allowed by a type pattern (AWS::EC2::*)',
    change: MODIFY_TRUE,
    policy: policy({ allowReplacement: ['AWS::EC2::*'] }),
    expect: { verdict: 'ALLOWED', entry: 'AWS::EC2::*', explanation: 'replaces the resource: a new one is created and the old one deleted; allowed by safetyPolicy.allowReplacement "AWS::EC2::*"' },
  },
  {
    case: 'compliant: a custom resource replacement allowed by Custom::*',
    change: CUSTOM_REPLACED,
    policy: policy({ allowReplacement: ['Custom::*'] }),
    expect: { verdict: 'ALLOWED', entry: 'Custom::*', explanation: 'replaces the resource: a new one is created and the old one deleted; allowed by safetyPolicy.allowReplacement "Custom::*"' },
  },
  {
    case: 'compliant: a nested resource allowed by a path pattern (ChildStack/*)',
    change: MODIFY_TRUE,
    path: 'ChildStack/',
    policy: policy({ allowReplacement: ['ChildStack/*'] }),
    expect: { verdict: 'ALLOWED', entry: 'ChildStack/*', explanation: 'replaces the resource: a new one is created and the old one deleted; allowed by safetyPolicy.allowReplacement "ChildStack/*"' },
  },
  {
    case: 'non-compliant 1: the published KeyName replacement with nothing allowed',
    change: MODIFY_TRUE,
    policy: NOTHING_ALLOWED,
    expect: {
      verdict: 'BLOCKED',
      kind: 'replacement',
      rule: 'not-allowed',
      explanation: 'replaces the resource: a new one is created and the old one deleted; blocked: not listed in safetyPolicy.allowReplacement',
    },
  },
  {
    case: 'non-compliant 2: allowRemoval does not allow a replacement',
    change: MODIFY_TRUE,
    policy: policy({ allowRemoval: ['MyEC2Instance', 'AWS::EC2::Instance'] }),
    expect: { verdict: 'BLOCKED', rule: 'not-allowed', explanation: 'replaces the resource: a new one is created and the old one deleted; blocked: not listed in safetyPolicy.allowReplacement' },
  },
  {
    case: 'non-compliant 3: other ids, another type, another case, a pattern that matches a prefix only',
    change: MODIFY_TRUE,
    policy: policy({ allowReplacement: ['OtherInstance', 'AWS::EC2::Volume', 'myec2instance', 'MyEC2'] }),
    expect: { verdict: 'BLOCKED', rule: 'not-allowed', explanation: 'replaces the resource: a new one is created and the old one deleted; blocked: not listed in safetyPolicy.allowReplacement' },
  },
  {
    case: 'non-compliant 4: a nested resource is not allowed by its bare logical id',
    change: MODIFY_TRUE,
    path: 'ChildStack/',
    policy: policy({ allowReplacement: ['MyEC2Instance'] }),
    expect: { verdict: 'BLOCKED', rule: 'not-allowed', explanation: 'replaces the resource: a new one is created and the old one deleted; blocked: not listed in safetyPolicy.allowReplacement' },
  },
  {
    case: 'non-compliant 5: ReplaceAndRetain is still a replacement: the stack moves to a new, empty resource',
    change: TOPIC_REPLACE_AND_RETAIN,
    policy: NOTHING_ALLOWED,
    expect: {
      verdict: 'BLOCKED',
      kind: 'replacement',
      explanation:
        'replaces the resource: a new one is created and the old one kept in the account (ReplaceAndRetain), but the stack moves to the new, empty resource; blocked: not listed in safetyPolicy.allowReplacement',
    },
  },

  // Honest wording: Conditional, missing Replacement, Dynamic
  {
    case: 'non-compliant 5b: a Conditional replacement with ReplaceAndSnapshot says what happens if it does replace',
    change: variant(MODIFY_CONDITIONAL, { ResourceType: 'AWS::SSM::Parameter', PolicyAction: 'ReplaceAndSnapshot' }),
    policy: NOTHING_ALLOWED,
    expect: {
      verdict: 'BLOCKED',
      explanation:
        'may replace the resource (Replacement: Conditional): it depends on the new values; if it does, a new one is created and the old one deleted after a snapshot (ReplaceAndSnapshot); blocked: not listed in safetyPolicy.allowReplacement',
    },
  },
  {
    case: 'non-compliant 6: the published Conditional secret change on a type that is not protected',
    change: variant(MODIFY_CONDITIONAL, { ResourceType: 'AWS::SSM::Parameter' }),
    policy: NOTHING_ALLOWED,
    expect: {
      verdict: 'BLOCKED',
      kind: 'conditional-replacement',
      explanation: 'may replace the resource (Replacement: Conditional): it depends on the new values; blocked: not listed in safetyPolicy.allowReplacement',
    },
  },
  {
    case: 'non-compliant 7: no Replacement field at all is judged a possible replacement, and says so, not the Conditional wording',
    change: withoutReplacement(MODIFY_FALSE),
    policy: NOTHING_ALLOWED,
    expect: {
      verdict: 'BLOCKED',
      kind: 'unstated-replacement',
      explanation:
        'CloudFormation did not say whether this replaces the resource (no Replacement field), so it is judged as a possible replacement; blocked: not listed in safetyPolicy.allowReplacement',
    },
  },
  {
    case: 'compliant: an unstated replacement allowed by allowReplacement',
    change: withoutReplacement(MODIFY_FALSE),
    policy: policy({ allowReplacement: ['AWS::Lambda::Function'] }),
    expect: { verdict: 'ALLOWED', kind: 'unstated-replacement', entry: 'AWS::Lambda::Function', explanation: expect.stringMatching(/^CloudFormation did not say whether this replaces the resource/) as unknown as string },
  },
  {
    case: 'non-compliant 8: a Conditional replacement whose cause is only known during the update (Evaluation: Dynamic)',
    change: variant(MODIFY_CONDITIONAL, {
      ResourceType: 'AWS::EC2::Instance',
      Details: [{ Target: { Attribute: 'Properties', Name: 'ImageId', RequiresRecreation: 'Always' }, Evaluation: 'Dynamic', ChangeSource: 'ResourceAttribute', CausingEntity: 'Ami.ImageId' }],
    }),
    policy: NOTHING_ALLOWED,
    expect: {
      verdict: 'BLOCKED',
      explanation:
        'may replace the resource (Replacement: Conditional): it depends on the new values; CloudFormation can only tell during the update whether Properties.ImageId changes (Evaluation: Dynamic, a value resolved then); blocked: not listed in safetyPolicy.allowReplacement',
    },
  },
  {
    case: 'non-compliant 9: a Dynamic action, which no list allows',
    change: variant(MODIFY_FALSE, { Action: 'Dynamic', Replacement: undefined }),
    policy: policy({ allowRemoval: ['function', 'AWS::Lambda::Function'], allowReplacement: ['function', 'AWS::Lambda::Function'] }),
    expect: {
      verdict: 'BLOCKED',
      kind: 'dynamic',
      rule: 'not-allowed',
      explanation:
        'CloudFormation cannot determine this action before the update (Action: Dynamic): it may remove or replace the resource; blocked: no policy entry allows a change whose action CloudFormation cannot state',
    },
  },
  {
    case: 'non-compliant 10: a drift sync that may replace (SyncWithActual, Replacement Conditional)',
    change: variant(MODIFY_CONDITIONAL, { Action: 'SyncWithActual', ResourceType: 'AWS::SSM::Parameter' }),
    policy: NOTHING_ALLOWED,
    expect: { verdict: 'BLOCKED', kind: 'conditional-replacement', explanation: expect.stringMatching(/^may replace the resource/) as unknown as string },
  },

  // rule: allow-list, removals
  {
    case: 'compliant: the published instance removal allowed by its type',
    change: REMOVE,
    policy: policy({ allowRemoval: ['AWS::EC2::Instance'] }),
    expect: { verdict: 'ALLOWED', kind: 'removal', rule: 'allow-list', source: 'safetyPolicy.allowRemoval', explanation: 'deletes the resource; allowed by safetyPolicy.allowRemoval "AWS::EC2::Instance"' },
  },
  {
    case: 'non-compliant 11: the published instance removal with nothing allowed',
    change: REMOVE,
    policy: NOTHING_ALLOWED,
    expect: { verdict: 'BLOCKED', kind: 'removal', rule: 'not-allowed', explanation: 'deletes the resource; blocked: not listed in safetyPolicy.allowRemoval' },
  },
  {
    case: 'non-compliant 12: allowReplacement does not allow a removal',
    change: REMOVE,
    policy: policy({ allowReplacement: ['MyEC2Instance', 'AWS::EC2::Instance'] }),
    expect: { verdict: 'BLOCKED', explanation: 'deletes the resource; blocked: not listed in safetyPolicy.allowRemoval' },
  },

  // rule: protect beats every allowance
  {
    case: 'non-compliant 13: protect beats allowReplacement naming the same resource by a pattern',
    change: MODIFY_TRUE,
    policy: policy({ protect: ['MyEC2Instance'], allowReplacement: ['AWS::EC2::*'] }),
    expect: {
      verdict: 'BLOCKED',
      rule: 'protect',
      source: 'safetyPolicy.protect',
      entry: 'MyEC2Instance',
      explanation: 'replaces the resource: a new one is created and the old one deleted; blocked: protected by safetyPolicy.protect "MyEC2Instance", which beats every allowance',
    },
  },
  {
    case: 'non-compliant 14: protect beats a built-in harmless replacement',
    change: LAMBDA_VERSION,
    policy: policy({ protect: ['AWS::Lambda::*'] }),
    expect: { verdict: 'BLOCKED', rule: 'protect', entry: 'AWS::Lambda::*', explanation: expect.stringContaining('blocked: protected by safetyPolicy.protect "AWS::Lambda::*"') as unknown as string },
  },
  {
    case: 'non-compliant 15: protect beats the retained-removal allowance',
    change: TABLE_RETAINED,
    policy: policy({ protect: ['UsersTable'] }),
    expect: {
      verdict: 'BLOCKED',
      rule: 'protect',
      explanation: 'removed from the stack, kept in the account (PolicyAction: Retain); blocked: protected by safetyPolicy.protect "UsersTable", which beats every allowance',
    },
  },
  {
    case: 'non-compliant 16: protect blocks a Dynamic action with its own wording',
    change: variant(MODIFY_FALSE, { Action: 'Dynamic' }),
    policy: policy({ protect: ['function'] }),
    expect: { verdict: 'BLOCKED', rule: 'protect', entry: 'function', explanation: expect.stringContaining('blocked: protected by safetyPolicy.protect "function"') as unknown as string },
  },

  // rule: built-in-protection (data-bearing types)
  {
    case: 'non-compliant 17: a DynamoDB table replacement, even when allowReplacement names it',
    change: TABLE_REPLACED,
    policy: policy({ allowReplacement: ['UsersTable'] }),
    expect: {
      verdict: 'BLOCKED',
      rule: 'built-in-protection',
      source: 'built-in protected types',
      entry: 'AWS::DynamoDB::Table',
      explanation:
        "replaces the resource: a new one is created and the old one deleted; blocked: AWS::DynamoDB::Table is a built-in protected type (holds the table's items: they go with it, and a replacement is a new, empty table); to allow it, list the resource or the type in safetyPolicy.unprotect and allowReplacement",
    },
  },
  {
    case: 'non-compliant 18: the published secret removal (Secrets Manager is protected)',
    change: REMOVE_SECRET,
    policy: policy({ allowRemoval: ['Secret1'] }),
    expect: { verdict: 'BLOCKED', rule: 'built-in-protection', entry: 'AWS::SecretsManager::Secret', explanation: expect.stringMatching(/^deletes the resource; blocked: AWS::SecretsManager::Secret is a built-in protected type/) as unknown as string },
  },
  {
    case: 'non-compliant 19: a removal after a final snapshot is still a removal of a protected type',
    change: BUCKET_SNAPSHOT,
    policy: NOTHING_ALLOWED,
    expect: { verdict: 'BLOCKED', rule: 'built-in-protection', explanation: expect.stringMatching(/^deletes the resource after a final snapshot \(PolicyAction: Snapshot\); blocked: AWS::EC2::Volume is a built-in protected type/) as unknown as string },
  },
  {
    case: 'non-compliant 20: unprotect alone lifts the protection, but the removal still needs allowRemoval',
    change: TABLE_REMOVED,
    policy: policy({ unprotect: ['AWS::DynamoDB::Table'] }),
    expect: {
      verdict: 'BLOCKED',
      rule: 'not-allowed',
      explanation: 'deletes the resource; blocked: not listed in safetyPolicy.allowRemoval (its built-in protection lifted by safetyPolicy.unprotect "AWS::DynamoDB::Table")',
    },
  },
  {
    case: 'compliant: unprotect by logical id and allowRemoval together allow the table removal',
    change: TABLE_REMOVED,
    policy: policy({ unprotect: ['UsersTable'], allowRemoval: ['UsersTable'] }),
    expect: {
      verdict: 'ALLOWED',
      rule: 'allow-list',
      entry: 'UsersTable',
      explanation: 'deletes the resource; allowed by safetyPolicy.allowRemoval "UsersTable" (its built-in protection lifted by safetyPolicy.unprotect "UsersTable")',
    },
  },

  // rule: retained-removal
  {
    case: 'compliant: a retained removal of a protected table deletes nothing and is allowed by default',
    change: TABLE_RETAINED,
    policy: NOTHING_ALLOWED,
    expect: {
      verdict: 'ALLOWED',
      kind: 'retained-removal',
      rule: 'retained-removal',
      source: 'safetyPolicy.retainedRemovals',
      entry: 'allow',
      explanation: 'removed from the stack, kept in the account (PolicyAction: Retain); allowed: nothing is deleted (safetyPolicy.retainedRemovals is "allow", the default)',
    },
  },
  {
    case: 'non-compliant 21: retainedRemovals "reject" judges a retained removal like any removal (protected type)',
    change: TABLE_RETAINED,
    policy: policy({ retainedRemovals: 'reject' }),
    expect: { verdict: 'BLOCKED', rule: 'built-in-protection', explanation: expect.stringMatching(/^removed from the stack, kept in the account \(PolicyAction: Retain\); blocked: AWS::DynamoDB::Table is a built-in protected type/) as unknown as string },
  },
  {
    case: 'non-compliant 22: retainedRemovals "reject" blocks a retained removal nothing allows',
    change: variant(REMOVE, { PolicyAction: 'Retain' }),
    policy: policy({ retainedRemovals: 'reject' }),
    expect: { verdict: 'BLOCKED', rule: 'not-allowed', explanation: 'removed from the stack, kept in the account (PolicyAction: Retain); blocked: not listed in safetyPolicy.allowRemoval' },
  },
  {
    case: 'compliant: retainedRemovals "reject", and allowRemoval lists the instance',
    change: variant(REMOVE, { PolicyAction: 'Retain' }),
    policy: policy({ retainedRemovals: 'reject', allowRemoval: ['MyEC2Instance'] }),
    expect: { verdict: 'ALLOWED', rule: 'allow-list', entry: 'MyEC2Instance', explanation: 'removed from the stack, kept in the account (PolicyAction: Retain); allowed by safetyPolicy.allowRemoval "MyEC2Instance"' },
  },

  // rule: built-in-allowance (harmless replacements)
  {
    case: 'compliant: the CDK metadata resource reporting a Conditional replacement',
    change: CDK_METADATA,
    policy: NOTHING_ALLOWED,
    expect: {
      verdict: 'ALLOWED',
      kind: 'conditional-replacement',
      rule: 'built-in-allowance',
      source: 'built-in harmless replacements',
      entry: 'AWS::CDK::Metadata',
      explanation: expect.stringMatching(/^may replace the resource \(Replacement: Conditional\): it depends on the new values; allowed: a built-in harmless replacement \(the CDK's record/) as unknown as string,
    },
  },
  {
    case: 'compliant: an API Gateway deployment replaced on an API change',
    change: API_DEPLOYMENT,
    policy: NOTHING_ALLOWED,
    expect: { verdict: 'ALLOWED', rule: 'built-in-allowance', entry: 'AWS::ApiGateway::Deployment', explanation: expect.stringContaining('allowed: a built-in harmless replacement (an immutable snapshot of a REST API') as unknown as string },
  },
  {
    case: 'compliant: a Lambda version replaced by design',
    change: LAMBDA_VERSION,
    policy: NOTHING_ALLOWED,
    expect: { verdict: 'ALLOWED', rule: 'built-in-allowance', entry: 'AWS::Lambda::Version', explanation: expect.stringContaining('allowed: a built-in harmless replacement') as unknown as string },
  },
  {
    case: 'non-compliant 23: builtInAllowances false turns the built-in harmless replacements off',
    change: LAMBDA_VERSION,
    policy: policy({ builtInAllowances: false }),
    expect: { verdict: 'BLOCKED', rule: 'not-allowed', explanation: 'replaces the resource: a new one is created and the old one deleted; blocked: not listed in safetyPolicy.allowReplacement' },
  },
  {
    case: 'compliant: the built-in allowance covers the removal that replaces by logical id (the CDK rotates an API deployment this way)',
    change: API_DEPLOYMENT_ROTATED,
    policy: NOTHING_ALLOWED,
    expect: { verdict: 'ALLOWED', kind: 'removal', rule: 'built-in-allowance', entry: 'AWS::ApiGateway::Deployment', explanation: expect.stringMatching(/^deletes the resource; allowed: a built-in harmless replacement/) as unknown as string },
  },
  {
    case: 'non-compliant 24: builtInAllowances false blocks that removal too',
    change: LAMBDA_VERSION_REMOVED,
    policy: policy({ builtInAllowances: false }),
    expect: { verdict: 'BLOCKED', rule: 'not-allowed', explanation: 'deletes the resource; blocked: not listed in safetyPolicy.allowRemoval' },
  },

  // rule: unknown-action
  {
    case: 'non-compliant 25: "Delete", the spelling the blog sample checks, is not an action the API sends',
    change: variant(REMOVE, { Action: 'Delete' as ResourceChange['Action'] }),
    policy: policy({ allowRemoval: ['MyEC2Instance'] }),
    expect: { verdict: 'BLOCKED', kind: 'unknown-action', rule: 'unknown-action', explanation: `${KIND_MESSAGES['unknown-action']} (Delete)` },
  },
  {
    case: 'non-compliant 26: a change without an Action',
    change: (({ Action: _omitted, ...rest }) => rest)(ADD),
    policy: NOTHING_ALLOWED,
    expect: { verdict: 'BLOCKED', rule: 'unknown-action', explanation: `${KIND_MESSAGES['unknown-action']} (no Action)` },
  },
];

describe('the safety policy, change × policy → verdict and explanation', () => {
  it.each(table.map((row) => [row.case, row] as const))('%s', (_name, row) => {
    const decision = judgeChange(row.change, row.policy, row.path);

    const { entry, source, ...expected } = row.expect;
    expect(decision).toMatchObject(expected);
    if (entry !== undefined) expect(decision.matched?.entry).toBe(entry);
    if (source !== undefined) expect(decision.matched?.source).toBe(source);
    if (decision.matched?.source.startsWith('built-in')) expect(decision.matched).toMatchObject({ builtIn: true, reason: expect.any(String) });
    if (decision.rule === 'not-allowed' || decision.rule === 'safe-change' || decision.rule === 'unknown-action') expect(decision.matched).toBeUndefined();
  });
});

describe('judgeChanges: the decision record of a whole change set', () => {
  it('records every change of the published Conditional-and-Remove change set with exact counts, blocked first', () => {
    const changes = publishedChangeSet('cfn-dcs-real-secrets-conditional-remove-add.json').Changes!.map((change) => ({ path: '', change }));

    const record = judgeChanges(changes, undefined);

    expect(record.verdict).toBe('BLOCKED');
    expect(record.counts).toEqual({ changes: 3, adds: 1, inPlaceModifications: 0, replacements: 1, removals: 1, undetermined: 0, blocked: 2 });
    expect(record.changes.map((c) => [c.logicalResourceId, c.verdict])).toEqual([
      ['Secret1', 'BLOCKED'],
      ['Secret222', 'BLOCKED'],
      ['Secret33333', 'ALLOWED'],
    ]);
    expect(record.omitted).toBe(0);
  });

  it('is SAFE for a CDK-shaped change set with no policy entries: metadata, API deployment and Lambda version replaced, a function modified in place', () => {
    const changes = [CDK_METADATA, API_DEPLOYMENT, LAMBDA_VERSION, MODIFY_FALSE].map((change) => ({ path: '', change: { Type: 'Resource' as const, ResourceChange: change } }));

    const record = judgeChanges(changes, {});

    expect(record.verdict).toBe('SAFE');
    expect(record.counts).toMatchObject({ replacements: 3, inPlaceModifications: 1, blocked: 0 });
  });

  it('takes the nested path with or without its trailing slash', () => {
    const change = { Type: 'Resource' as const, ResourceChange: REMOVE };

    const record = judgeChanges(
      [
        { path: 'Network/', change },
        { path: 'Network/Inner', change },
      ],
      policy({ allowRemoval: ['Network/MyEC2Instance'] }),
    );

    expect(record.changes.map((c) => [c.nestedPath, c.verdict])).toEqual([
      ['Network/Inner', 'BLOCKED'],
      ['Network', 'ALLOWED'],
    ]);
  });

  it('fills the defaults of a policy written before the new fields existed (an older execution\'s data)', () => {
    const record = judgeChanges([{ path: '', change: { Type: 'Resource', ResourceChange: LAMBDA_VERSION } }], { allowRemoval: [], allowReplacement: [] });

    expect(record.changes[0]).toMatchObject({ verdict: 'ALLOWED', rule: 'built-in-allowance' });
  });
});

describe('replacementCauses', () => {
  it('lists each property that forces or may force the replacement, once, with its source', () => {
    expect(replacementCauses(MODIFY_TRUE)).toEqual([
      'Properties.KeyName (always replaces, DirectModification)',
      'Properties.InstanceType (may replace, DirectModification)',
      'Properties.KeyName (always replaces, ParameterReference KeyPairName)',
      'Properties.InstanceType (may replace, ParameterReference InstanceType)',
    ]);
  });

  it('has none for an in-place change or a removal', () => {
    expect(replacementCauses(MODIFY_FALSE)).toEqual([]);
    expect(replacementCauses(REMOVE)).toEqual([]);
  });
});
