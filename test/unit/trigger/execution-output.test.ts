import { outputVariablesOf, successReport } from '../../../functions/trigger/execution-output';
import { MAX_OUTPUT_VARIABLES_BYTES } from '../../../functions/trigger/limits';

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
    expect(leftOut).toEqual([{ key: 'Huge', reason: expect.stringContaining('122880 bytes') }]);
  });

  it('never lets a stack output replace one of the trigger\'s own variables', () => {
    const { outputVariables, leftOut } = outputVariablesOf(withOutputs([{ OutputKey: 'StackName', OutputValue: 'spoofed' }]));
    expect(outputVariables.StackName).toBe('prod-my-app');
    expect(leftOut[0]).toMatchObject({ key: 'StackName' });
  });

  it('leaves out names CodePipeline refuses and empty values', () => {
    const { outputVariables, leftOut } = outputVariablesOf(withOutputs([{ OutputKey: 'Has.Dot', OutputValue: 'x' }, { OutputKey: 'Empty', OutputValue: '' }]));
    expect(Object.keys(outputVariables)).toEqual(['StackName', 'StackId', 'Decision', 'Removals', 'Replacements', 'Blocked']);
    expect(leftOut.map((entry) => entry.key)).toEqual(['Has.Dot', 'Empty']);
  });

  it("sets Removals, Replacements and Blocked from the decision record's counts, and hands the record on", () => {
    const decision = { verdict: 'SAFE', counts: { changes: 9, adds: 2, inPlaceModifications: 1, replacements: 4, removals: 2, undetermined: 0, blocked: 0 }, changes: [], omitted: 9 };
    const output = { ...base, changeSet: { name: 'deploy-x' }, inspection: { summary: 'safe', decision } };

    const report = successReport(JSON.stringify(output), 'codepipeline-1');

    expect(report.outputVariables).toMatchObject({ Decision: 'UPDATED', Removals: '2', Replacements: '4', Blocked: '0' });
    expect(report.decision).toEqual(decision);
  });

  it('sets the counts to 0 when no change set was inspected (a create), and hands on no record', () => {
    const report = successReport(JSON.stringify({ ...base, result: { ...base.result, decision: 'CREATED' } }), 'codepipeline-1');

    expect(report.outputVariables).toMatchObject({ Decision: 'CREATED', Removals: '0', Replacements: '0', Blocked: '0' });
    expect(report).not.toHaveProperty('decision');
  });

  it('never lets a stack output replace a count', () => {
    const { outputVariables, leftOut } = outputVariablesOf(withOutputs([{ OutputKey: 'Blocked', OutputValue: 'spoofed' }]));
    expect(outputVariables.Blocked).toBe('0');
    expect(leftOut[0]).toMatchObject({ key: 'Blocked' });
  });

  it('says in the summary that outputs were left out', () => {
    const output = withOutputs([{ OutputKey: 'StackId', OutputValue: 'x' }]);
    expect(successReport(JSON.stringify(output), 'codepipeline-1').summary).toBe('Updated. 1 stack output(s) were not set as output variables (see the trigger\'s log). (execution codepipeline-1)');
  });

  it('builds a summary when the result has none', () => {
    const output = { deployment: { stackName: 'prod-my-app' }, result: { decision: 'NO_CHANGES' } };
    expect(successReport(JSON.stringify(output), 'codepipeline-1').summary).toBe('Deployment of prod-my-app succeeded: NO_CHANGES. (execution codepipeline-1)');
  });

  it.each([[undefined], [''], ['[1,2]'], ['{"result": {"outputs": "not a list"}}']])('reads an unusable output %p as "no variables"', (output) => {
    expect(successReport(output, 'codepipeline-1')).toMatchObject({ outputVariables: {}, summary: expect.stringContaining('could not be read') });
  });
});
