import { z } from 'zod';
import { ContinuationTokenError } from './errors';
import { executionNameFor, executionNameOf } from './execution-name';
import { MAX_CONTINUATION_TOKEN_LENGTH, MAX_START_ATTEMPTS } from './limits';

/** Bumped when the token's shape changes; a token of another version is refused, not guessed at. */
export const CONTINUATION_TOKEN_VERSION = 1;

/**
 * What the trigger hands CodePipeline between invocations. `jobId` is the job that started the
 * execution: CodePipeline gives every re-invocation a new job id, so the execution name is
 * checked against the job recorded here, not against the job being served now.
 */
export interface ContinuationToken {
  v: typeof CONTINUATION_TOKEN_VERSION;
  executionArn: string;
  jobId: string;
}

/**
 * The token of a job whose execution is not started yet: the first invocation met throttling or
 * a service fault, and the next one tries again. `startAttempts` counts the attempts made.
 */
export interface PendingStartToken {
  v: typeof CONTINUATION_TOKEN_VERSION;
  jobId: string;
  startAttempts: number;
}

const TokenSchema = z.strictObject({
  v: z.number(),
  executionArn: z.string().min(1),
  jobId: z.string().min(1),
});

const PendingStartSchema = z.strictObject({
  v: z.number(),
  jobId: z.string().min(1),
  startAttempts: z.number().int().min(1).max(MAX_START_ATTEMPTS),
});

export function encodePendingStartToken(token: Omit<PendingStartToken, 'v'>): string {
  return JSON.stringify({ v: CONTINUATION_TOKEN_VERSION, jobId: token.jobId, startAttempts: token.startAttempts });
}

export function isPendingStart(token: ContinuationToken | PendingStartToken): token is PendingStartToken {
  return 'startAttempts' in token;
}

const HOW_TO_FIX = 'Retry the pipeline stage to start a fresh deployment.';

export function encodeContinuationToken(token: Omit<ContinuationToken, 'v'>): string {
  const encoded = JSON.stringify({ v: CONTINUATION_TOKEN_VERSION, executionArn: token.executionArn, jobId: token.jobId });
  // An execution ARN is at most a few hundred characters; this guards the contract, not a real case.
  if (encoded.length > MAX_CONTINUATION_TOKEN_LENGTH) {
    throw new ContinuationTokenError(`The continuation token would be ${encoded.length} characters; CodePipeline accepts ${MAX_CONTINUATION_TOKEN_LENGTH}.`);
  }
  return encoded;
}

/**
 * Reads a token back and checks that it points at an execution this trigger started for this
 * state machine: anything else (edited, from another deployment, from an older trigger) fails the
 * job with the reason instead of following an execution that is not this deployment's.
 */
export function decodeContinuationToken(raw: string, stateMachineArn: string): ContinuationToken | PendingStartToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ContinuationTokenError(`The continuation token is not the JSON this trigger writes, so the deployment it belongs to is unknown. ${HOW_TO_FIX}`);
  }
  const pending = PendingStartSchema.safeParse(parsed);
  if (pending.success && pending.data.v === CONTINUATION_TOKEN_VERSION) {
    return { v: CONTINUATION_TOKEN_VERSION, jobId: pending.data.jobId, startAttempts: pending.data.startAttempts };
  }
  const result = TokenSchema.safeParse(parsed);
  if (!result.success) {
    throw new ContinuationTokenError(
      `The continuation token does not have the shape this trigger writes ({"v":${CONTINUATION_TOKEN_VERSION},"executionArn":…,"jobId":…}). ${HOW_TO_FIX}`,
    );
  }
  const { v, executionArn, jobId } = result.data;
  if (v !== CONTINUATION_TOKEN_VERSION) {
    throw new ContinuationTokenError(`The continuation token has version ${v}; this trigger reads version ${CONTINUATION_TOKEN_VERSION}. ${HOW_TO_FIX}`);
  }
  const name = executionNameOf(executionArn, stateMachineArn);
  if (name === undefined) {
    throw new ContinuationTokenError(
      `The continuation token points at ${executionArn}, which is not an execution of the configured state machine ${stateMachineArn}. ${HOW_TO_FIX}`,
    );
  }
  if (name !== executionNameFor(jobId)) {
    throw new ContinuationTokenError(
      `The continuation token's execution "${name}" was not started for job ${jobId} (its name would be "${executionNameFor(jobId)}"). ${HOW_TO_FIX}`,
    );
  }
  return { v: CONTINUATION_TOKEN_VERSION, executionArn, jobId };
}
