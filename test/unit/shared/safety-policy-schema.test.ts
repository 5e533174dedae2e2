/**
 * The safety policy as the input document writes it: what is accepted, and the error for each
 * entry that could never match or contradicts another (checked at Prepare Deployment and by
 * `validate`, both through parseDeploymentInput).
 */
import { InvalidInputError } from '../../../functions/shared/errors';
import { parseDeploymentInput } from '../../../functions/shared/input';
import { PROTECTED_TYPES, HARMLESS_REPLACEMENTS } from '../../../functions/shared/policy-built-ins';
import { compilePattern, patternMatches, patternProblem } from '../../../functions/shared/policy-patterns';
import { input } from '../../helpers/aws';
import { thrownBy } from '../helpers';

function problemWith(safetyPolicy: unknown): string {
  const error = thrownBy(() => parseDeploymentInput(input({ safetyPolicy })));
  expect(error).toBeInstanceOf(InvalidInputError);
  return error.message;
}

describe('safetyPolicy: accepted', () => {
  it('takes every field, patterns included, and keeps them as written', () => {
    const safetyPolicy = {
      allowRemoval: ['LegacyQueue', 'Network/*', 'Custom::*'],
      allowReplacement: ['AWS::Lambda::*', 'Api?Deployment'],
      protect: ['UsersTable', 'AWS::S3::Bucket'],
      unprotect: ['AWS::Kinesis::Stream', 'CacheTable', 'AWS::RDS::*'],
      builtInAllowances: false,
      retainedRemovals: 'reject',
    };

    expect(parseDeploymentInput(input({ safetyPolicy })).safetyPolicy).toEqual(safetyPolicy);
  });

  it('accepts third-party and module types (Vendor::Service::Resource::MODULE)', () => {
    expect(parseDeploymentInput(input({ safetyPolicy: { protect: ['MyOrg::Data::Store', 'MyOrg::Data::Store::MODULE', 'Custom::My_Seeder-2'] } })).safetyPolicy?.protect).toHaveLength(3);
  });
});

describe('safetyPolicy: refused, with what was wrong, where, and how to fix it', () => {
  it('an unknown key', () => {
    expect(problemWith({ protected: ['UsersTable'] })).toBe(
      'Invalid deployment input: safetyPolicy.protected: unknown field (check its spelling; see the README for the fields).',
    );
  });

  it('an empty entry', () => {
    expect(problemWith({ protect: [''] })).toBe(
      'Invalid deployment input: safetyPolicy.protect.0: "" is empty; name a logical id (UsersTable), a nested path (Network/Subnet) or a resource type (AWS::S3::Bucket).',
    );
  });

  it.each([
    ['a logical id with a hyphen (a physical name, not a logical id)', 'users-table', /is not a logical id: CloudFormation logical ids have only letters and digits/],
    ['a regular expression', 'Users.*', /is not a logical id/],
    ['a type with one colon', 'AWS::S3:Bucket', /is not a resource type pattern: write Vendor::Service::Resource/],
    ['a single-colon type', 'AWS:S3', /is not a resource type: resource types separate their parts with "::"/],
    ['a trailing slash', 'Network/', /is not a nested path: join logical ids with single "\/"/],
    ['a double slash', 'Network//Subnet', /is not a nested path/],
    ['spaces around the entry', ' UsersTable', /has leading or trailing spaces/],
    ['a bare type vendor', 'AWS::', /is not a resource type pattern/],
  ])('a malformed entry: %s', (_name, entry, message) => {
    expect(problemWith({ allowReplacement: ['Fine', entry] })).toMatch(new RegExp(`^Invalid deployment input: safetyPolicy\\.allowReplacement\\.1: "${entry.replace(/[.*?/\\]/g, '\\$&')}" ${message.source}`));
  });

  it('an entry in both protect and an allow list', () => {
    expect(problemWith({ protect: ['UsersTable'], allowReplacement: ['UsersTable'] })).toBe(
      'Invalid deployment input: safetyPolicy.allowReplacement: "UsersTable" is also in safetyPolicy.protect; protect always wins, so remove it from one of the two lists.',
    );
  });

  it('an entry in both protect and unprotect', () => {
    expect(problemWith({ protect: ['AWS::S3::Bucket'], unprotect: ['AWS::S3::Bucket'] })).toMatch(/safetyPolicy\.unprotect: "AWS::S3::Bucket" is also in safetyPolicy\.protect/);
  });

  it('a type in unprotect that is not a built-in protected type, so it can never lift anything', () => {
    expect(problemWith({ unprotect: ['AWS::SQS::Queue'] })).toMatch(/^Invalid deployment input: safetyPolicy\.unprotect\.0: "AWS::SQS::Queue" is not a built-in protected type, so there is nothing to unprotect/);
  });

  it('a wrong value for builtInAllowances or retainedRemovals', () => {
    expect(problemWith({ builtInAllowances: 'no', retainedRemovals: 'keep' })).toBe(
      'Invalid deployment input: safetyPolicy.builtInAllowances: must be true or false; safetyPolicy.retainedRemovals: must be "allow" or "reject".',
    );
  });

  it('a list that is not a list', () => {
    expect(problemWith({ protect: 'UsersTable' })).toMatch(/^Invalid deployment input: safetyPolicy\.protect: must be a list of logical ids, nested paths or resource types/);
  });
});

