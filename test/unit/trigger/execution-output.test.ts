import { outputVariablesOf, successReport } from '../../../functions/trigger/execution-output';
import { MAX_EXECUTION_SUMMARY_LENGTH, MAX_OUTPUT_VARIABLES_BYTES } from '../../../functions/trigger/limits';
import type { Approval, NewStack } from '../../../functions/shared/state';

const base = {
  deployment: { stackName: 'prod-my-app' },
  result: { decision: 'UPDATED', stackId: 'arn:aws:cloudformation:us-west-2:123456789012:stack/prod-my-app/1', status: 'UPDATE_COMPLETE', summary: 'Updated.' },
};

function withOutputs(outputs: Array<{ OutputKey: string; OutputValue: string }>) {
  return { ...base, result: { ...base.result, outputs } };
}

describe('output variables', () => {
  it('keeps the whole map under the size CodePipeline accepts, naming what it left out', () => {
    const big = 'v'.repeat(10_000);
    const outputs = Array.from({ length: 20 }, (_, index) => ({ OutputKey: `Output${index}`, OutputValue: big }));

    const { outputVariables, leftOut } = outputVariablesOf(withOutputs(outputs));

    expect(Buffer.byteLength(JSON.stringify(outputVariables))).toBeLessThanOrEqual(MAX_OUTPUT_VARIABLES_BYTES);
    expect(Object.keys(outputVariables)).toContain('Output11');
    expect(leftOut.map((entry) => entry.key)).toEqual(['Output12', 'Output13', 'Output14', 'Output15', 'Output16', 'Output17', 'Output18', 'Output19']);
  });

  it('passes on a small output after a large one that did not fit', () => {
    const outputs = [
      { OutputKey: 'Huge', OutputValue: 'h'.repeat(MAX_OUTPUT_VARIABLES_BYTES) },
      { OutputKey: 'Small', OutputValue: 's' },
    ];
    const { outputVariables, leftOut } = outputVariablesOf(withOutputs(outputs));
    expect(outputVariables.Small).toBe('s');
    expect(leftOut).toEqual([{ key: 'Huge', reason: expect.stringContaining('122880 bytes'), from: 'stack output' }]);
  });

  it('puts the decision record\'s counts beside Decision when a change set was inspected, and none after a create', () => {
    const inspected = { ...base, changeSet: { name: 'deploy-x' }, inspection: { summary: 's', counts: { removals: 1, replacements: 2, blocked: 0 } } };

    expect(outputVariablesOf(inspected).outputVariables).toMatchObject({ Decision: 'UPDATED', Removals: '1', Replacements: '2', Blocked: '0' });
    expect(Object.keys(outputVariablesOf(base).outputVariables)).not.toContain('Removals');
  });

  it('never lets a stack output replace one of the trigger\'s own variables', () => {
    const { outputVariables, leftOut } = outputVariablesOf(withOutputs([{ OutputKey: 'StackName', OutputValue: 'spoofed' }]));
    expect(outputVariables.StackName).toBe('prod-my-app');
    expect(leftOut[0]).toMatchObject({ key: 'StackName' });
  });

  it('leaves out names CodePipeline refuses and empty values', () => {
    const { outputVariables, leftOut } = outputVariablesOf(withOutputs([{ OutputKey: 'Has.Dot', OutputValue: 'x' }, { OutputKey: 'Empty', OutputValue: '' }]));
    expect(Object.keys(outputVariables)).toEqual(['StackName', 'StackId', 'Decision', 'DeployedStackName', 'PreviousStackName', 'Strategy']);
    expect(leftOut.map((entry) => entry.key)).toEqual(['Has.Dot', 'Empty']);
  });

  it('says in the summary that outputs were left out, naming those whose names the deployer\'s own variables take', () => {
    const output = withOutputs([
      { OutputKey: 'StackId', OutputValue: 'x' },
      { OutputKey: 'Has.Dot', OutputValue: 'x' },
    ]);
    expect(successReport(JSON.stringify(output), 'codepipeline-1').summary).toBe(
      'Updated. Stack output(s) StackId were not set as output variables: the deployer\'s own variables of those names win. 1 stack output(s) were not set as output variables (see the trigger\'s log). (execution codepipeline-1)',
    );
  });

  it('builds a summary when the result has none', () => {
    const output = { deployment: { stackName: 'prod-my-app' }, result: { decision: 'NO_CHANGES' } };
    expect(successReport(JSON.stringify(output), 'codepipeline-1').summary).toBe('Deployment of prod-my-app succeeded: NO_CHANGES. (execution codepipeline-1)');
  });

  it.each([[undefined], [''], ['[1,2]'], ['{"result": {"outputs": "not a list"}}']])('reads an unusable output %p as "no variables"', (output) => {
    expect(successReport(output, 'codepipeline-1')).toMatchObject({ outputVariables: {}, summary: expect.stringContaining('could not be read') });
  });
});

