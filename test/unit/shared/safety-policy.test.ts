/**
 * The change-set safety rules, cdk-nag style: for each rule one compliant case and numbered
 * non-compliant cases, built from published DescribeChangeSet responses where one exists.
 */
import type { ResourceChange } from '@aws-sdk/client-cloudformation';
import { RULE_MESSAGES, judgeChange, replacementCauses } from '../../../functions/shared/safety-policy';
import { HARMLESS_REPLACEMENT_TYPES, PROTECTED_DATA_TYPES } from '../../../functions/shared/built-in-policy';
import { resourceSchema } from '../../../local/plan/resource-schemas';
import { SafetyPolicySchema, defaultSafetyPolicy, parseDeploymentInput, type SafetyPolicy } from '../../../functions/shared/input';
import { publishedResourceChange } from '../helpers';

const NOTHING_ALLOWED: SafetyPolicy = defaultSafetyPolicy();
const policy = (overrides: Partial<SafetyPolicy>): SafetyPolicy => SafetyPolicySchema.parse(overrides);
// The published Conditional change is a Secrets Manager secret, a built-in protected type: the
// conditional rule is seen at work once it is unprotected.
const SECRETS_UNPROTECTED = policy({ unprotect: ['AWS::SecretsManager::Secret'] });

// Published changes, one per kind.
const ADD = publishedResourceChange('cfn-dcs-awsdocs-add-remove.json', 'AutoScalingGroup');
const REMOVE = publishedResourceChange('cfn-dcs-awsdocs-add-remove.json', 'MyEC2Instance');
const MODIFY_FALSE = publishedResourceChange('cfn-dcs-awscli-lambda-timeout-modify.json', 'function');
const MODIFY_TRUE = publishedResourceChange('cfn-dcs-awsdocs-replacement-true-multiple.json', 'MyEC2Instance');
const MODIFY_TRUE_POLICY_ACTION = publishedResourceChange('cfn-dcs-localstack-replacement-true-policyaction.json', 'topic123');
const MODIFY_CONDITIONAL = publishedResourceChange('cfn-dcs-real-secrets-conditional-remove-add.json', 'Secret222');
const NESTED_FUNCTION = publishedResourceChange('cfn-dcs-awsdocs-nested-child.json', 'function');

/** A published change with only what a case is about changed. */
const variant = (change: ResourceChange, overrides: Partial<ResourceChange>): ResourceChange => ({ ...change, ...overrides });

describe('rule: add (Action Add)', () => {
  it('compliant: adding a resource is safe with a policy that allows nothing', () => {
    const verdict = judgeChange(ADD, NOTHING_ALLOWED);

    expect(verdict).toEqual({ safe: true, rule: 'add', reason: RULE_MESSAGES.add });
  });
});

describe('rule: import (Action Import)', () => {
  it('compliant: importing an existing resource is safe with a policy that allows nothing', () => {
    const imported = variant(ADD, { Action: 'Import', PhysicalResourceId: 'my-asg' });

    const verdict = judgeChange(imported, NOTHING_ALLOWED);

    expect(verdict).toEqual({ safe: true, rule: 'import', reason: RULE_MESSAGES.import });
  });
});

describe('rule: in-place-modify (Action Modify, Replacement False)', () => {
  it('compliant: the published Lambda Timeout change modifies in place and is safe', () => {
    const verdict = judgeChange(MODIFY_FALSE, NOTHING_ALLOWED);

    expect(verdict).toEqual({ safe: true, rule: 'in-place-modify', reason: RULE_MESSAGES['in-place-modify'] });
  });
});

