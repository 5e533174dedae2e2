import { SFNClient } from '@aws-sdk/client-sfn';
import { UsageError } from './errors';

/**
 * Checks up front that the SDK finds a region and credentials (AWS_PROFILE, AWS_REGION, the usual
 * chain), so that a missing one is a clear line and not a failed execution half-way through.
 */
export async function checkAwsSetup(): Promise<void> {
  const client = new SFNClient({});
  try {
    await client.config.region();
  } catch {
    throw new UsageError('No AWS region is set: set AWS_REGION (or a region in your AWS_PROFILE), e.g. AWS_REGION=eu-west-1.');
  }
  try {
    await client.config.credentials();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(`No AWS credentials found (${reason}). Set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run "aws sso login".`);
  }
}