describe('how the deployment went out: DeployedStackName, PreviousStackName, Strategy', () => {
  const newStack: NewStack = {
    previousStackName: 'prod-my-app',
    previousStackId: 'arn:aws:cloudformation:us-west-2:123456789012:stack/prod-my-app/1',
    suffix: '3f2a9c1b',
    reason: 'the change set would replace Table (AWS::DynamoDB::Table)',
  };
  const beside = {
    deployment: { stackName: 'prod-my-app-3f2a9c1b', newStack },
    result: { decision: 'CREATED', stackId: 'arn:aws:cloudformation:us-west-2:123456789012:stack/prod-my-app-3f2a9c1b/2', status: 'CREATE_COMPLETE', summary: 'Created stack prod-my-app-3f2a9c1b.' },
  };

  it('in place: the stack deployed to is also the previous one', () => {
    expect(outputVariablesOf(base).outputVariables).toMatchObject({ DeployedStackName: 'prod-my-app', PreviousStackName: 'prod-my-app', Strategy: 'IN_PLACE' });
  });

  it('as a new stack: names both stacks, and the summary says the live one was left untouched, and why', () => {
    const report = successReport(JSON.stringify(beside), 'codepipeline-1');

    expect(report.outputVariables).toMatchObject({ StackName: 'prod-my-app-3f2a9c1b', DeployedStackName: 'prod-my-app-3f2a9c1b', PreviousStackName: 'prod-my-app', Strategy: 'NEW_STACK' });
    expect(report.summary).toBe(
      'Deployed as new stack prod-my-app-3f2a9c1b beside prod-my-app (left untouched): the change set would replace Table (AWS::DynamoDB::Table). Stack status CREATE_COMPLETE. (execution codepipeline-1)',
    );
  });

  it('says the new stack\'s status and the result\'s warnings, not the result\'s own summary of the same', () => {
    const updated = {
      ...beside,
      result: {
        ...beside.result,
        decision: 'UPDATED',
        status: 'UPDATE_COMPLETE',
        summary: 'Updated stack prod-my-app-3f2a9c1b as a new stack beside prod-my-app, which is left untouched (…) (UPDATE_COMPLETE, 0 outputs).',
        warnings: ['OldQueue (AWS::SQS::Queue): DELETE_SKIPPED'],
      },
    };
    expect(successReport(JSON.stringify(updated), 'codepipeline-1').summary).toBe(
      'Deployed as new stack prod-my-app-3f2a9c1b beside prod-my-app (left untouched): the change set would replace Table (AWS::DynamoDB::Table). Stack status UPDATE_COMPLETE. Warning: the update\'s clean-up left 1 old resource(s) behind: OldQueue (AWS::SQS::Queue): DELETE_SKIPPED. (execution codepipeline-1)',
    );
  });

  it('keeps its own variables when stack outputs share their names, and says so', () => {
    const outputs = [
      { OutputKey: 'Strategy', OutputValue: 'blue-green' },
      { OutputKey: 'PreviousStackName', OutputValue: 'spoofed' },
      { OutputKey: 'ApiUrl', OutputValue: 'https://api.example.com' },
    ];
    const report = successReport(JSON.stringify({ ...beside, result: { ...beside.result, outputs } }), 'codepipeline-1');

    expect(report.outputVariables).toMatchObject({ Strategy: 'NEW_STACK', PreviousStackName: 'prod-my-app', ApiUrl: 'https://api.example.com' });
    expect(report.leftOut.map((entry) => [entry.key, entry.nameTaken])).toEqual([
      ['Strategy', true],
      ['PreviousStackName', true],
    ]);
    expect(report.summary).toContain('Stack output(s) Strategy, PreviousStackName were not set as output variables: the deployer\'s own variables of those names win.');
  });

  it('never drops them for the size budget, however large the stack outputs', () => {
    const outputs = Array.from({ length: 30 }, (_, index) => ({ OutputKey: `Output${index}`, OutputValue: 'v'.repeat(MAX_OUTPUT_VARIABLES_BYTES / 10) }));

    const { outputVariables, leftOut } = outputVariablesOf({ ...beside, result: { ...beside.result, outputs } });

    expect(Buffer.byteLength(JSON.stringify(outputVariables))).toBeLessThanOrEqual(MAX_OUTPUT_VARIABLES_BYTES);
    expect(leftOut.length).toBeGreaterThan(0);
    expect(outputVariables).toMatchObject({ DeployedStackName: 'prod-my-app-3f2a9c1b', PreviousStackName: 'prod-my-app', Strategy: 'NEW_STACK' });
  });

  it('quotes a long reason only in part, keeping the execution\'s name in the summary', () => {
    const long = { ...beside, deployment: { ...beside.deployment, newStack: { ...newStack, reason: 'x'.repeat(5_000) } } };
    const { summary } = successReport(JSON.stringify(long), 'codepipeline-1');
    expect(summary.length).toBeLessThan(MAX_EXECUTION_SUMMARY_LENGTH);
    expect(summary).toMatch(/x … \(truncated\)\. Stack status CREATE_COMPLETE\. \(execution codepipeline-1\)$/);
  });

  it('reads an output whose newStack lacks the previous stack as unusable, rather than call it in place', () => {
    const broken = { ...beside, deployment: { ...beside.deployment, newStack: { suffix: 'x' } } };
    expect(successReport(JSON.stringify(broken), 'codepipeline-1')).toMatchObject({ outputVariables: {}, summary: expect.stringContaining('could not be read') });
  });
});