describe('patterns', () => {
  const matches = (entry: string, id: string, type = 'AWS::SQS::Queue') => patternMatches(compilePattern(entry), { id, type });

  it('* matches any run of characters, / and :: included; ? exactly one', () => {
    expect(matches('Network/*', 'Network/Subnet')).toBe(true);
    expect(matches('Network/*', 'Network/Inner/Subnet')).toBe(true);
    expect(matches('Network/*', 'NetworkSubnet')).toBe(false);
    expect(matches('Queue?', 'Queue1')).toBe(true);
    expect(matches('Queue?', 'Queue12')).toBe(false);
    expect(matches('AWS::Lambda::*', 'Fn', 'AWS::Lambda::Version')).toBe(true);
    expect(matches('Custom::*', 'Seeder', 'Custom::DatabaseSeeder')).toBe(true);
    expect(matches('Custom::*', 'Seeder', 'AWS::CloudFormation::CustomResource')).toBe(false);
  });

  it('matches whole names, case-sensitively, and never as a regular expression', () => {
    expect(matches('Queue', 'Queue2')).toBe(false);
    expect(matches('queue', 'Queue')).toBe(false);
    expect(matches('A?B', 'A.B')).toBe(true);
    expect(patternProblem('A.B')).toBeDefined();
  });

  it('a type entry names the type, a logical-id entry the resource', () => {
    expect(matches('AWS::SQS::Queue', 'AWS::SQS::Queue', 'AWS::SNS::Topic')).toBe(false);
    expect(matches('Queue', 'Other', 'Queue')).toBe(false);
  });
});

describe('the built-in lists', () => {
  it('name each type once, with a one-line reason, and no type is both protected and a harmless replacement', () => {
    const all = [...PROTECTED_TYPES, ...HARMLESS_REPLACEMENTS];
    expect(new Set(all.map((entry) => entry.type)).size).toBe(all.length);
    for (const entry of all) {
      expect(patternProblem(entry.type)).toBeUndefined();
      expect(entry.reason).not.toMatch(/\n/);
      expect(entry.reason.length).toBeGreaterThan(20);
    }
  });

  it('protect the data stores the issue names', () => {
    const types = PROTECTED_TYPES.map((entry) => entry.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'AWS::RDS::DBInstance',
        'AWS::RDS::DBCluster',
        'AWS::DynamoDB::Table',
        'AWS::S3::Bucket',
        'AWS::EFS::FileSystem',
        'AWS::Cognito::UserPool',
        'AWS::KMS::Key',
        'AWS::Kinesis::Stream',
        'AWS::OpenSearchService::Domain',
        'AWS::ECR::Repository',
        'AWS::SecretsManager::Secret',
        'AWS::Backup::BackupVault',
        'AWS::Timestream::Table',
        'AWS::DocDB::DBCluster',
      ]),
    );
  });
});
