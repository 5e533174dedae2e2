import { createHash } from 'crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  DeleteObjectCommand,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { raise } from '../aws-errors';
import type { VirtualClock } from '../clock';
import { route, type Route } from '../interceptor';
import type { SeededRandom } from '../random';
import { bodyBytes, streamingBody } from './body';
import { headNotFound, invalidBucketName, noSuchBucket, noSuchKey, noSuchVersion } from './errors';

/** Bucket names S3 accepts: 3–63 lower-case letters, digits, dots and hyphens. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
const VERSION_ID_LENGTH = 32;
const VERSION_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._';

interface StoredObject {
  bytes: Uint8Array;
  contentType: string;
  etag: string;
  lastModified: Date;
  versionId?: string;
  metadata: Record<string, string>;
}

/** What GetObject and HeadObject both answer about an object. */
function objectHeaders(object: StoredObject) {
  return {
    ContentLength: object.bytes.byteLength,
    ContentType: object.contentType,
    ETag: object.etag,
    LastModified: object.lastModified,
    ...(object.versionId ? { VersionId: object.versionId } : {}),
    Metadata: { ...object.metadata },
    AcceptRanges: 'bytes',
  };
}

interface Bucket {
  versioned: boolean;
  /** Every version of each key, newest last. */
  objects: Map<string, StoredObject[]>;
}

export interface S3Dependencies {
  clock: VirtualClock;
  random: SeededRandom;
}

/** The S3 sandbox: buckets and objects (artifact zips, input documents, staged templates). */
export class S3Sandbox {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly deps: S3Dependencies) {}

  createBucket(name: string, options: { versioned?: boolean } = {}): void {
    if (!BUCKET_NAME.test(name)) raise(invalidBucketName(name));
    if (!this.buckets.has(name)) this.buckets.set(name, { versioned: options.versioned ?? false, objects: new Map() });
  }

  /** Stores an object directly (what a scenario seeds); returns its version id in a versioned bucket. */
  putObject(bucketName: string, key: string, body: string | Uint8Array, contentType?: string): { versionId?: string } {
    const bucket = this.buckets.get(bucketName) ?? raise(noSuchBucket(bucketName));
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body);
    const object: StoredObject = {
      bytes,
      contentType: contentType ?? DEFAULT_CONTENT_TYPE,
      etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
      lastModified: this.deps.clock.now(),
      versionId: bucket.versioned ? this.deps.random.chars(VERSION_ID_LENGTH, VERSION_ALPHABET) : undefined,
      metadata: {},
    };
    const versions = bucket.versioned ? (bucket.objects.get(key) ?? []) : [];
    bucket.objects.set(key, [...versions, object]);
    return { versionId: object.versionId };
  }

  /** The latest bytes of an object, or undefined; not an API call (CloudFormation reading a TemplateURL). */
  readObject(bucketName: string, key: string): Uint8Array | undefined {
    return this.buckets.get(bucketName)?.objects.get(key)?.at(-1)?.bytes;
  }

  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  keys(bucketName: string): string[] {
    return [...(this.buckets.get(bucketName)?.objects.keys() ?? [])];
  }

  private find(bucketName: string, key: string, versionId: string | undefined, onMissing: 'get' | 'head'): StoredObject {
    const bucket = this.buckets.get(bucketName);
    if (!bucket) raise(onMissing === 'head' ? headNotFound() : noSuchBucket(bucketName));
    const versions = bucket.objects.get(key);
    if (!versions?.length) raise(onMissing === 'head' ? headNotFound() : noSuchKey(key));
    if (versionId === undefined || versionId === 'null') return versions[versions.length - 1];
    return versions.find((version) => version.versionId === versionId) ?? raise(onMissing === 'head' ? headNotFound() : noSuchVersion(key, versionId));
  }

  routes(): Route[] {
    return [
      route('GetObject', GetObjectCommand, (input) => {
        const object = this.find(input.Bucket ?? '', input.Key ?? '', input.VersionId, 'get');
        return {
          // The SDK types Body as its own stream type; the sandbox's stream has the same methods.
          Body: streamingBody(object.bytes) as unknown as GetObjectCommandOutput['Body'],
          ...objectHeaders(object),
        };
      }),
      route('HeadObject', HeadObjectCommand, (input) => {
        const object = this.find(input.Bucket ?? '', input.Key ?? '', input.VersionId, 'head');
        return objectHeaders(object);
      }),
      route('PutObject', PutObjectCommand, async (input) => {
        const bytes = await bodyBytes(input.Body);
        const { versionId } = this.putObject(input.Bucket ?? '', input.Key ?? '', bytes, input.ContentType);
        const stored = this.find(input.Bucket ?? '', input.Key ?? '', versionId, 'get');
        return { ETag: stored.etag, ...(versionId ? { VersionId: versionId } : {}) };
      }),
      route('DeleteObject', DeleteObjectCommand, (input) => {
        const bucket = this.buckets.get(input.Bucket ?? '') ?? raise(noSuchBucket(input.Bucket ?? ''));
        bucket.objects.delete(input.Key ?? '');
        return {};
      }),
      route('ListObjectsV2', ListObjectsV2Command, (input) => {
        const bucketName = input.Bucket ?? '';
        const bucket = this.buckets.get(bucketName) ?? raise(noSuchBucket(bucketName));
        const contents = [...bucket.objects.entries()]
          .filter(([key]) => key.startsWith(input.Prefix ?? ''))
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, versions]) => {
            const latest = versions[versions.length - 1];
            return { Key: key, Size: latest.bytes.byteLength, ETag: latest.etag, LastModified: latest.lastModified, StorageClass: 'STANDARD' as const };
          });
        return { Name: bucketName, Prefix: input.Prefix ?? '', KeyCount: contents.length, MaxKeys: 1000, IsTruncated: false, Contents: contents };
      }),
    ];
  }
}