describe('after an approval', () => {
  const approval: Approval = {
    approved: true,
    approver: 'arn:aws:sts::123456789012:assumed-role/Release/alice',
    reason: 'the table rename is planned',
    changeSetId: 'arn:aws:cloudformation:us-west-2:123456789012:changeSet/deploy-codepipeline-1/9f1c',
    at: '2026-12-04T08:00:00.000Z',
  };
  const approved = (fields: Partial<Approval>, outputs: Array<{ OutputKey: string; OutputValue: string }> = []) => ({
    ...base,
    changeSet: { name: 'deploy-codepipeline-1' },
    inspection: { summary: '1 of 3 change(s) would remove or replace a resource: Table.', counts: { removals: 0, replacements: 1, blocked: 1 }, approval: { ...approval, ...fields } },
    result: { ...base.result, outputs },
  });

  it('names the approver and the reason in the summary and the output variables', () => {
    const report = successReport(JSON.stringify(approved({})), 'codepipeline-1');

    expect(report.summary).toBe('Updated. Approved by arn:aws:sts::123456789012:assumed-role/Release/alice: the table rename is planned. (execution codepipeline-1)');
    expect(report.outputVariables).toMatchObject({ ApprovedBy: approval.approver, ApprovalReason: 'the table rename is planned', Blocked: '1' });
  });

  it('says when no reason was given, and sets no ApprovalReason', () => {
    const report = successReport(JSON.stringify(approved({ reason: undefined })), 'codepipeline-1');

    expect(report.summary).toContain('Approved by arn:aws:sts::123456789012:assumed-role/Release/alice (no reason given).');
    expect(report.outputVariables.ApprovedBy).toBe(approval.approver);
    expect(report.outputVariables).not.toHaveProperty('ApprovalReason');
  });

  it('leaves out a reason too long for the budget, after the stack outputs, and says so', () => {
    const report = successReport(JSON.stringify(approved({ reason: 'r'.repeat(MAX_OUTPUT_VARIABLES_BYTES) }, [{ OutputKey: 'ApiUrl', OutputValue: 'https://api.example.com' }])), 'codepipeline-1');

    expect(report.outputVariables).toMatchObject({ ApprovedBy: approval.approver, ApiUrl: 'https://api.example.com' });
    expect(report.outputVariables).not.toHaveProperty('ApprovalReason');
    expect(report.leftOut).toEqual([{ key: 'ApprovalReason', reason: expect.stringContaining('122880 bytes'), from: 'approval' }]);
    expect(report.summary).toContain('ApprovalReason was not set as an output variable: CodePipeline allows 122880 bytes of output variables per action.');
    expect(report.summary.length).toBeLessThan(MAX_EXECUTION_SUMMARY_LENGTH);
  });

  it('keeps the approval variables\' names from stack outputs, also when nobody approved', () => {
    const { outputVariables, leftOut } = outputVariablesOf(withOutputs([{ OutputKey: 'ApprovedBy', OutputValue: 'nobody' }]));
    expect(outputVariables).not.toHaveProperty('ApprovedBy');
    expect(leftOut).toEqual([expect.objectContaining({ key: 'ApprovedBy', nameTaken: true })]);
  });

  it('ignores an approval it cannot read rather than lose the deployment\'s output', () => {
    const output = { ...approved({}), inspection: { summary: 's', approval: 'yes' } };
    const report = successReport(JSON.stringify(output), 'codepipeline-1');
    expect(report.summary).toBe('Updated. (execution codepipeline-1)');
    expect(report.outputVariables).toMatchObject({ StackName: 'prod-my-app', Strategy: 'IN_PLACE' });
    expect(report.outputVariables).not.toHaveProperty('ApprovedBy');
  });
});
