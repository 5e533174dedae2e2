import { acknowledgements, synthesize } from './synth';

const CONNECTION_ARN = 'arn:aws:codeconnections:eu-west-1:111122223333:connection/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';

/** The app as the README deploys it, and the variations its context allows. */
const CONFIGURATIONS: Array<[string, Record<string, unknown>]> = [
  ['the orchestrator alone', {}],
  ['with the sample pipeline (S3 source)', { samplePipeline: 'true' }],
  ['with the sample pipeline (GitHub source)', { samplePipeline: 'true', connectionArn: CONNECTION_ARN, repo: 'octo-org/app' }],
  ['deleting its data with the stacks', { samplePipeline: 'true', retainData: 'false' }],
  [
    'with your own pipelines, stack names and service role policy',
    {
      artifactBuckets: 'my-pipeline-artifacts',
      stackNamePatterns: 'test-*,prod-*',
      serviceRoleManagedPolicies: 'arn:aws:iam::aws:policy/PowerUserAccess',
    },
  ],
];

describe('cdk-nag AwsSolutions checks', () => {
  test.each(CONFIGURATIONS)('%s: no finding left unacknowledged, each acknowledgement with its reason', (_name, context) => {
    const synthesized = synthesize(context);
    try {
      expect(synthesized.violations).toEqual([]);
      const acknowledged = acknowledgements(synthesized.app);
      expect(acknowledged.length).toBeGreaterThan(0);
      for (const { path, id, reason } of acknowledged) {
        expect({ path, id, reasonIsGiven: reason.trim().length >= 40 }).toEqual({ path, id, reasonIsGiven: true });
      }
    } finally {
      synthesized.cleanup();
    }
  });
});
