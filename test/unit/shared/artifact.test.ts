import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { strToU8, zipSync } from 'fflate';
import { describeArtifact, extractEntries, normaliseEntryPath, readArtifactZip } from '../../../functions/shared/artifact';
import { AwsCallError, AwsTransientError, InvalidInputError } from '../../../functions/shared/errors';
import { MAX_ARTIFACT_BYTES } from '../../../functions/shared/limits';
import { TEMPLATE, artifactZip, awsError, defaultArtifact, s3Object } from '../../helpers/aws';
import { ARTIFACT, rejectionOf, thrownBy } from '../helpers';
import { asUnixMode, withCentralEntry } from '../../helpers/forged-zip';

const s3 = mockClient(S3Client);
const WHERE = 's3://artifact-bucket/pipeline/source/abc123.zip';

beforeEach(() => {
  s3.reset();
});

describe('describeArtifact', () => {
  it('names the object, with its version when there is one', () => {
    expect(describeArtifact(ARTIFACT)).toBe(WHERE);
    expect(describeArtifact({ ...ARTIFACT, version: 'v3' })).toBe(`${WHERE} (version v3)`);
  });
});

describe('normaliseEntryPath', () => {
  it.each([
    ['template.yaml', 'template.yaml'],
    ['infra/template.yaml', 'infra/template.yaml'],
    ['./infra//template.yaml', 'infra/template.yaml'],
    ['infra/./template.yaml', 'infra/template.yaml'],
    ['infra\\template.yaml', 'infra/template.yaml'],
    ['infra/template.yaml/', 'infra/template.yaml'],
  ])('normalises "%s" to "%s"', (path, normalised) => {
    expect(normaliseEntryPath(path, 'templatePath')).toBe(normalised);
  });

  it.each([
    ['an absolute path', '/etc/passwd'],
    ['a path that climbs out', '../template.yaml'],
    ['a path that climbs out further down', 'infra/../../secrets.json'],
    ['a path that climbs and comes back (still refused: no ".." at all)', 'infra/../infra/template.yaml'],
    ['backslash traversal', '..\\..\\windows\\win.ini'],
    ['backslash traversal after a folder', 'infra\\..\\..\\x.yaml'],
    ['a Windows drive path', 'C:\\templates\\app.yaml'],
    ['a drive path with forward slashes', 'c:/templates/app.yaml'],
    ['a UNC path', '\\\\server\\share\\app.yaml'],
    ['an empty path', ''],
    ['a path to the root', '/'],
    ['only dots', './.'],
  ])('refuses %s ("%s") with an InvalidInputError naming the field', (_case, path) => {
    const error = thrownBy(() => normaliseEntryPath(path, 'templateConfigurationPath'));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(
      `templateConfigurationPath "${path}" must be a relative path inside the artifact, like "templates/app.yaml" (no leading "/", no "..").`,
    );
  });
});

