/**
 * Where and how the decision record is written, from the published job events: the Lambda
 * Developer Guide's (it declares an output artifact) and Powertools' (its pipeline has a KMS key).
 */
import { mockClient } from 'aws-sdk-client-mock';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { CodePipelineEvent } from 'aws-lambda';
import { outputArtifactOf, writeDecisionArtifact } from '../../../functions/trigger/output-artifact';
import { awsError, jobEvent, readFixture } from './helpers';

const s3 = mockClient(S3Client);
const PIPELINE_KEY = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** The devguide event with the artifact store key of the published Powertools event. */
function withPipelineKey(event: CodePipelineEvent): CodePipelineEvent {
  const powertools = readFixture<CodePipelineEvent>('codepipeline', 'cp-job-powertools-with-encryption-key.json');
  event['CodePipeline.job'].data.encryptionKey = powertools['CodePipeline.job'].data.encryptionKey;
  return event;
}

beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
});

describe('the decision record artifact', () => {
  it('is encrypted with the pipeline\'s artifact key when the job names one', async () => {
    const target = outputArtifactOf(withPipelineKey(jobEvent()))!;

    const problem = await writeDecisionArtifact(target, { counts: { blocked: 0 } });

    expect(problem).toBeUndefined();
    expect(target.kmsKeyId).toBe(PIPELINE_KEY);
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({
      Bucket: 'us-west-2-123456789012-my-pipeline',
      Key: 'my-pipeline/invokeOutp/D0YHsJn',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: PIPELINE_KEY,
    });
  });

  it('leaves the key to S3 (aws/s3) when the job names none', async () => {
    const target = outputArtifactOf(jobEvent())!;

    await writeDecisionArtifact(target, {});

    expect(target).not.toHaveProperty('kmsKeyId');
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).not.toHaveProperty('SSEKMSKeyId');
  });

  it('says a refused write as a sentence, never thrown', async () => {
    s3.on(PutObjectCommand).rejects(awsError('AccessDenied', 'Access Denied'));

    const problem = await writeDecisionArtifact(outputArtifactOf(jobEvent())!, {});

    expect(problem).toBe('The decision record could not be written to the output artifact s3://us-west-2-123456789012-my-pipeline/my-pipeline/invokeOutp/D0YHsJn (AccessDenied: Access Denied).');
  });
});