describe('rule: replacement (Action Modify, Replacement True)', () => {
  it('compliant: a replacement allowed by its logical id', () => {
    const verdict = judgeChange(MODIFY_TRUE, policy({ allowReplacement: ['MyEC2Instance'] }));

    expect(verdict.safe).toBe(true);
    expect(verdict.rule).toBe('replacement');
    expect(verdict.reason).toBe(`${RULE_MESSAGES.replacement}; allowed by safetyPolicy.allowReplacement ("MyEC2Instance")`);
  });

  it('compliant: a replacement allowed by its resource type', () => {
    const verdict = judgeChange(MODIFY_TRUE_POLICY_ACTION, policy({ allowReplacement: ['AWS::SNS::Topic'] }));

    expect(verdict).toMatchObject({ safe: true, rule: 'replacement' });
  });

  it('non-compliant 1: the published KeyName replacement with nothing allowed', () => {
    const verdict = judgeChange(MODIFY_TRUE, NOTHING_ALLOWED);

    expect(verdict).toEqual({ safe: false, rule: 'replacement', reason: RULE_MESSAGES.replacement });
  });

  it('non-compliant 2: the published ReplaceAndDelete topic replacement with nothing allowed', () => {
    const verdict = judgeChange(MODIFY_TRUE_POLICY_ACTION, NOTHING_ALLOWED);

    expect(verdict).toMatchObject({ safe: false, rule: 'replacement' });
  });

  it('non-compliant 3: allowRemoval does not allow a replacement', () => {
    const verdict = judgeChange(MODIFY_TRUE, policy({ allowRemoval: ['MyEC2Instance', 'AWS::EC2::Instance'] }));

    expect(verdict).toMatchObject({ safe: false, rule: 'replacement' });
  });

  it('non-compliant 4: another logical id or type listed does not allow this one', () => {
    const verdict = judgeChange(MODIFY_TRUE, policy({ allowReplacement: ['OtherInstance', 'AWS::EC2::Volume', 'myec2instance'] }));

    expect(verdict).toMatchObject({ safe: false, rule: 'replacement' });
  });
});

describe('rule: conditional-replacement (Action Modify, Replacement Conditional)', () => {
  it('compliant: a conditional replacement allowed by its logical id', () => {
    const verdict = judgeChange(MODIFY_CONDITIONAL, policy({ allowReplacement: ['Secret222'], unprotect: ['AWS::SecretsManager::Secret'] }));

    expect(verdict).toMatchObject({ safe: true, rule: 'conditional-replacement' });
    expect(verdict.reason).toContain('allowed by safetyPolicy.allowReplacement');
  });

  it('non-compliant 1: the published Conditional secret change with nothing allowed', () => {
    const verdict = judgeChange(MODIFY_CONDITIONAL, SECRETS_UNPROTECTED);

    expect(verdict).toEqual({ safe: false, rule: 'conditional-replacement', reason: RULE_MESSAGES['conditional-replacement'] });
  });

  it('non-compliant 2: allowRemoval does not allow a conditional replacement', () => {
    const verdict = judgeChange(MODIFY_CONDITIONAL, policy({ allowRemoval: ['Secret222'], unprotect: ['AWS::SecretsManager::Secret'] }));

    expect(verdict).toMatchObject({ safe: false, rule: 'conditional-replacement' });
  });
});

describe('rule: unstated-replacement (Action Modify with no Replacement at all, as some AWS-compatible endpoints answer)', () => {
  const { Replacement: _omitted, ...withoutReplacement } = MODIFY_FALSE;

  it('compliant: allowed by its resource type, like any possible replacement', () => {
    const verdict = judgeChange(withoutReplacement, policy({ allowReplacement: [withoutReplacement.ResourceType as string] }));

    expect(verdict).toMatchObject({ safe: true, rule: 'unstated-replacement' });
  });

  it('non-compliant 1: judged a possible replacement, and says honestly that CloudFormation did not say', () => {
    const verdict = judgeChange(withoutReplacement, NOTHING_ALLOWED);

    expect(verdict).toEqual({ safe: false, rule: 'unstated-replacement', reason: RULE_MESSAGES['unstated-replacement'] });
    expect(verdict.reason).toContain('CloudFormation did not say whether this replaces the resource');
    expect(verdict.reason).not.toContain('CloudFormation decides at deploy time');
  });
});

describe('rule: removal (Action Remove)', () => {
  it('compliant: a removal allowed by its logical id', () => {
    const verdict = judgeChange(REMOVE, policy({ allowRemoval: ['MyEC2Instance'] }));

    expect(verdict).toEqual({
      safe: true,
      rule: 'removal',
      reason: `${RULE_MESSAGES.removal}; allowed by safetyPolicy.allowRemoval ("MyEC2Instance")`,
      matched: 'safetyPolicy.allowRemoval: MyEC2Instance',
    });
  });

  it('compliant: a removal allowed by its resource type', () => {
    const verdict = judgeChange(REMOVE, policy({ allowRemoval: ['AWS::EC2::Instance'] }));

    expect(verdict).toMatchObject({ safe: true, rule: 'removal' });
  });

  it('non-compliant 1: the published instance removal with nothing allowed', () => {
    const verdict = judgeChange(REMOVE, NOTHING_ALLOWED);

    expect(verdict).toEqual({ safe: false, rule: 'removal', reason: RULE_MESSAGES.removal });
  });

  it('non-compliant 2: allowReplacement does not allow a removal', () => {
    const verdict = judgeChange(REMOVE, policy({ allowReplacement: ['MyEC2Instance', 'AWS::EC2::Instance'] }));

    expect(verdict).toMatchObject({ safe: false, rule: 'removal' });
  });

  it('non-compliant 3: the removal of the published secret, with only the added secret listed', () => {
    const secret = publishedResourceChange('cfn-dcs-real-secrets-conditional-remove-add.json', 'Secret1');

    const verdict = judgeChange(secret, policy({ allowRemoval: ['Secret33333'] }));

    expect(verdict).toMatchObject({ safe: false, rule: 'removal' });
  });
});