describe('readArtifactZip', () => {
  it('reads the zip from S3, by version when given', async () => {
    const zip = defaultArtifact();
    s3.on(GetObjectCommand).resolves(s3Object(zip));

    const bytes = await readArtifactZip({ ...ARTIFACT, version: 'v3' });

    expect(bytes).toEqual(zip);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({ Bucket: 'artifact-bucket', Key: 'pipeline/source/abc123.zip', VersionId: 'v3' });
  });

  it('accepts an empty zip (it has only the end-of-central-directory record)', async () => {
    s3.on(GetObjectCommand).resolves(s3Object(zipSync({})));

    await expect(readArtifactZip(ARTIFACT)).resolves.toHaveLength(22);
  });

  it.each(['NoSuchKey', 'NoSuchBucket', 'NotFound', 'NoSuchVersion'])('says the artifact does not exist on %s: the input is wrong', async (name) => {
    s3.on(GetObjectCommand).rejects(awsError(name, 'The specified key does not exist.', 404));

    const error = await rejectionOf(readArtifactZip(ARTIFACT));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(`The artifact ${WHERE} does not exist (${name}). Check revisionS3Bucket and revisionS3Key in the input document.`);
  });

  it('reports AccessDenied as a failed call with the permission hint, not as a missing artifact', async () => {
    s3.on(GetObjectCommand).rejects(awsError('AccessDenied', 'Access Denied', 403));

    const error = await rejectionOf(readArtifactZip(ARTIFACT));

    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toContain(`S3 GetObject ${WHERE} failed with AccessDenied`);
  });

  it('lets a throttled read be retried', async () => {
    s3.on(GetObjectCommand).rejects(awsError('SlowDown', 'Please reduce your request rate.', 503));

    await expect(readArtifactZip(ARTIFACT)).rejects.toBeInstanceOf(AwsTransientError);
  });

  it('refuses an artifact over the size cap without reading its body', async () => {
    const transformToByteArray = jest.fn();
    s3.on(GetObjectCommand).resolves({ ContentLength: MAX_ARTIFACT_BYTES + 1, Body: { transformToByteArray } as never });

    const error = await rejectionOf(readArtifactZip(ARTIFACT));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(
      `The artifact ${WHERE} is ${MAX_ARTIFACT_BYTES + 1} bytes; the limit is ${MAX_ARTIFACT_BYTES}. Put the template in a smaller artifact.`,
    );
    expect(transformToByteArray).not.toHaveBeenCalled();
  });

  it('reads an artifact exactly at the size cap', async () => {
    const zip = defaultArtifact();
    s3.on(GetObjectCommand).resolves({ ...s3Object(zip), ContentLength: MAX_ARTIFACT_BYTES });

    await expect(readArtifactZip(ARTIFACT)).resolves.toEqual(zip);
  });

  it('refuses an object without a body', async () => {
    s3.on(GetObjectCommand).resolves({ ContentLength: 0 });

    const error = await rejectionOf(readArtifactZip(ARTIFACT));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(`The artifact ${WHERE} is empty.`);
  });

  it.each([
    ['the template itself', strToU8(TEMPLATE)],
    ['a gzip file', new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0])],
    ['an empty object', new Uint8Array(0)],
    ['two bytes of a zip', new Uint8Array([0x50, 0x4b])],
  ])('refuses %s: not a zip', async (_case, bytes) => {
    s3.on(GetObjectCommand).resolves(s3Object(bytes));

    const error = await rejectionOf(readArtifactZip(ARTIFACT));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(
      `The artifact ${WHERE} is not a zip file. revisionS3Key must name the pipeline's source artifact (a zip), not the template itself.`,
    );
  });
});

describe('extractEntries', () => {
  const wantTemplate = (path = 'infra/template.yaml', maxBytes = 1_000_000) => [{ path, field: 'templatePath', maxBytes }];

  it('takes out the entries asked for, and only those', () => {
    const entries = extractEntries(
      defaultArtifact(),
      [...wantTemplate(), { path: 'infra/prod.json', field: 'templateConfigurationPath', maxBytes: 100 }],
      WHERE,
    );

    expect([...entries.keys()]).toEqual(['infra/template.yaml', 'infra/prod.json']);
    expect(new TextDecoder().decode(entries.get('infra/template.yaml')!.bytes)).toBe(TEMPLATE);
    expect(entries.get('infra/prod.json')!.path).toBe('infra/prod.json');
  });

  it('names a missing entry and lists the files the artifact holds, without folders', () => {
    const zip = zipSync({ infra: { 'template.yml': strToU8('x'), 'prod.json': strToU8('{}') }, 'README.md': strToU8('# app') });

    const error = thrownBy(() => extractEntries(zip, wantTemplate(), WHERE));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(
      `templatePath "infra/template.yaml" is not in the artifact ${WHERE}. It holds: infra/template.yml, infra/prod.json, README.md. Fix templatePath in the input document.`,
    );
  });

  it('lists the first 20 files of a large artifact and says how many there are', () => {
    const files = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`src/file-${String(i).padStart(2, '0')}.ts`, 'x']));

    const error = thrownBy(() => extractEntries(artifactZip(files), wantTemplate('template.yaml'), WHERE));

    expect(error.message).toContain('It holds: src/file-00.ts, src/file-01.ts,');
    expect(error.message).toContain('src/file-19.ts, … (25 files).');
    expect(error.message).not.toContain('src/file-20.ts');
  });

  it('says an empty artifact holds no files', () => {
    const error = thrownBy(() => extractEntries(zipSync({}), wantTemplate(), WHERE));

    expect(error.message).toContain('It holds: (no files).');
  });

  it('matches entry names exactly: an entry that climbs out of the archive is not the template', () => {
    const zip = artifactZip({ '../template.yaml': TEMPLATE, '/template.yaml': TEMPLATE });

    const error = thrownBy(() => extractEntries(zip, wantTemplate('template.yaml'), WHERE));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/is not in the artifact/);
  });

  it('refuses an entry larger than its cap, by its declared size, naming the field and both sizes', () => {
    const zip = artifactZip({ 'infra/template.yaml': 'x'.repeat(2_001) });

    const error = thrownBy(() => extractEntries(zip, wantTemplate('infra/template.yaml', 2_000), WHERE));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(`templatePath "infra/template.yaml" in ${WHERE} is 2001 bytes; the limit is 2000.`);
  });

  it('takes an entry exactly at its cap', () => {
    const zip = artifactZip({ 'infra/template.yaml': 'x'.repeat(2_000) });

    expect(extractEntries(zip, wantTemplate('infra/template.yaml', 2_000), WHERE).get('infra/template.yaml')!.bytes).toHaveLength(2_000);
  });

  it('does not inflate entries it was not asked for, however large', () => {
    const zip = artifactZip({ 'infra/template.yaml': TEMPLATE, 'assets/bundle.js': 'y'.repeat(3_000_000) });

    const entries = extractEntries(zip, wantTemplate(), WHERE);

    expect([...entries.keys()]).toEqual(['infra/template.yaml']);
  });

  it('refuses a damaged zip as unreadable', () => {
    const zip = defaultArtifact();
    const damaged = zip.slice(0, zip.length - 30);

    const error = thrownBy(() => extractEntries(damaged, wantTemplate(), WHERE));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(new RegExp(`^The artifact ${WHERE.replace(/[/.]/g, '\\$&')} is not a readable zip file: .+\\.$`));
  });
});

