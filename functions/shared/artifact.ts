import { GetObjectCommand } from '@aws-sdk/client-s3';
import { unzipSync } from 'fflate';
import { s3 } from './s3-client';
import { errorName, toDeploymentError } from './aws-errors';
import { InvalidInputError } from './errors';
import { MAX_ARTIFACT_BYTES } from './limits';
import type { ArtifactLocation } from './state';

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

/** Takes entries out of a zip in memory, inflating only those asked for and refusing any larger than `maxBytes`. */
export function extractEntries(
  zip: Uint8Array,
  wanted: Array<{ path: string; field: string; maxBytes: number }>,
  where: string,
): Map<string, ZipEntry> {
  const byPath = new Map(wanted.map((entry) => [entry.path, entry]));
  const names: string[] = [];
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip, {
      filter: (file) => {
        names.push(file.name);
        const entry = byPath.get(file.name);
        if (!entry) return false;
        if (file.originalSize > entry.maxBytes) {
          throw new InvalidInputError(
            `${entry.field} "${entry.path}" in ${where} is ${file.originalSize} bytes; the limit is ${entry.maxBytes}.`,
          );
        }
        return true;
      },
    });
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidInputError(`The artifact ${where} is not a readable zip file: ${error instanceof Error ? error.message : String(error)}.`);
  }
  const found = new Map<string, ZipEntry>();
  for (const entry of wanted) {
    const bytes = files[entry.path];
    if (!bytes) {
      const listed = names.filter((name) => !name.endsWith('/'));
      const sample = listed.slice(0, 20).join(', ') + (listed.length > 20 ? `, … (${listed.length} files)` : '');
      throw new InvalidInputError(
        `${entry.field} "${entry.path}" is not in the artifact ${where}. It holds: ${sample || '(no files)'}. Fix ${entry.field} in the input document.`,
      );
    }
    found.set(entry.path, { path: entry.path, bytes });
  }
  return found;
}
