import { parseTemplateConfiguration } from '../../../functions/shared/template-configuration';
import { InvalidInputError } from '../../../functions/shared/errors';
import { TEMPLATE_CONFIGURATION } from '../../helpers/aws';
import { thrownBy } from '../helpers';

const WHERE = '"infra/prod.json" in s3://artifact-bucket/pipeline/source/abc123.zip';

describe('parseTemplateConfiguration', () => {
  it('turns Parameters and Tags into CloudFormation\'s lists', () => {
    const configuration = parseTemplateConfiguration(TEMPLATE_CONFIGURATION, WHERE);

    expect(configuration).toEqual({
      parameters: [{ ParameterKey: 'TableName', ParameterValue: 'users' }],
      tags: [{ Key: 'team', Value: 'platform' }],
    });
  });

  it('keeps the order of several parameters and tags', () => {
    const text = JSON.stringify({ Parameters: { KeyPairName: 'MyKeyName', InstanceType: 't2.micro', Purpose: 'testing' }, Tags: { a: '1', b: '' } });

    const configuration = parseTemplateConfiguration(text, WHERE);

    expect(configuration.parameters.map((p) => p.ParameterKey)).toEqual(['KeyPairName', 'InstanceType', 'Purpose']);
    expect(configuration.tags).toEqual([{ Key: 'a', Value: '1' }, { Key: 'b', Value: '' }]);
  });

  it('reads a file with only Parameters, only Tags, or neither', () => {
    expect(parseTemplateConfiguration('{"Parameters": {"A": "x"}}', WHERE)).toEqual({ parameters: [{ ParameterKey: 'A', ParameterValue: 'x' }], tags: [] });
    expect(parseTemplateConfiguration('{"Tags": {"t": "v"}}', WHERE)).toEqual({ parameters: [], tags: [{ Key: 't', Value: 'v' }] });
    expect(parseTemplateConfiguration('{}', WHERE)).toEqual({ parameters: [], tags: [] });
  });

  it.each([
    ['text that is not JSON', 'Parameters:\n  A: x\n', /^The template configuration .* is not valid JSON: Unexpected token/],
    ['a StackPolicy, which change sets cannot set', JSON.stringify({ Parameters: {}, StackPolicy: { Statement: [] } }), /has a StackPolicy, which this deployer does not apply.*set-stack-policy/],
    ['an unknown field', JSON.stringify({ Parameters: {}, Tag: { a: 'b' } }), /is invalid: unknown field\(s\) Tag \(only Parameters and Tags are read\)\.$/],
    ['a parameter value that is not a string', JSON.stringify({ Parameters: { Count: 3 } }), /is invalid: Parameters\.Count: parameter values must be strings\.$/],
    ['a tag value that is not a string', JSON.stringify({ Tags: { cost: null } }), /is invalid: Tags\.cost: tag values must be strings\.$/],
    ['Parameters as a list (the CLI\'s format, not CodePipeline\'s)', JSON.stringify({ Parameters: [{ ParameterKey: 'A', ParameterValue: 'x' }] }), /is invalid: Parameters: /],
    ['a document that is a list', '[]', /is invalid: \(document\): /],
  ])('refuses %s with an InvalidInputError naming the file', (_case, text, message) => {
    const error = thrownBy(() => parseTemplateConfiguration(text, WHERE));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain(WHERE);
    expect(error.message).toMatch(message);
  });
});
