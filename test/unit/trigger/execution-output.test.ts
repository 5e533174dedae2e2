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
    expect(Object.keys(outputVariables)).toEqual(['StackName', 'StackId', 'Decision']);
    expect(leftOut.map((entry) => entry.key)).toEqual(['Has.Dot', 'Empty']);
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