describe('extractEntries does not trust the archive', () => {
  const want = (maxBytes = 1_000_000) => [{ path: 'template.yaml', field: 'templatePath', maxBytes }];

  it('stops inflating at the limit when the headers lie about the size (a 3 MB entry that says 100 bytes)', () => {
    const bomb = zipSync({ 'template.yaml': new Uint8Array(3_000_000).fill(0x41) });
    const lying = withCentralEntry(bomb, 'template.yaml', (entry) => entry.setUint32(24, 100, true));

    const error = thrownBy(() => extractEntries(lying, want(), WHERE));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(`templatePath "template.yaml" in ${WHERE} inflates to more than 1000000 bytes; the limit is 1000000.`);
  });

  it('refuses an entry whose real size differs from what the archive says, even under the limit', () => {
    const zip = withCentralEntry(zipSync({ 'template.yaml': strToU8(TEMPLATE) }), 'template.yaml', (entry) => entry.setUint32(24, 10, true));

    expect(thrownBy(() => extractEntries(zip, want(), WHERE)).message).toMatch(/^templatePath "template.yaml" in .* inflates to \d+ bytes but the archive says 10: the archive is damaged or forged\.$/);
  });

  it('checks every entry it reads against its CRC-32', () => {
    const zip = withCentralEntry(zipSync({ 'template.yaml': strToU8(TEMPLATE) }), 'template.yaml', (entry) => entry.setUint32(16, (entry.getUint32(16, true) ^ 1) >>> 0, true));

    const error = thrownBy(() => extractEntries(zip, want(), WHERE));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(`templatePath "template.yaml" in ${WHERE} fails its CRC-32 check: the archive is damaged.`);
  });

  it('refuses a symbolic link entry, naming it', () => {
    const zip = withCentralEntry(zipSync({ 'template.yaml': strToU8('/etc/passwd') }), 'template.yaml', asUnixMode(0o120777));

    expect(thrownBy(() => extractEntries(zip, want(), WHERE)).message).toBe(`templatePath "template.yaml" in ${WHERE} is a symbolic link, not a file; put the file itself in the artifact.`);
  });

  it('refuses an encrypted entry, naming it', () => {
    const zip = withCentralEntry(zipSync({ 'template.yaml': strToU8(TEMPLATE) }), 'template.yaml', (entry) => entry.setUint16(8, entry.getUint16(8, true) | 1, true));

    expect(thrownBy(() => extractEntries(zip, want(), WHERE)).message).toBe(`templatePath "template.yaml" in ${WHERE} is encrypted; artifacts must not be password-protected zips.`);
  });

  it('reads a stored (uncompressed) entry and a Unix regular file like any other', () => {
    const zip = withCentralEntry(zipSync({ 'template.yaml': [strToU8(TEMPLATE), { level: 0 }] }), 'template.yaml', asUnixMode(0o100644));

    expect(new TextDecoder().decode(extractEntries(zip, want(), WHERE).get('template.yaml')?.bytes)).toBe(TEMPLATE);
  });
});
