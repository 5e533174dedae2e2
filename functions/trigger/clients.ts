import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';

/**
 * The trigger's own clients, created once per Lambda container and reused across invocations.
 * Not `functions/shared/clients.ts`: that module brings the CloudFormation client, which this
 * Lambda never calls and its bundle should not carry.
 *
 * None of them uses the job's `artifactCredentials`: the input document is read with the
 * Lambda's own role, and the artifact zip is read later by "Prepare Deployment".
 */
export const stepFunctions = new SFNClient({});
export const s3 = new S3Client({});
export const codePipeline = new CodePipelineClient({});