describe('rule: dynamic (Action Dynamic)', () => {
  it('non-compliant 1: a Dynamic change is unsafe', () => {
    const dynamic = variant(MODIFY_FALSE, { Action: 'Dynamic', Replacement: undefined });

    const verdict = judgeChange(dynamic, NOTHING_ALLOWED);

    expect(verdict).toEqual({ safe: false, rule: 'dynamic', reason: RULE_MESSAGES.dynamic });
  });

  it('non-compliant 2: no policy list allows a Dynamic change, not even by logical id and type', () => {
    const dynamic = variant(MODIFY_FALSE, { Action: 'Dynamic' });

    const verdict = judgeChange(dynamic, policy({ allowRemoval: ['function', 'AWS::Lambda::Function'], allowReplacement: ['function', 'AWS::Lambda::Function'] }));

    expect(verdict).toMatchObject({ safe: false, rule: 'dynamic' });
  });
});

describe('rule: SyncWithActual (drift-aware change sets) follows Replacement like Modify', () => {
  it('compliant: a drift sync in place (Replacement False)', () => {
    const verdict = judgeChange(variant(MODIFY_FALSE, { Action: 'SyncWithActual' }), NOTHING_ALLOWED);

    expect(verdict).toMatchObject({ safe: true, rule: 'in-place-modify' });
  });

  it('non-compliant 1: a drift sync that replaces (Replacement True)', () => {
    const verdict = judgeChange(variant(MODIFY_TRUE, { Action: 'SyncWithActual' }), NOTHING_ALLOWED);

    expect(verdict).toMatchObject({ safe: false, rule: 'replacement' });
  });

  it('non-compliant 2: a drift sync that may replace (Replacement Conditional)', () => {
    const verdict = judgeChange(variant(MODIFY_CONDITIONAL, { Action: 'SyncWithActual' }), SECRETS_UNPROTECTED);

    expect(verdict).toMatchObject({ safe: false, rule: 'conditional-replacement' });
  });
});

describe('rule: unknown-action (anything else)', () => {
  it('non-compliant 1: "Delete", the spelling the blog sample checks, is not an action the API sends and is unsafe', () => {
    const verdict = judgeChange(variant(REMOVE, { Action: 'Delete' as ResourceChange['Action'] }), policy({ allowRemoval: ['MyEC2Instance'] }));

    expect(verdict).toEqual({ safe: false, rule: 'unknown-action', reason: `${RULE_MESSAGES['unknown-action']} (Delete)` });
  });

  it('non-compliant 2: a change without an Action is unsafe', () => {
    const { Action: _omitted, ...withoutAction } = ADD;

    const verdict = judgeChange(withoutAction, NOTHING_ALLOWED);

    expect(verdict).toEqual({ safe: false, rule: 'unknown-action', reason: `${RULE_MESSAGES['unknown-action']} (no Action)` });
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])(
    'non-compliant 3: an action named like an Object member ("%s") is an unknown action, not a lookup of the rule table\'s prototype',
    (action) => {
      const verdict = judgeChange(variant(ADD, { Action: action as ResourceChange['Action'] }), NOTHING_ALLOWED);

      expect(verdict).toEqual({ safe: false, rule: 'unknown-action', reason: `${RULE_MESSAGES['unknown-action']} (${action})` });
    },
  );
});

