import { S3Client } from '@aws-sdk/client-s3';

/** See cloudformation-client.ts: one module per client, so CloudFormation-only bundles carry no S3. */
export const s3 = new S3Client({});
