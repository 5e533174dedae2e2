/**
 * Malformed inputs as the trigger meets them, run against the offline sandbox: UserParameters,
 * job events, continuation tokens and the input document read from S3. Each one fails the job
 * with a message that names the field or file and says how to fix it, and none of them starts an
 * execution or touches a stack.
 */
import '../../sandbox/quiet-logs';
import * as fs from 'fs';
import * as path from 'path';
import type { FailureType } from '@aws-sdk/client-codepipeline';
import { handler as trigger } from '../../../functions/trigger/handler';
import { TASK_HANDLERS } from '../../../functions/handlers';
import { actionBinding } from '../../../functions/trigger/continuation-token';
import { executionNameFor } from '../../../functions/trigger/execution-name';
import { readJob } from '../../../functions/trigger/job-event';
import { buildJobEvent, createSandbox, type JobArtifact, type Sandbox } from '../../../local/sandbox';

const TEMPLATE = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'scenarios', 'create-new-stack', 'template.yaml'), 'utf8');
const DOCS_BUCKET = 'deploy-input-documents';
const DOCUMENT_KEY = 'prod/orders.json';
const USER_PARAMETERS = JSON.stringify({ s3Bucket: DOCS_BUCKET, stateMachineFile: DOCUMENT_KEY });
const WHERE = `s3://${DOCS_BUCKET}/${DOCUMENT_KEY}`;
const ARTIFACTS: JobArtifact[] = [{ name: 'SourceArtifact', bucket: 'pipeline-artifacts', key: 'orders/SourceArti/a1B2c3' }];
const DOCUMENT = { environmentName: 'prod', stackName: 'orders', templatePath: 'infra/template.yaml' };
const STATE_MACHINE_NAME = 'deploy-orchestrator';
const OTHER_JOB = 'ffffffff-0000-4000-8000-000000000000';
const BOM = '\uFEFF';

/** How the trigger would bind a token of the first job `jobId` to an action with these settings. */
const bindingFor = (jobId: string, artifacts = ARTIFACTS, userParameters = USER_PARAMETERS): string =>
  actionBinding(jobId, readJob(buildJobEvent({ jobId, userParameters, inputArtifacts: artifacts }, new Date())));

interface World {
  sandbox: Sandbox;
  stateMachineArn: string;
  /** The ARN of the execution the sandbox would give this name. */
  executionArn: (name: string) => string;
}

interface BadInput {
  what: string;
  /** A string is sent as it is; null leaves UserParameters out. */
  userParameters?: string | null;
  /** The input document's text; null: no object in S3. */
  document?: string | null;
  inputArtifacts?: JobArtifact[];
  /** The continuation token the job carries (the job is then a re-invocation of an action begun by FIRST_JOB). */
  token?: (world: World) => string;
  type: FailureType;
  /** Every pattern must be in the message: the field or file, and the way to fix it. */
  says: RegExp[];
  never?: RegExp;
}

const FIRST_JOB = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const followToken = (world: World, fields: Record<string, unknown> = {}): string =>
  JSON.stringify({ v: 2, executionArn: world.executionArn(executionNameFor(FIRST_JOB)), jobId: FIRST_JOB, startedAt: Date.now(), binding: bindingFor(FIRST_JOB), ...fields });

const FIX_USER_PARAMETERS = /Set the Deploy action's UserParameters to JSON such as \{"s3Bucket": "my-config-bucket", "stateMachineFile": "prod\/my-app.json"\}/;
const RETRY = /It was not acted on\. Retry the pipeline stage to start a fresh deployment\./;