describe('which entries of a policy list match a change', () => {
  const nestedReplacement = variant(NESTED_FUNCTION, { Replacement: 'True' });

  it('a nested stack\'s resource is allowed by its path, Parent/Child', () => {
    const verdict = judgeChange(nestedReplacement, policy({ allowReplacement: ['ChildStack/function'] }), 'ChildStack/');

    expect(verdict).toMatchObject({ safe: true, rule: 'replacement' });
  });

  it('a nested stack\'s resource is allowed by its resource type', () => {
    const verdict = judgeChange(nestedReplacement, policy({ allowReplacement: ['AWS::Lambda::Function'] }), 'ChildStack/');

    expect(verdict).toMatchObject({ safe: true, rule: 'replacement' });
  });

  it('a path deeper than one level is matched whole', () => {
    const verdict = judgeChange(nestedReplacement, policy({ allowReplacement: ['Outer/ChildStack/function'] }), 'Outer/ChildStack/');

    expect(verdict.safe).toBe(true);
  });

  it('a bare logical id names the top-level resource only: it does not allow a nested stack\'s resource of the same id', () => {
    const verdict = judgeChange(nestedReplacement, policy({ allowReplacement: ['function'] }), 'ChildStack/');

    expect(verdict).toMatchObject({ safe: false, rule: 'replacement' });
  });

  it('a path names the nested resource only: it does not allow a top-level resource of the same id', () => {
    const verdict = judgeChange(nestedReplacement, policy({ allowReplacement: ['ChildStack/function'] }));

    expect(verdict.safe).toBe(false);
  });

  it('another nested stack\'s path does not match', () => {
    const verdict = judgeChange(nestedReplacement, policy({ allowReplacement: ['OtherStack/function'] }), 'ChildStack/');

    expect(verdict.safe).toBe(false);
  });
});

describe('replacementCauses', () => {
  it('names each property that always or may replace, with its source, once each (published KeyName/InstanceType change)', () => {
    const causes = replacementCauses(MODIFY_TRUE);

    expect(causes).toEqual([
      'Properties.KeyName (always replaces, DirectModification)',
      'Properties.InstanceType (may replace, DirectModification)',
      'Properties.KeyName (always replaces, ParameterReference KeyPairName)',
      'Properties.InstanceType (may replace, ParameterReference InstanceType)',
    ]);
  });

  it('names an attribute without a property name (published Conditional Tags change)', () => {
    const causes = replacementCauses(MODIFY_CONDITIONAL);

    expect(causes).toEqual(['Properties.Description (may replace, DirectModification)', 'Tags (may replace, DirectModification)']);
  });

  it('drops repeated causes', () => {
    const detail = MODIFY_TRUE_POLICY_ACTION.Details![1];

    const causes = replacementCauses(variant(MODIFY_TRUE_POLICY_ACTION, { Details: [detail, detail] }));

    expect(causes).toEqual(['Properties.TopicName (always replaces, DirectModification)']);
  });

  it('is empty for an in-place change (RequiresRecreation Never) and for a removal (no details)', () => {
    expect(replacementCauses(MODIFY_FALSE)).toEqual([]);
    expect(replacementCauses(REMOVE)).toEqual([]);
  });
});

