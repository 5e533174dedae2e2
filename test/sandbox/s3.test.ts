import { GetObjectCommand, HeadObjectCommand, NoSuchBucket, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { unzipSync } from 'fflate';
import { rejectionOf, useSandbox } from './helpers';

const s3 = new S3Client({});

describe('S3 sandbox', () => {
  const sandbox = useSandbox();

  it('stores and returns objects with a Body the SDK way (transformToByteArray) and ContentLength', async () => {
    // Prepare
    sandbox().s3.createBucket('documents');

    // Act
    const put = await s3.send(new PutObjectCommand({ Bucket: 'documents', Key: 'deploy/prod.json', Body: '{"stackName":"orders"}', ContentType: 'application/json' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'documents', Key: 'deploy/prod.json' }));
    const text = new TextDecoder().decode(await got.Body?.transformToByteArray());

    // Assess
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(got).toMatchObject({ ContentLength: 22, ContentType: 'application/json', ETag: put.ETag });
    expect(text).toBe('{"stackName":"orders"}');
    expect(got.$metadata.httpStatusCode).toBe(200);
  });

  it('answers a missing key with NoSuchKey and a missing bucket with NoSuchBucket (404)', async () => {
    // Prepare
    sandbox().s3.createBucket('documents');

    // Act
    const key = await rejectionOf(s3.send(new GetObjectCommand({ Bucket: 'documents', Key: 'nope.json' })));
    const bucket = await rejectionOf(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'x' })));
    const head = await rejectionOf(s3.send(new HeadObjectCommand({ Bucket: 'documents', Key: 'nope.json' })));

    // Assess
    expect(key).toBeInstanceOf(NoSuchKey);
    expect(key).toMatchObject({ name: 'NoSuchKey', message: 'The specified key does not exist.', $fault: 'client', $metadata: expect.objectContaining({ httpStatusCode: 404 }) });
    expect(bucket).toBeInstanceOf(NoSuchBucket);
    expect(bucket.message).toBe('The specified bucket does not exist');
    expect(head).toMatchObject({ name: 'NotFound', $metadata: expect.objectContaining({ httpStatusCode: 404 }) });
  });

  it('builds artifact zips that hold the template files, versioned like a pipeline artifact bucket', async () => {
    // Act
    const artifact = sandbox().putArtifact('pipeline-artifacts', 'app/SourceArti/abc123', { 'templates/app.yaml': 'Resources: {}', 'config.json': '{}' });
    const got = await s3.send(new GetObjectCommand({ Bucket: artifact.bucket, Key: artifact.key, VersionId: artifact.versionId }));
    const files = unzipSync(await got.Body!.transformToByteArray());

    // Assess
    expect(Object.keys(files).sort()).toEqual(['config.json', 'templates/app.yaml']);
    expect(new TextDecoder().decode(files['templates/app.yaml'])).toBe('Resources: {}');
    expect(got.VersionId).toBe(artifact.versionId);
  });
});