const CASES: BadInput[] = [
  { what: 'UserParameters left out', userParameters: null, type: 'ConfigurationError', says: [/The pipeline action has no UserParameters/, FIX_USER_PARAMETERS] },
  { what: 'UserParameters not JSON', userParameters: 's3Bucket=deploy-input-documents', type: 'ConfigurationError', says: [/UserParameters is not valid JSON/, FIX_USER_PARAMETERS] },
  { what: 'UserParameters a JSON array', userParameters: '["deploy-input-documents"]', type: 'ConfigurationError', says: [/UserParameters must be a JSON object/, FIX_USER_PARAMETERS] },
  { what: 'UserParameters a JSON string', userParameters: '"deploy-input-documents/prod/orders.json"', type: 'ConfigurationError', says: [/UserParameters must be a JSON object/] },
  {
    what: '"s3Bucket": 42 in UserParameters',
    userParameters: JSON.stringify({ s3Bucket: 42, stateMachineFile: DOCUMENT_KEY }),
    type: 'ConfigurationError',
    says: [/s3Bucket: must be a string/, FIX_USER_PARAMETERS],
    never: /is required/,
  },
  { what: 'stateMachineFile missing', userParameters: JSON.stringify({ s3Bucket: DOCS_BUCKET }), type: 'ConfigurationError', says: [/stateMachineFile: is required/, FIX_USER_PARAMETERS] },
  { what: 'stateMachineFile empty', userParameters: JSON.stringify({ s3Bucket: DOCS_BUCKET, stateMachineFile: '' }), type: 'ConfigurationError', says: [/stateMachineFile: must be the S3 key of the input document/] },
  {
    what: 'an unknown field in UserParameters (a typo)',
    userParameters: JSON.stringify({ s3Bucket: DOCS_BUCKET, stateMachinefile: DOCUMENT_KEY }),
    type: 'ConfigurationError',
    says: [/stateMachinefile: unknown field/, /stateMachineFile: is required/],
  },
  { what: 'the input document not JSON', document: 'environmentName: prod\nstackName: orders\n', type: 'ConfigurationError', says: [new RegExp(`The input document ${WHERE} is not valid JSON`)] },
  { what: 'the input document a JSON array', document: JSON.stringify([DOCUMENT]), type: 'ConfigurationError', says: [new RegExp(`The input document ${WHERE} must be a JSON object with environmentName, stackName and templatePath`)] },
  { what: 'the input document null', document: 'null', type: 'ConfigurationError', says: [new RegExp(`The input document ${WHERE} must be a JSON object`)] },
  { what: 'the input document empty', document: '', type: 'ConfigurationError', says: [new RegExp(`The input document ${WHERE} is empty`), /see the README for its fields/] },
  { what: 'the input document only a byte-order mark', document: BOM, type: 'ConfigurationError', says: [new RegExp(`The input document ${WHERE} is empty`)] },
  {
    what: 'the input document missing in S3',
    document: null,
    type: 'ConfigurationError',
    says: [new RegExp(`The input document ${WHERE} does not exist \\(NoSuchKey\\)`), /Upload it, or correct s3Bucket\/stateMachineFile in the action's UserParameters/],
  },
  {
    what: 'the input document\'s bucket missing',
    userParameters: JSON.stringify({ s3Bucket: 'no-such-config-bucket', stateMachineFile: DOCUMENT_KEY }),
    type: 'ConfigurationError',
    says: [/s3:\/\/no-such-config-bucket\/prod\/orders.json does not exist \(NoSuchBucket\)/],
  },
  {
    what: 'the input document missing stackName',
    document: JSON.stringify({ environmentName: 'prod', templatePath: 'infra/template.yaml' }),
    type: 'ConfigurationError',
    says: [/stackName: is required/, new RegExp(`input document ${WHERE}`)],
  },
  {
    what: 'the input document with maxWaitSeconds as a string',
    document: JSON.stringify({ ...DOCUMENT, maxWaitSeconds: '3600' }),
    type: 'ConfigurationError',
    says: [/maxWaitSeconds/, new RegExp(`input document ${WHERE}`)],
  },
  { what: 'the input document with a misspelt field', document: JSON.stringify({ ...DOCUMENT, capabilites: ['CAPABILITY_IAM'] }), type: 'ConfigurationError', says: [/capabilites: unknown field/] },
  {
    what: 'a job event with no input artifacts where one is needed',
    inputArtifacts: [],
    type: 'ConfigurationError',
    says: [/The action has no input artifact, and the input document gives no revisionS3Bucket\/revisionS3Key/, /Give the Deploy action the source artifact as its input/],
  },
  {
    what: 'sourceArtifactName naming no input artifact',
    document: JSON.stringify({ ...DOCUMENT, sourceArtifactName: 'BuildOutput' }),
    type: 'ConfigurationError',
    says: [/sourceArtifactName "BuildOutput" is not an input artifact of this action \(its input artifacts: SourceArtifact\)/],
  },
  { what: 'a token that is not JSON', token: () => 'A continuation token if continuing job', type: 'JobFailed', says: [/The continuation token is not the JSON this trigger writes/, RETRY] },
  {
    what: 'a token for another job (another pipeline run\'s action)',
    token: (world) =>
      JSON.stringify({
        v: 2,
        executionArn: world.executionArn(executionNameFor(OTHER_JOB)),
        jobId: OTHER_JOB,
        startedAt: Date.now(),
        binding: bindingFor(OTHER_JOB, [{ name: 'SourceArtifact', bucket: 'pipeline-artifacts', key: 'orders/SourceArti/Other9' }]),
      }),
    type: 'JobFailed',
    says: [/The continuation token was written for another pipeline job \(job ffffffff-0000-4000-8000-000000000000/, RETRY],
  },
  {
    what: 'a pending-start token edited to name another job',
    token: () => JSON.stringify({ v: 2, jobId: OTHER_JOB, startAttempts: 1, binding: bindingFor(FIRST_JOB) }),
    type: 'JobFailed',
    says: [/written for another pipeline job/, RETRY],
  },
  { what: 'a token over 2048 characters', token: (world) => followToken(world, { pad: 'x'.repeat(2100) }), type: 'JobFailed', says: [/is 2\d{3} characters long; CodePipeline keeps at most 2048/, RETRY] },
  {
    what: 'a token pointing at another state machine',
    token: (world) => followToken(world, { executionArn: world.executionArn(executionNameFor(FIRST_JOB)).replace(STATE_MACHINE_NAME, 'other-machine') }),
    type: 'JobFailed',
    says: [/is not an execution of the configured state machine/, RETRY],
  },
  { what: 'a token whose execution was edited', token: (world) => followToken(world, { executionArn: world.executionArn('manual-run-7') }), type: 'JobFailed', says: [/"manual-run-7" was not started for job/, RETRY] },
  { what: 'a token of the previous version', token: (world) => JSON.stringify({ v: 1, executionArn: world.executionArn(executionNameFor(FIRST_JOB)), jobId: FIRST_JOB }), type: 'JobFailed', says: [/has version 1; this trigger reads version 2/, RETRY] },
  { what: 'a token with a start time that is not a number', token: (world) => followToken(world, { startedAt: 'yesterday' }), type: 'JobFailed', says: [/does not have the shape this trigger writes/, RETRY] },
];

/** A sandbox with the artifact, the documents bucket and the state machine; not yet installed. */
function buildWorld(document: string | null): World {
  const sandbox = createSandbox({ env: { TEMPLATE_STAGING_BUCKET: 'deploy-template-staging' } });
  sandbox.s3.createBucket('deploy-template-staging');
  sandbox.putArtifact(ARTIFACTS[0].bucket, ARTIFACTS[0].key, { 'infra/template.yaml': TEMPLATE });
  sandbox.s3.createBucket(DOCS_BUCKET);
  if (document !== null) sandbox.s3.putObject(DOCS_BUCKET, DOCUMENT_KEY, document, 'application/json');
  const stateMachineArn = sandbox.stepFunctions.registerStateMachine({ name: STATE_MACHINE_NAME, handlers: TASK_HANDLERS });
  return { sandbox, stateMachineArn, executionArn: (name) => `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}` };
}

async function withWorld<T>(document: string | null, run: (world: World) => Promise<T>): Promise<T> {
  const world = buildWorld(document);
  world.sandbox.install();
  world.sandbox.setEnv('STATE_MACHINE_ARN', world.stateMachineArn);
  try {
    return await run(world);
  } finally {
    await world.sandbox.close();
  }
}

describe('bad input reaching the trigger', () => {
  it('has at least 15 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
  });

  it.each(CASES.map((badInput) => [badInput.what, badInput] as const))('%s: a clear failure, and the sandbox unchanged', async (_what, badInput) => {
    await withWorld(badInput.document === undefined ? JSON.stringify(DOCUMENT) : badInput.document, async (world) => {
      // Prepare
      const { sandbox } = world;
      const continuationToken = badInput.token?.(world);
      const job = sandbox.codePipeline.createJob(continuationToken);
      const userParameters = badInput.userParameters === undefined ? USER_PARAMETERS : (badInput.userParameters ?? undefined);
      const event = buildJobEvent({ jobId: job.jobId, userParameters, inputArtifacts: badInput.inputArtifacts ?? ARTIFACTS, continuationToken }, sandbox.clock.now());

      // Act
      await trigger(event);

      // Assess
      expect(job.status).toBe('Failed');
      const { type, message = '' } = job.failure?.failureDetails ?? {};
      expect(type).toBe(badInput.type);
      for (const pattern of badInput.says) expect(message).toMatch(pattern);
      if (badInput.never) expect(message).not.toMatch(badInput.never);
      expect(sandbox.stepFunctions.allExecutions()).toHaveLength(0);
      expect(sandbox.calls.find({ service: 'StepFunctions', includeFailed: true }).map((call) => call.operation)).not.toContain('StartExecution');
      expect(sandbox.calls.find({ service: 'CloudFormation', includeFailed: true })).toHaveLength(0);
      if (continuationToken !== undefined) expect(sandbox.calls.find({ service: 'StepFunctions', includeFailed: true })).toHaveLength(0);
    });
  });

  it('accepts an input document that starts with a UTF-8 byte-order mark: it deploys', async () => {
    await withWorld(`${BOM}${JSON.stringify(DOCUMENT, null, 2)}`, async ({ sandbox }) => {
      const result = await sandbox.runPipelineJob({ invoke: trigger, userParameters: USER_PARAMETERS, inputArtifacts: ARTIFACTS });

      expect(result.status).toBe('Succeeded');
      expect(result.final.success?.outputVariables).toMatchObject({ StackName: 'prod-orders', Decision: 'CREATED' });
      expect(sandbox.mutatingCalls('CloudFormation')).toEqual(['CreateStack']);
    });
  });

  it('a pending-start token forged for another job, its binding recomputed for this action, neither follows nor reports that job\'s deployment', async () => {
    await withWorld(JSON.stringify(DOCUMENT), async ({ sandbox }) => {
      // Prepare: another pipeline run (another revision of the artifact) has deployed.
      const otherArtifacts: JobArtifact[] = [{ name: 'SourceArtifact', bucket: ARTIFACTS[0].bucket, key: 'orders/SourceArti/Other9' }];
      sandbox.putArtifact(otherArtifacts[0].bucket, otherArtifacts[0].key, { 'infra/template.yaml': TEMPLATE });
      const otherRun = await sandbox.runPipelineJob({ invoke: trigger, userParameters: USER_PARAMETERS, inputArtifacts: otherArtifacts });
      expect(otherRun.status).toBe('Succeeded');
      const otherJobId = otherRun.jobs[0].jobId;
      const callsBefore = sandbox.calls.all().length;
      // This job's token names the other job, with a binding computed the way the trigger computes it.
      const job = sandbox.codePipeline.createJob();
      const forged = JSON.stringify({ v: 2, jobId: otherJobId, startAttempts: 1, binding: actionBinding(otherJobId, readJob(buildJobEvent({ jobId: job.jobId, userParameters: USER_PARAMETERS, inputArtifacts: ARTIFACTS }, new Date()))) });
      job.continuationToken = forged;

      // Act
      await trigger(buildJobEvent({ jobId: job.jobId, userParameters: USER_PARAMETERS, inputArtifacts: ARTIFACTS, continuationToken: forged }, sandbox.clock.now()));

      // Assess
      expect(job.status).toBe('Failed');
      expect(job.failure?.failureDetails?.message).toContain('already exists with another input, so it is not this job\'s deployment');
      expect(job.failure?.failureDetails?.message).not.toContain('CREATED');
      expect(sandbox.stepFunctions.allExecutions()).toHaveLength(1);
      const callsAfter = sandbox.calls.all().slice(callsBefore);
      expect(callsAfter.filter((call) => call.service === 'CloudFormation')).toHaveLength(0);
      expect(callsAfter.find((call) => call.operation === 'StartExecution')?.error?.name).toBe('ExecutionAlreadyExists');
    });
  });
});