describe('patterns, protection and built-in allowances', () => {
  const change = (logicalId: string, type: string, action: 'Remove' | 'Modify', extra: Partial<ResourceChange> = {}): ResourceChange =>
    ({ Action: action, LogicalResourceId: logicalId, ResourceType: type, ...(action === 'Modify' ? { Replacement: 'True' } : {}), ...extra }) as ResourceChange;

  it.each([
    ['a type pattern', 'AWS::Lambda::*', change('Fn', 'AWS::Lambda::Function', 'Modify'), '', true],
    ['a custom resource pattern', 'Custom::*', change('Seed', 'Custom::DatabaseSeed', 'Modify'), '', true],
    ['a custom type whose name uses _, @ and -', 'Custom::Seed_Data@v2-beta', change('Seed', 'Custom::Seed_Data@v2-beta', 'Modify'), '', true],
    ['a module type', 'MyOrg::Network::Vpc::MODULE', change('Vpc', 'MyOrg::Network::Vpc::MODULE', 'Modify'), '', true],
    ['a nested path pattern', 'Network/*', change('Subnet', 'AWS::EC2::Subnet', 'Modify'), 'Network/', true],
    ['a single-character wildcard', 'Queue?', change('Queue2', 'AWS::SQS::Queue', 'Modify'), '', true],
    ['a path pattern does not reach another nested stack', 'Network/*', change('Subnet', 'AWS::EC2::Subnet', 'Modify'), 'Other/', false],
    ['a type pattern does not name logical ids', 'AWS::Lambda::*', change('AWS', 'AWS::SQS::Queue', 'Modify'), '', false],
  ])('allowReplacement with %s', (_case, entry, resource, path, safe) => {
    expect(judgeChange(resource, policy({ allowReplacement: [entry] }), path).safe).toBe(safe);
  });

  it('protect beats every allow list, and names the entry that matched', () => {
    const verdict = judgeChange(change('Orders', 'AWS::SQS::Queue', 'Remove'), policy({ allowRemoval: ['*'], protect: ['Ord*'] }));

    expect(verdict).toMatchObject({ safe: false, rule: 'removal', matched: 'safetyPolicy.protect: Ord*' });
    expect(verdict.reason).toMatch(/protected by safetyPolicy.protect \("Ord\*"\), which no allow list overrides/);
  });

  it('protects the built-in data-bearing types even when an allow list names them, with the reason; unprotect lifts it by name', () => {
    const table = change('Users', 'AWS::DynamoDB::Table', 'Modify');

    const verdict = judgeChange(table, policy({ allowReplacement: ['Users'] }));

    expect(verdict).toMatchObject({ safe: false, matched: 'built-in protected type: AWS::DynamoDB::Table' });
    expect(verdict.reason).toMatch(/a replacement is a new, empty table.*Name it in safetyPolicy\.unprotect/);
    expect(judgeChange(table, policy({ allowReplacement: ['Users'], unprotect: ['AWS::DynamoDB::Table'] })).safe).toBe(true);
  });

  it('allows the built-in harmless replacements with no entry, and not once builtInAllowances is false', () => {
    for (const type of ['AWS::CDK::Metadata', 'AWS::ApiGateway::Deployment', 'AWS::Lambda::Version', 'AWS::Lambda::Permission']) {
      const replaced = change('Thing', type, 'Modify', { Replacement: 'Conditional' });
      expect(judgeChange(replaced, NOTHING_ALLOWED)).toMatchObject({ safe: true, matched: `built-in harmless replacement: ${type}` });
      expect(judgeChange(replaced, policy({ builtInAllowances: false })).safe).toBe(false);
    }
    // CDK renames a deployment on every API change: the old one is removed, which is just as harmless.
    expect(judgeChange(change('DeploymentA1B2', 'AWS::ApiGateway::Deployment', 'Remove'), NOTHING_ALLOWED).safe).toBe(true);
    expect(judgeChange(change('DeploymentA1B2', 'AWS::ApiGateway::Deployment', 'Remove'), policy({ builtInAllowances: false })).safe).toBe(false);
  });

  it('allows a removal CloudFormation retains (it deletes nothing), even of a data-bearing type; retainedRemovals "reject" blocks it', () => {
    const retained = change('Archive', 'AWS::S3::Bucket', 'Remove', { PolicyAction: 'Retain' });

    expect(judgeChange(retained, NOTHING_ALLOWED)).toEqual({
      safe: true,
      rule: 'retained-removal',
      reason: 'removes the resource from the stack; CloudFormation keeps it in the account (DeletionPolicy Retain)',
      matched: 'safetyPolicy.retainedRemovals: allow',
    });
    expect(judgeChange(retained, policy({ retainedRemovals: 'reject' })).safe).toBe(false);
    expect(judgeChange(retained, policy({ protect: ['Archive'] })).safe).toBe(false);
  });

  it('a ReplaceAndRetain replacement is still a replacement: the stack moves to a new, empty resource', () => {
    const verdict = judgeChange(change('Archive', 'AWS::SNS::Topic', 'Modify', { PolicyAction: 'ReplaceAndRetain' }), NOTHING_ALLOWED);

    expect(verdict).toMatchObject({ safe: false, rule: 'replacement' });
    expect(verdict.reason).toBe(
      'replaces the resource (a new one is created and the old one deleted); the old one is kept in the account (ReplaceAndRetain), but the stack moves to the new, empty resource',
    );
  });


  it.each([
    [{ allowRemoval: [''] }, /safetyPolicy\.allowRemoval\.0: "" is empty/],
    [{ allowReplacement: ['My Table'] }, /safetyPolicy\.allowReplacement\.0: "My Table" is neither a logical id/],
    [{ protect: ['AWS::'] }, /"AWS::" is neither a logical id/],
    [{ protect: ['Users'], allowRemoval: ['Users'] }, /safetyPolicy\.allowRemoval: "Users" is also in protect, which always wins/],
    [{ unprotect: ['AWS::SNS::Topic'] }, /safetyPolicy\.unprotect\.0: must name built-in protected types/],
    [{ retainedRemovals: 'keep' }, /safetyPolicy\.retainedRemovals: must be "allow" or "reject"/],
    [{ allowReplacement: 'AWS::SNS::Topic' }, /safetyPolicy\.allowReplacement: must be a list/],
    [{ protect: ['Custom::Seed.Data'] }, /"Custom::Seed\.Data" is neither a logical id/],
  ])('refuses a policy that cannot mean what it says: %j', (safetyPolicy, message) => {
    expect(() => parseDeploymentInput({ environmentName: 'prod', stackName: 'app', templatePath: 't.yaml', revisionS3Bucket: 'bucket', revisionS3Key: 'a.zip', safetyPolicy })).toThrow(message);
  });

  it('accepts every type CloudFormation can name: custom types with _, @ and -, module types', () => {
    const safetyPolicy = { allowReplacement: ['Custom::Seed_Data@v2-beta', 'MyOrg::Network::Vpc::MODULE', 'Custom::*'] };

    const parsed = parseDeploymentInput({ environmentName: 'prod', stackName: 'app', templatePath: 't.yaml', revisionS3Bucket: 'bucket', revisionS3Key: 'a.zip', safetyPolicy });

    expect(parsed.safetyPolicy?.allowReplacement).toEqual(safetyPolicy.allowReplacement);
  });
});

