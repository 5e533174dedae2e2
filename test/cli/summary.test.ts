import { formatSummary, summarise } from '../../cli/summary';

describe('the CLI summary of a deployment that inspected a change set', () => {
  it('prints the decision record as a table: verdict, action, resource, type, rule and what decided it', () => {
    const summary = summarise(
      {
        status: 'SUCCEEDED',
        path: [],
        elapsedSeconds: 3,
        output: {
          deployment: { stackName: 'prod-orders' },
          changeSet: { name: 'deploy-x' },
          inspection: {
            changes: [
              { logicalResourceId: 'ApiDeploymentA41C', resourceType: 'AWS::ApiGateway::Deployment', action: 'Remove', verdict: 'allowed', rule: 'removal', reason: 'r', matched: 'built-in harmless replacement: AWS::ApiGateway::Deployment', causes: [] },
              { logicalResourceId: 'Network/Subnet', resourceType: 'AWS::EC2::Subnet', action: 'Modify', replacement: 'True', verdict: 'allowed', rule: 'replacement', reason: 'r', matched: 'safetyPolicy.allowReplacement: Network/*', causes: [] },
              { logicalResourceId: 'Topic', resourceType: 'AWS::SNS::Topic', action: 'Add', verdict: 'allowed', rule: 'add', reason: 'r', causes: [] },
            ],
          },
          result: { decision: 'UPDATED', stackId: 'id', status: 'UPDATE_COMPLETE', outputs: [] },
        },
      },
      'prod-orders',
    );

    const lines = formatSummary(summary).split('\n');

    expect(lines).toContain('  Decision (3 change(s)):');
    const table = lines.slice(lines.indexOf('  Decision (3 change(s)):') + 1, lines.indexOf('  Decision (3 change(s)):') + 5);
    expect(table[0]).toMatch(/^ {4}VERDICT\s+ACTION\s+RESOURCE\s+TYPE\s+RULE\s+DECIDED BY$/);
    expect(table[1]).toMatch(/^ {4}ALLOWED\s+Remove\s+ApiDeploymentA41C\s+AWS::ApiGateway::Deployment\s+removal\s+built-in harmless replacement: AWS::ApiGateway::Deployment$/);
    expect(table[2]).toMatch(/^ {4}ALLOWED\s+Modify \(Replacement True\)\s+Network\/Subnet\s+AWS::EC2::Subnet\s+replacement\s+safetyPolicy\.allowReplacement: Network\/\*$/);
    expect(table[3]).toMatch(/Topic\s+AWS::SNS::Topic\s+add\s+-$/);
  });
});
