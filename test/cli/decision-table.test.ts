/**
 * The decision table the command line prints, and the README's worked example, which must be what
 * the policy code and the table really produce for that change set.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Change, ResourceChange } from '@aws-sdk/client-cloudformation';
import { describeEntry, formatDecisionTable } from '../../cli/decision-table';
import { judgeChanges } from '../../functions/shared/safety-policy';
import { fitDecisionRecord } from '../../functions/shared/inspection';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

const change = (resource: ResourceChange): { path: string; change: Change } => ({ path: '', change: { Type: 'Resource', ResourceChange: resource } });
const renamed = () => ({
  Target: { Attribute: 'Properties' as const, Name: 'TopicName', RequiresRecreation: 'Always' as const },
  Evaluation: 'Static' as const,
  ChangeSource: 'DirectModification' as const,
});

/** The change set of the README's worked example. */
const EXAMPLE = [
  change({ Action: 'Modify', LogicalResourceId: 'OrderEvents', ResourceType: 'AWS::SNS::Topic', Replacement: 'True', PolicyAction: 'ReplaceAndDelete', Details: [renamed()] }),
  change({ Action: 'Modify', LogicalResourceId: 'AuditEvents', ResourceType: 'AWS::SNS::Topic', Replacement: 'True', PolicyAction: 'ReplaceAndDelete', Details: [renamed()] }),
  change({ Action: 'Modify', LogicalResourceId: 'Handler', ResourceType: 'AWS::Lambda::Function', Replacement: 'False' }),
  change({ Action: 'Modify', LogicalResourceId: 'HandlerVersion', ResourceType: 'AWS::Lambda::Version', Replacement: 'True', PolicyAction: 'ReplaceAndDelete' }),
  change({ Action: 'Remove', LogicalResourceId: 'ArchiveTable', ResourceType: 'AWS::DynamoDB::Table', PolicyAction: 'Retain' }),
  change({ Action: 'Modify', LogicalResourceId: 'CDKMetadata', ResourceType: 'AWS::CDK::Metadata', Replacement: 'Conditional', PolicyAction: 'ReplaceAndDelete' }),
];

/** The lines of the README's fenced block that follows `heading`'s first fenced block. */
function secondBlockAfter(heading: string): string[] {
  const section = README.slice(README.indexOf(heading));
  const blocks = [...section.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((match) => match[1]);
  return blocks[1].trimEnd().split('\n');
}

describe('the decision table', () => {
  it("prints the README's worked example exactly as the README shows it", () => {
    const policy = JSON.parse(`{${README.slice(README.indexOf('### A worked example')).match(/```json\n([\s\S]*?)```/)![1]}}`).safetyPolicy;

    const record = judgeChanges(EXAMPLE, policy);

    expect(formatDecisionTable(record, '')).toEqual(secondBlockAfter('### A worked example'));
  });

  it('says how many changes the execution data left out', () => {
    const record = fitDecisionRecord(judgeChanges(EXAMPLE, {}), 2);

    const lines = formatDecisionTable(record);

    expect(lines).toHaveLength(1 + 1 + 2 + 1);
    expect(lines.at(-1)).toBe("    … and 4 more change(s), counted above but not kept in the execution's data");
  });

  it('names the policy entry: the list and entry, a built-in one as built-in, a lifted protection', () => {
    expect(describeEntry(undefined)).toBe('-');
    expect(describeEntry({ source: 'built-in protected types', entry: 'AWS::S3::Bucket', builtIn: true, reason: 'holds objects' })).toBe('built-in: AWS::S3::Bucket');
    expect(describeEntry({ source: 'safetyPolicy.allowRemoval', entry: 'Users*', builtIn: false, unprotectedBy: 'AWS::DynamoDB::Table' })).toBe(
      'allowRemoval: Users* (unprotect: AWS::DynamoDB::Table)',
    );
  });

  it('shows a Modify that does not say whether it replaces as "(not stated)"', () => {
    const record = judgeChanges([change({ Action: 'Modify', LogicalResourceId: 'Queue', ResourceType: 'AWS::SQS::Queue' })], {});

    expect(formatDecisionTable(record)[2]).toMatch(/^\s+BLOCKED\s+Queue\s+AWS::SQS::Queue\s+Modify\s+\(not stated\)\s+not-allowed\s+-$/);
  });
});