describe('honest wording: what CloudFormation can and cannot say before the update', () => {
  it('a Conditional replacement says it depends on the new values, not on deploy time', () => {
    expect(judgeChange(MODIFY_CONDITIONAL, NOTHING_ALLOWED).reason).toBe(
      'may replace the resource (Replacement Conditional: whether it does depends on the new property values); AWS::SecretsManager::Secret is protected built in (a Secrets Manager secret: a replacement is a new secret with a new value and ARN). Name it in safetyPolicy.unprotect to allow this',
    );
  });

  it('names the properties CloudFormation can only evaluate during the update (Evaluation Dynamic)', () => {
    const byReference = variant(MODIFY_CONDITIONAL, {
      ResourceType: 'AWS::EC2::Instance',
      Details: [
        { Target: { Attribute: 'Properties', Name: 'ImageId', RequiresRecreation: 'Always' }, Evaluation: 'Dynamic', ChangeSource: 'ResourceAttribute', CausingEntity: 'Ami.ImageId' },
        { Target: { Attribute: 'Properties', Name: 'UserData', RequiresRecreation: 'Never' }, Evaluation: 'Dynamic', ChangeSource: 'ResourceReference', CausingEntity: 'Config' },
      ],
    });

    expect(judgeChange(byReference, NOTHING_ALLOWED).reason).toBe(
      'may replace the resource (Replacement Conditional: whether it does depends on the new property values); CloudFormation can only tell during the update whether Properties.ImageId changes (Evaluation Dynamic)',
    );
  });

  it('does not call a property uncertain when CloudFormation also evaluated it statically (the published KeyName change)', () => {
    expect(judgeChange(MODIFY_TRUE, NOTHING_ALLOWED).reason).toBe(RULE_MESSAGES.replacement);
  });

  it('a Dynamic action says CloudFormation cannot determine it, and that it may remove or replace', () => {
    expect(judgeChange(variant(MODIFY_FALSE, { Action: 'Dynamic' }), NOTHING_ALLOWED).reason).toBe(
      'is an action CloudFormation cannot determine before the update (Action Dynamic): it may remove or replace the resource',
    );
  });
});

describe('the built-in lists', () => {
  it('name real CloudFormation types (the resource specification knows each; the CDK\'s own metadata resource aside), with a one-line reason', () => {
    for (const [type, reason] of [...Object.entries(PROTECTED_DATA_TYPES), ...Object.entries(HARMLESS_REPLACEMENT_TYPES)]) {
      if (type !== 'AWS::CDK::Metadata') expect([type, resourceSchema(type)?.cloudFormationType]).toEqual([type, type]);
      expect(reason).not.toContain('\n');
    }
  });

  it('never both protect and allow a type', () => {
    expect(Object.keys(PROTECTED_DATA_TYPES).filter((type) => Object.hasOwn(HARMLESS_REPLACEMENT_TYPES, type))).toEqual([]);
  });
});
