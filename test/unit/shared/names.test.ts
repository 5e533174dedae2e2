import { changeSetNameFor, clientRequestTokenFor, operationToken } from '../../../functions/shared/names';
import { MAX_CHANGE_SET_NAME_LENGTH, MAX_CLIENT_REQUEST_TOKEN_LENGTH } from '../../../functions/shared/limits';

/** CloudFormation's patterns: change set names `[a-zA-Z][-a-zA-Z0-9]*`, tokens `[a-zA-Z0-9][-a-zA-Z0-9]*`. */
const CHANGE_SET_NAME_PATTERN = /^[a-zA-Z][-a-zA-Z0-9]*$/;
const CLIENT_REQUEST_TOKEN_PATTERN = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;

/** Execution names as Step Functions allows them (≤ 80 characters), as the trigger and a console user make them. */
const EXECUTION_NAMES = [
  'exec-1',
  'codepipeline-c0d76431-b0e7-xmpl-97e3-e8ee786eb6f6',
  '0a1b2c3d_manual_run_2026_11_01',
  'x'.repeat(80),
  'déploiement.prod+1',
];

describe('changeSetNameFor', () => {
  it('derives the change set name from the execution name', () => {
    expect(changeSetNameFor('exec-1')).toBe('deploy-exec-1');
  });

  it('gives the same name for the same execution, so a retried task finds its change set', () => {
    expect(changeSetNameFor('codepipeline-job-1')).toBe(changeSetNameFor('codepipeline-job-1'));
    expect(changeSetNameFor('codepipeline-job-1')).not.toBe(changeSetNameFor('codepipeline-job-2'));
  });

  it.each(EXECUTION_NAMES)('"%s" gives a name in CloudFormation\'s alphabet, a letter first', (executionName) => {
    const name = changeSetNameFor(executionName);

    expect(name).toMatch(CHANGE_SET_NAME_PATTERN);
    expect(name.length).toBeLessThanOrEqual(MAX_CHANGE_SET_NAME_LENGTH);
  });

  it('replaces characters outside the alphabet with hyphens', () => {
    expect(changeSetNameFor('0a1b_manual.run')).toBe('deploy-0a1b-manual-run');
  });

  it('cuts a name longer than CloudFormation allows to 128 characters', () => {
    const name = changeSetNameFor('a'.repeat(200));

    expect(name).toHaveLength(MAX_CHANGE_SET_NAME_LENGTH);
    expect(name.startsWith('deploy-aaa')).toBe(true);
  });
});

describe('clientRequestTokenFor and operationToken', () => {
  it('derives one token per operation from the execution name', () => {
    const token = clientRequestTokenFor('exec-1');

    expect(token).toBe('deploy-exec-1');
    expect(['create', 'delete', 'execute'].map((operation) => operationToken(token, operation as 'create' | 'delete' | 'execute'))).toEqual([
      'deploy-exec-1-create',
      'deploy-exec-1-delete',
      'deploy-exec-1-execute',
    ]);
  });

  it.each(EXECUTION_NAMES)('"%s" gives operation tokens in CloudFormation\'s alphabet and length', (executionName) => {
    const token = clientRequestTokenFor(executionName);

    for (const operation of ['create', 'delete', 'execute'] as const) {
      const full = operationToken(token, operation);
      expect(full).toMatch(CLIENT_REQUEST_TOKEN_PATTERN);
      expect(full.length).toBeLessThanOrEqual(MAX_CLIENT_REQUEST_TOKEN_LENGTH);
    }
  });

  it('leaves room for the longest operation suffix when the execution name is long', () => {
    const token = clientRequestTokenFor('b'.repeat(200));

    expect(operationToken(token, 'execute')).toHaveLength(MAX_CLIENT_REQUEST_TOKEN_LENGTH);
    expect(operationToken(token, 'create').length).toBeLessThan(MAX_CLIENT_REQUEST_TOKEN_LENGTH);
  });

  it('keeps the operations of one execution apart: CloudFormation takes a token reused across operations as a duplicate', () => {
    const token = clientRequestTokenFor('exec-1');

    const tokens = new Set((['create', 'delete', 'execute'] as const).map((operation) => operationToken(token, operation)));

    expect(tokens.size).toBe(3);
  });
});
