import * as fs from 'fs';
import * as path from 'path';
import { strToU8, zipSync } from 'fflate';
import type { Stack } from '@aws-sdk/client-cloudformation';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

export function fixture<T = Record<string, unknown>>(relativePath: string): T {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, relativePath), 'utf8')) as T;
}

/** A zip in memory, as CodePipeline stores a source artifact. */
export function artifactZip(files: Record<string, string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));
}

/** What S3 GetObject resolves with, as far as the handlers read it. */
export function s3Object(bytes: Uint8Array) {
  return {
    ContentLength: bytes.byteLength,
    // The SDK's streaming body; the handlers only call transformToByteArray.
    Body: { transformToByteArray: async () => bytes } as never,
  };
}

/** An error shaped as the SDK throws it for a failed call. */
export function awsError(name: string, message: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

/** CloudFormation's one answer for a missing stack (test/fixtures/cloudformation/cfn-error-stack-does-not-exist.json). */
export function stackMissing(stackName: string): Error {
  const published = fixture<{ Error: { Code: string; Message: string } }>('cloudformation/cfn-error-stack-does-not-exist.json');
  return awsError(published.Error.Code, published.Error.Message.replace('<stack-name>', stackName));
}

export const STACK_NAME = 'prod-app';
export const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/prod-app/1a2345b6-0000-00a0-a123-00abc0abc000';
export const CHANGE_SET_ID = 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/deploy-exec-1/9b8a7c6d-0000-00a0-a123-00abc0abc000';

export function stack(status: string, extra: Partial<Stack> = {}): Stack {
  return {
    StackName: STACK_NAME,
    StackId: STACK_ID,
    StackStatus: status as Stack['StackStatus'],
    CreationTime: new Date('2026-11-01T10:00:00Z'),
    ...extra,
  };
}

export const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  TableName:
    Type: String
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Ref TableName
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
Outputs:
  TableArn:
    Value: !GetAtt Table.Arn
`;

export const TEMPLATE_CONFIGURATION = JSON.stringify({ Parameters: { TableName: 'users' }, Tags: { team: 'platform' } });

export function input(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    environmentName: 'prod',
    stackName: 'app',
    templatePath: 'infra/template.yaml',
    templateConfigurationPath: 'infra/prod.json',
    revisionS3Bucket: 'artifact-bucket',
    revisionS3Key: 'pipeline/source/abc123.zip',
    ...overrides,
  };
}

export function defaultArtifact(): Uint8Array {
  return artifactZip({ 'infra/template.yaml': TEMPLATE, 'infra/prod.json': TEMPLATE_CONFIGURATION, 'README.md': '# app' });
}
