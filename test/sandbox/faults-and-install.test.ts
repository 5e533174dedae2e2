import { CloudFormationClient, DescribeStacksCommand, ListExportsCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createSandbox, SandboxInstallError, SandboxUnsupportedOperationError } from '../../local/sandbox';
import { rejectionOf, useSandbox } from './helpers';

const cfn = new CloudFormationClient({});
const s3 = new S3Client({});
const TEMPLATE = 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n';

describe('Sandbox fault injection', () => {
  const sandbox = useSandbox({ seed: 7 });

  it('throttles the next N calls of one operation with the service\'s real throttling error', async () => {
    // Prepare
    sandbox().seedStack({ stackName: 'app', templateBody: TEMPLATE });
    sandbox().injectFault({ service: 'CloudFormation', operation: 'DescribeStacks', kind: 'throttle', count: 2 });

    // Act
    const first = await rejectionOf(cfn.send(new DescribeStacksCommand({ StackName: 'app' })));
    await rejectionOf(cfn.send(new DescribeStacksCommand({ StackName: 'app' })));
    const third = await cfn.send(new DescribeStacksCommand({ StackName: 'app' }));

    // Assess
    expect(first).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $fault: 'client', $metadata: expect.objectContaining({ httpStatusCode: 400 }) });
    expect(third.Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
    expect(sandbox().calls.find({ operation: 'DescribeStacks', includeFailed: true }).map((call) => call.error?.injected ?? false)).toEqual([true, true, false]);
  });

  it('fails calls with any error a test describes', async () => {
    // Prepare
    sandbox().s3.createBucket('artifacts');
    sandbox().injectFault({
      service: 'S3',
      operation: 'GetObject',
      kind: 'error',
      count: 1,
      error: { name: 'AccessDenied', message: 'Access Denied', httpStatusCode: 403 },
    });

    // Act
    const error = await rejectionOf(s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'x' })));

    // Assess
    expect(error).toMatchObject({ name: 'AccessDenied', $fault: 'client', $metadata: expect.objectContaining({ httpStatusCode: 403 }) });
  });

  it('fails a seeded random fraction of calls, the same ones on every run', async () => {
    // Prepare
    const outcomes = async (seed: number): Promise<boolean[]> => {
      const other = createSandbox({ seed });
      other.seedStack({ stackName: 'app', templateBody: TEMPLATE });
      other.injectFault({ service: 'CloudFormation', operation: '*', kind: 'throttle', probability: 0.5 });
      sandbox().restore();
      other.install();
      try {
        const results: boolean[] = [];
        for (let i = 0; i < 20; i++) {
          results.push(await cfn.send(new DescribeStacksCommand({ StackName: 'app' })).then(() => true, () => false));
        }
        return results;
      } finally {
        other.restore();
        sandbox().install();
      }
    };

    // Act
    const first = await outcomes(42);
    const second = await outcomes(42);

    // Assess
    expect(first).toEqual(second);
    expect(first.filter((ok) => !ok).length).toBeGreaterThan(3);
    expect(first.filter((ok) => ok).length).toBeGreaterThan(3);
  });
});

describe('Sandbox installation', () => {
  it('refuses a second installation and puts the SDK back on restore', async () => {
    // Prepare
    const original = Object.getOwnPropertyDescriptor(CloudFormationClient.prototype, 'send');
    const first = createSandbox().install();

    // Act
    const second = (() => {
      try {
        createSandbox().install();
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    first.restore();

    // Assess
    expect(second).toBeInstanceOf(SandboxInstallError);
    expect(Object.getOwnPropertyDescriptor(CloudFormationClient.prototype, 'send')).toEqual(original);
  });

  it('fails loudly on an operation it does not implement', async () => {
    // Prepare
    const sandbox = createSandbox().install();

    // Act
    const error = await rejectionOf(cfn.send(new ListExportsCommand({})));
    sandbox.restore();

    // Assess
    expect(error).toBeInstanceOf(SandboxUnsupportedOperationError);
    expect(error.message).toContain('CloudFormation ListExports');
  });

  it('sets environment variables while installed and restores them', () => {
    // Prepare
    const before = process.env.TEMPLATE_STAGING_BUCKET;
    const sandbox = createSandbox({ env: { TEMPLATE_STAGING_BUCKET: 'staging' } });

    // Act
    sandbox.install();
    const during = process.env.TEMPLATE_STAGING_BUCKET;
    sandbox.restore();

    // Assess
    expect(during).toBe('staging');
    expect(process.env.TEMPLATE_STAGING_BUCKET).toBe(before);
  });
});
