/**
 * Bad input, end to end on the sandbox: each case is a whole deployment of an existing stack with
 * one thing wrong in the input document, the artifact, the template or its configuration. Each gets
 * a clear error naming the field, file or entry and how to fix it, and leaves the stack and its
 * change sets exactly as they were. (The trigger's own table, for UserParameters, job events,
 * continuation tokens and the input document as read from S3, is test/unit/trigger/bad-input.test.ts.)
 */
import './quiet-logs';
import * as path from 'path';
import { strToU8, zipSync } from 'fflate';
import { TASK_HANDLERS } from '../../functions/handlers';
import { causeText, loadScenario, runScenario, type Scenario } from '../../local/sandbox/scenario';
import { asUnixMode, withCentralEntry } from '../helpers/forged-zip';

const BASE = loadScenario(path.join(__dirname, '..', '..', 'examples', 'scenarios', 'safe-update'));
const TEMPLATE = BASE.artifact.files['template.yaml'];

// Input that is not a JSON object (an array, null) is in test/statemachine/deploy-scripted.test.ts.
function variant(change: { input?: Record<string, unknown>; files?: Record<string, string>; raw?: Uint8Array }): Scenario {
  return {
    ...BASE,
    input: { ...BASE.input, ...(change.input ?? {}) },
    artifact: { ...BASE.artifact, files: { ...BASE.artifact.files, ...(change.files ?? {}) }, ...(change.raw ? { raw: change.raw } : {}) },
  };
}

const forged = (files: Record<string, Uint8Array>, name: string, patch: (entry: DataView) => void) => withCentralEntry(zipSync(files), name, patch);

const deeply = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

const CASES: Array<[string, Scenario, RegExp]> = [
  ['an unknown field', variant({ input: { stackname: 'x' } }), /stackname: unknown field/],
  ['onBusy that is neither fail nor wait', variant({ input: { onBusy: 'queue' } }), /onBusy: must be "fail" or "wait"/],
  ['maxWaitSeconds past what CodePipeline allows', variant({ input: { maxWaitSeconds: 90_000 } }), /maxWaitSeconds: must be at most 82800 \(CodePipeline stops a Lambda action after 24 hours\)/],
  ['maxWaitSeconds as a string', variant({ input: { maxWaitSeconds: '600' } }), /maxWaitSeconds: .*number/i],
  ['an unknown safety policy key', variant({ input: { safetyPolicy: { allowRemovals: ['Queue'] } } }), /safetyPolicy\.allowRemovals: unknown field/],
  ['a template nested 200,000 levels deep (JSON)', variant({ files: { 'template.yaml': `{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": ${deeply(200_000)}}}}}` } }), /nests values more than 100 levels deep/],
  ['a template nested 200,000 levels deep (YAML)', variant({ files: { 'template.yaml': `Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags: ${deeply(200_000)}\n` } }), /nests values more than 100 levels deep/],
  ['a YAML tag CloudFormation does not have', variant({ files: { 'template.yaml': TEMPLATE.replace("!Sub '${AWS::StackName}-orders'", "!Subst '${AWS::StackName}-orders'") } }), /does not parse as JSON or YAML/],
  ['a template over 1 MB', variant({ files: { 'template.yaml': `${TEMPLATE}\n#${'x'.repeat(1_000_001)}\n` } }), /templatePath "template.yaml" in .* is \d+ bytes; the limit is 1000000/],
  ['a template configuration that is not JSON', variant({ input: { templateConfigurationPath: 'config.json' }, files: { 'config.json': 'Parameters: {}' } }), /config\.json/],
  ['a template configuration naming an undeclared parameter', variant({ input: { templateConfigurationPath: 'config.json' }, files: { 'config.json': '{"Parameters":{"Nope":"1"}}' } }), /sets parameter\(s\) Nope that the template does not declare/],
  ['a symbolic link where the template should be', variant({ raw: forged({ 'template.yaml': strToU8('/etc/passwd') }, 'template.yaml', asUnixMode(0o120777)) }), /templatePath "template.yaml" in .* is a symbolic link, not a file/],
  ['an entry with a bad CRC', variant({ raw: forged({ 'template.yaml': strToU8(TEMPLATE) }, 'template.yaml', (entry) => entry.setUint32(16, (entry.getUint32(16, true) ^ 0xff) >>> 0, true)) }), /templatePath "template.yaml" in .* fails its CRC-32 check/],
  ['an archive whose headers lie about its size', variant({ raw: forged({ 'template.yaml': new Uint8Array(3_000_000).fill(0x20) }, 'template.yaml', (entry) => entry.setUint32(24, 64, true)) }), /templatePath "template.yaml" in .* inflates to more than 1000000 bytes/],
  ['an encrypted entry', variant({ raw: forged({ 'template.yaml': strToU8(TEMPLATE) }, 'template.yaml', (entry) => entry.setUint16(8, entry.getUint16(8, true) | 1, true)) }), /templatePath "template.yaml" in .* is encrypted/],
];

describe('bad input fails at the first state, says what and where, and leaves the stack as it was', () => {
  it.each(CASES)('%s', async (_case, scenario, message) => {
    const before = 'CREATE_COMPLETE';

    const result = await runScenario(scenario, { handlers: TASK_HANDLERS });

    expect(result.execution.status).toBe('FAILED');
    expect(result.execution.error).toBe('InvalidInputError');
    expect(causeText(result.execution.cause)).toMatch(message);
    expect(result.sandbox.calls.find({ service: 'CloudFormation', includeFailed: true }).filter((call) => call.operation !== 'DescribeStacks')).toEqual([]);
    expect(result.sandbox.cloudFormation.stack('prod-orders')?.status).toBe(before);
    expect(result.sandbox.cloudFormation.changeSetsOf('prod-orders')).toEqual([]);
  });

  it('a template configuration that starts with a UTF-8 byte-order mark is read like any other', async () => {
    const scenario = variant({ input: { templateConfigurationPath: 'config.json' }, files: { 'config.json': '\uFEFF{"Parameters":{"RetentionSeconds":"600"}}' } });

    const result = await runScenario(scenario, { handlers: TASK_HANDLERS });

    expect(result.execution.status).toBe('SUCCEEDED');
  });
});
