import { GetObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from './s3-client';
import { errorName, toDeploymentError } from './aws-errors';
import { InvalidInputError } from './errors';
import { MAX_ARTIFACT_BYTES } from './limits';
import type { ArtifactLocation } from './state';
import { readDirectory, readEntry, ZipFormatError, type ZipDirectoryEntry } from './zip-reader';

/** Every zip file starts with a local file header or, when empty, the end-of-central-directory record. */
const ZIP_SIGNATURES = [
  [0x50, 0x4b, 0x03, 0x04],
  [0x50, 0x4b, 0x05, 0x06],
];

const MISSING_OBJECT_ERRORS = new Set(['NoSuchKey', 'NoSuchBucket', 'NotFound', 'NoSuchVersion']);

export function describeArtifact(artifact: ArtifactLocation): string {
  return `s3://${artifact.bucket}/${artifact.key}${artifact.version ? ` (version ${artifact.version})` : ''}`;
}

/**
 * Normalises a path inside the artifact. Paths are relative to the archive's root; one that is
 * absolute or climbs out with `..` can only be a mistake or an attack, so it is refused.
 */
export function normaliseEntryPath(path: string, field: string): string {
  const forward = path.replace(/\\/g, '/');
  const segments = forward.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (forward.startsWith('/') || /^[A-Za-z]:/.test(forward) || segments.includes('..') || segments.length === 0) {
    throw new InvalidInputError(
      `${field} "${path}" must be a relative path inside the artifact, like "templates/app.yaml" (no leading "/", no "..").`,
    );
  }
  return segments.join('/');
}

/** Reads the artifact zip into memory. The template never touches /tmp. */
export async function readArtifactZip(artifact: ArtifactLocation): Promise<Uint8Array> {
  const where = describeArtifact(artifact);
  let response;
  try {
    response = await s3.send(
      new GetObjectCommand({ Bucket: artifact.bucket, Key: artifact.key, VersionId: artifact.version }),
    );
  } catch (error) {
    if (MISSING_OBJECT_ERRORS.has(errorName(error))) {
      throw new InvalidInputError(
        `The artifact ${where} does not exist (${errorName(error)}). Check revisionS3Bucket and revisionS3Key in the input document.`,
      );
    }
    throw toDeploymentError(error, `S3 GetObject ${where}`);
  }
  if ((response.ContentLength ?? 0) > MAX_ARTIFACT_BYTES) {
    throw new InvalidInputError(
      `The artifact ${where} is ${response.ContentLength} bytes; the limit is ${MAX_ARTIFACT_BYTES}. Put the template in a smaller artifact.`,
    );
  }
  if (!response.Body) throw new InvalidInputError(`The artifact ${where} is empty.`);
  const bytes = await response.Body.transformToByteArray();
  const isZip = ZIP_SIGNATURES.some((signature) => signature.every((byte, i) => bytes[i] === byte));
  if (!isZip) {
    throw new InvalidInputError(
      `The artifact ${where} is not a zip file. revisionS3Key must name the pipeline's source artifact (a zip), not the template itself.`,
    );
  }
  return bytes;
}

export interface ZipEntry {
  path: string;
  bytes: Uint8Array;
}

/**
 * Takes entries out of a zip in memory, inflating only those asked for, each to at most `maxBytes`
 * real bytes, checking each one's CRC-32, and refusing encrypted and symbolic-link entries.
 */
export function extractEntries(
  zip: Uint8Array,
  wanted: Array<{ path: string; field: string; maxBytes: number }>,
  where: string,
): Map<string, ZipEntry> {
  let directory: ZipDirectoryEntry[];
  try {
    directory = readDirectory(zip);
  } catch (error) {
    throw new InvalidInputError(`The artifact ${where} is not a readable zip file: ${(error as Error).message}.`);
  }
  const byName = new Map(directory.map((entry) => [entry.name, entry]));
  const found = new Map<string, ZipEntry>();
  for (const wantedEntry of wanted) {
    const entry = byName.get(wantedEntry.path);
    if (!entry) {
      const listed = directory.map((file) => file.name).filter((name) => !name.endsWith('/'));
      const sample = listed.slice(0, 20).join(', ') + (listed.length > 20 ? `, … (${listed.length} files)` : '');
      throw new InvalidInputError(
        `${wantedEntry.field} "${wantedEntry.path}" is not in the artifact ${where}. It holds: ${sample || '(no files)'}. Fix ${wantedEntry.field} in the input document.`,
      );
    }
    try {
      found.set(wantedEntry.path, { path: wantedEntry.path, bytes: readEntry(zip, entry, wantedEntry.maxBytes, `${wantedEntry.field} "${wantedEntry.path}" in ${where}`) });
    } catch (error) {
      if (error instanceof ZipFormatError) throw new InvalidInputError(`${error.message}.`);
      throw error;
    }
  }
  return found;
}
