import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';

/**
 * One client per service, created once per Lambda container and reused across invocations.
 * Tests and the offline sandbox intercept them at `send(command)`; nothing here knows about either.
 */
export const cloudFormation = new CloudFormationClient({});
export const s3 = new S3Client({});
