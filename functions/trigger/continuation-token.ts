import { createHash } from 'crypto';
import * as z from '../shared/zod';
import { ContinuationTokenError } from './errors';
import { executionNameFor, executionNameOf } from './execution-name';
import type { Job } from './job-event';
import { ACTION_BINDING_LENGTH, MAX_CONTINUATION_TOKEN_LENGTH, MAX_START_ATTEMPTS } from './limits';

/**
 * Bumped when the token's shape changes; a token of another version is refused, not guessed at.
 * Version 2 binds every token to its pipeline action (`binding`) and carries the clock readings
 * that bound the following (`startedAt`, `failingSince`).
 */
export const CONTINUATION_TOKEN_VERSION = 2;

/**
 * What the trigger hands CodePipeline between invocations while an execution runs. `jobId` is the
 * job that began the action: CodePipeline gives every re-invocation a new job id, so the
 * execution name is checked against the job recorded here, and `binding` ties that job to the
 * action the token is presented to (see actionBinding).
 */
export interface ContinuationToken {
  v: typeof CONTINUATION_TOKEN_VERSION;
  executionArn: string;
  jobId: string;
  /** When the trigger started (or first found) the execution, ms since the epoch by the trigger's clock. */
  startedAt: number;
  binding: string;
  /** When DescribeExecution began to fail without a success since, by the trigger's clock. */
  failingSince?: number;
}

/**
 * The token of a job whose execution is not started yet: the first invocation met throttling or
 * a service fault, and the next one tries again. `startAttempts` counts the attempts made.
 */
export interface PendingStartToken {
  v: typeof CONTINUATION_TOKEN_VERSION;
  jobId: string;
  startAttempts: number;
  binding: string;
}

const epochMs = z.number().check(z.int(), z.nonnegative());

const TokenSchema = z.strictObject({
  v: z.literal(CONTINUATION_TOKEN_VERSION),
  executionArn: z.string().check(z.minLength(1)),
  jobId: z.string().check(z.minLength(1)),
  startedAt: epochMs,
  binding: z.string().check(z.length(ACTION_BINDING_LENGTH)),
  failingSince: z.optional(epochMs),
});

const PendingStartSchema = z.strictObject({
  v: z.literal(CONTINUATION_TOKEN_VERSION),
  jobId: z.string().check(z.minLength(1)),
  startAttempts: z.number().check(z.int(), z.minimum(1), z.maximum(MAX_START_ATTEMPTS)),
  binding: z.string().check(z.length(ACTION_BINDING_LENGTH)),
});

/**
 * A digest of what stays the same across every job of one run of one pipeline action and differs
 * between runs and actions: the job that began it, the action's `UserParameters` and the
 * locations of its input artifacts (CodePipeline stores each run's artifacts under new keys).
 * A token whose binding does not match the job it reaches was written for another job, or
 * edited. This is an integrity check, not a signature: the trigger holds no secret, and whoever
 * may call PutJobSuccessResult or invoke the function already controls the action.
 */
export function actionBinding(originJobId: string, job: Pick<Job, 'userParameters' | 'inputArtifacts'>): string {
  const artifacts = job.inputArtifacts.map((artifact) => [artifact.name, artifact.location?.type ?? null, artifact.location?.bucketName ?? null, artifact.location?.objectKey ?? null]);
  const material = JSON.stringify([originJobId, job.userParameters ?? null, artifacts]);
  return createHash('sha256').update(material).digest('hex').slice(0, ACTION_BINDING_LENGTH);
}

export function isPendingStart(token: ContinuationToken | PendingStartToken): token is PendingStartToken {
  return 'startAttempts' in token;
}

const HOW_TO_FIX = 'It was not acted on. Retry the pipeline stage to start a fresh deployment.';

function checkedLength(encoded: string): string {
  // A token is a few hundred characters; this guards the contract, not a real case.
  if (encoded.length > MAX_CONTINUATION_TOKEN_LENGTH) {
    throw new ContinuationTokenError(`The continuation token would be ${encoded.length} characters; CodePipeline accepts ${MAX_CONTINUATION_TOKEN_LENGTH}.`);
  }
  return encoded;
}

export function encodePendingStartToken(token: Omit<PendingStartToken, 'v'>): string {
  return checkedLength(JSON.stringify({ v: CONTINUATION_TOKEN_VERSION, jobId: token.jobId, startAttempts: token.startAttempts, binding: token.binding }));
}

export function encodeContinuationToken(token: Omit<ContinuationToken, 'v'>): string {
  const { executionArn, jobId, startedAt, binding, failingSince } = token;
  return checkedLength(JSON.stringify({ v: CONTINUATION_TOKEN_VERSION, executionArn, jobId, startedAt, binding, ...(failingSince === undefined ? {} : { failingSince }) }));
}

/**
 * Reads a token back and checks it before anything acts on it: it is the JSON this trigger writes,
 * of this version, bound to the action of the job it reached, and (for a running deployment)
 * points at the execution this trigger started for its job on this state machine. Anything else
 * (edited, forged, from another job or an older trigger) fails the job with the reason.
 */
export function decodeContinuationToken(raw: string, stateMachineArn: string, job: Pick<Job, 'userParameters' | 'inputArtifacts'>): ContinuationToken | PendingStartToken {
  if (raw.length > MAX_CONTINUATION_TOKEN_LENGTH) {
    throw new ContinuationTokenError(`The continuation token is ${raw.length} characters long; CodePipeline keeps at most ${MAX_CONTINUATION_TOKEN_LENGTH}, so this trigger did not write it. ${HOW_TO_FIX}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ContinuationTokenError(`The continuation token is not the JSON this trigger writes, so the deployment it belongs to is unknown. ${HOW_TO_FIX}`);
  }
  const version = parsed !== null && typeof parsed === 'object' ? (parsed as { v?: unknown }).v : undefined;
  if (typeof version === 'number' && version !== CONTINUATION_TOKEN_VERSION) {
    throw new ContinuationTokenError(`The continuation token has version ${version}; this trigger reads version ${CONTINUATION_TOKEN_VERSION}. ${HOW_TO_FIX}`);
  }
  const token = readShape(parsed);
  if (token.binding !== actionBinding(token.jobId, job)) {
    throw new ContinuationTokenError(
      `The continuation token was written for another pipeline job (job ${token.jobId}, another run or another action), not for the action of this job. ${HOW_TO_FIX}`,
    );
  }
  if (isPendingStart(token)) return token;

  const name = executionNameOf(token.executionArn, stateMachineArn);
  if (name === undefined) {
    throw new ContinuationTokenError(
      `The continuation token points at ${token.executionArn}, which is not an execution of the configured state machine ${stateMachineArn}. ${HOW_TO_FIX}`,
    );
  }
  if (name !== executionNameFor(token.jobId)) {
    throw new ContinuationTokenError(
      `The continuation token's execution "${name}" was not started for job ${token.jobId} (its name would be "${executionNameFor(token.jobId)}"). ${HOW_TO_FIX}`,
    );
  }
  return token;
}

function readShape(parsed: unknown): ContinuationToken | PendingStartToken {
  const pending = PendingStartSchema.safeParse(parsed);
  if (pending.success) return pending.data;
  const following = TokenSchema.safeParse(parsed);
  if (following.success) return following.data;
  throw new ContinuationTokenError(
    `The continuation token does not have the shape this trigger writes ({"v":${CONTINUATION_TOKEN_VERSION},"executionArn":…,"jobId":…,"startedAt":…,"binding":…}). ${HOW_TO_FIX}`,
  );
}
