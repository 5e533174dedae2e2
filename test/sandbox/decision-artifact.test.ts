/**
 * The decision record in the pipeline action's output artifact: a whole pipeline deployment on the
 * sandbox whose action declares an output artifact, which a later action could read.
 */
import './quiet-logs';
import * as path from 'path';
import { unzipSync, strFromU8 } from 'fflate';
import { TASK_HANDLERS } from '../../functions/handlers';
import { handler as trigger } from '../../functions/trigger/handler';
import { EXAMPLE_ARTIFACT_CREDENTIALS } from '../../local/sandbox';
import { DOCUMENTS_BUCKET, DOCUMENT_KEY, buildScenarioSandbox, loadScenario } from '../../local/sandbox/scenario';

const SCENARIO = loadScenario(path.join(__dirname, '..', '..', 'examples', 'scenarios', 'harmless-replacement'));

describe('the decision record as the action\'s output artifact', () => {
  it('is written as decision.json in a zip where the action declared its output artifact, with the job\'s credentials', async () => {
    const { sandbox, stateMachineArn } = buildScenarioSandbox(SCENARIO, TASK_HANDLERS);
    sandbox.s3.createBucket(DOCUMENTS_BUCKET);
    const { revisionS3Bucket: _bucket, revisionS3Key: _key, ...document } = SCENARIO.input;
    sandbox.s3.putObject(DOCUMENTS_BUCKET, DOCUMENT_KEY, JSON.stringify(document), 'application/json');
    sandbox.s3.createBucket('pipeline-output');
    sandbox.install();
    sandbox.setEnv('STATE_MACHINE_ARN', stateMachineArn);
    try {
      const result = await sandbox.runPipelineJob({
        invoke: (event) => trigger(event),
        userParameters: JSON.stringify({ s3Bucket: DOCUMENTS_BUCKET, stateMachineFile: DOCUMENT_KEY }),
        inputArtifacts: [{ name: 'SourceArtifact', bucket: SCENARIO.artifact.bucket, key: SCENARIO.artifact.key }],
        outputArtifacts: [{ name: 'DecisionArtifact', bucket: 'pipeline-output', key: 'decisions/run-1.zip' }],
      });

      expect(result.status).toBe('Succeeded');
      expect(result.final.success?.outputVariables).toMatchObject({ Removals: '1', Replacements: '0', Blocked: '0' });
      const zip = sandbox.s3.readObject('pipeline-output', 'decisions/run-1.zip');
      expect(zip).toBeDefined();
      const record = JSON.parse(strFromU8(unzipSync(zip as Uint8Array)['decision.json'])) as { stackName: string; counts: unknown; changes: Array<{ logicalResourceId: string; verdict: string; matched?: string }> };
      expect(record.stackName).toBe('prod-orders');
      expect(record.counts).toEqual({ removals: 1, replacements: 0, blocked: 0 });
      expect(record.changes.find((change) => change.logicalResourceId === 'ApiDeploymentA41C')).toMatchObject({ verdict: 'allowed', matched: 'built-in harmless replacement: AWS::ApiGateway::Deployment' });
      // The job's credentials wrote it; they appear in no recorded call.
      const recorded = JSON.stringify(sandbox.calls.find({ includeFailed: true }).map((call) => call.input));
      expect(recorded).not.toContain(EXAMPLE_ARTIFACT_CREDENTIALS.secretAccessKey);
    } finally {
      await sandbox.close();
    }
  });
});
