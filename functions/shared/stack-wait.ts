import { ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { dynamoDb } from './dynamodb-client';
import { stepFunctions } from './stepfunctions-client';
import { awsCall, errorName } from './aws-errors';
import { ConfigurationError } from './errors';
import type { Deployment, OperationResult } from './state';
import { STACK_WAIT_TABLE_ENV } from './stack-events';

/**
 * Event mode: a deployment waiting for its stack records its task token here, keyed by the stack;
 * CloudFormation's "Stack Status Change" event (through an EventBridge rule) wakes the completion
 * function, which finds the token and answers it. Whoever claims the record (a conditional delete
 * on the token) answers the wait, so the waiter's own first read and any number of duplicate
 * events answer it exactly once.
 */

/** Records outlive their deployment's deadline by this much, then DynamoDB's TTL removes them. */
const RECORD_TTL_SECONDS = 2 * 86_400;

/** What the completion function needs to read the stack as the waiting task would. */
export interface StackWaiter {
  stackId: string;
  /** The waiting execution's ARN: one record per execution and stack. */
  waiter: string;
  taskToken: string;
  deployment: Deployment;
  result: OperationResult;
}

export function waitTableName(): string {
  const name = process.env[STACK_WAIT_TABLE_ENV];
  if (!name) throw new ConfigurationError(`${STACK_WAIT_TABLE_ENV} is not set: this function waits for stack events and needs the orchestrator's wait table.`);
  return name;
}

/** Records (or replaces, after a fallback timeout) this execution's wait on the stack. */
export async function recordWaiter(record: StackWaiter, now: number = Date.now()): Promise<void> {
  const table = waitTableName();
  const deadline = record.deployment.deadline ? Date.parse(record.deployment.deadline) : Number.NaN;
  const expiresAt = Math.floor((Number.isFinite(deadline) ? Math.max(deadline, now) : now) / 1000) + RECORD_TTL_SECONDS;
  await awsCall(`DynamoDB PutItem ${table}`, () =>
    dynamoDb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          stackId: { S: record.stackId },
          waiter: { S: record.waiter },
          taskToken: { S: record.taskToken },
          context: { S: JSON.stringify({ deployment: record.deployment, result: record.result }) },
          expiresAt: { N: String(expiresAt) },
        },
      }),
    ),
  );
}

/** Every execution waiting on this stack. */
export async function waitersOf(stackId: string): Promise<StackWaiter[]> {
  const table = waitTableName();
  const waiters: StackWaiter[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await awsCall(`DynamoDB Query ${table}`, () =>
      dynamoDb.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'stackId = :stackId',
          ExpressionAttributeValues: { ':stackId': { S: stackId } },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    for (const item of page.Items ?? []) {
      const waiter = toWaiter(item);
      if (waiter) waiters.push(waiter);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return waiters;
}

function toWaiter(item: Record<string, AttributeValue>): StackWaiter | undefined {
  try {
    const context = JSON.parse(item.context?.S ?? '') as { deployment: Deployment; result: OperationResult };
    if (!item.stackId?.S || !item.waiter?.S || !item.taskToken?.S || !context.deployment || !context.result) return undefined;
    return { stackId: item.stackId.S, waiter: item.waiter.S, taskToken: item.taskToken.S, deployment: context.deployment, result: context.result };
  } catch {
    return undefined;
  }
}

/**
 * Takes the record if it still holds this token: true means the caller, and only the caller,
 * answers the wait. False: another reader answered it, or the execution waits with a newer token.
 *
 * The record is marked with the claimant rather than deleted: a claim whose answer was lost (the
 * SDK then retries it) finds its own mark and goes on, where a deleted record would have looked
 * claimed by someone else and left the wait to its 30-minute fallback. `claimant` is the same on
 * every retry of the same reader: the task token for the waiting task, the event id for the
 * completion function (EventBridge redelivers an event with its id).
 */
export async function claimWaiter(waiter: Pick<StackWaiter, 'stackId' | 'waiter' | 'taskToken'>, claimant: string): Promise<boolean> {
  const table = waitTableName();
  try {
    await dynamoDb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: keyOf(waiter),
        UpdateExpression: 'SET claimedBy = :claimant',
        ConditionExpression: 'taskToken = :token AND (attribute_not_exists(claimedBy) OR claimedBy = :claimant)',
        ExpressionAttributeValues: { ':token': { S: waiter.taskToken }, ':claimant': { S: claimant } },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException || errorName(error) === 'ConditionalCheckFailedException') return false;
    return awsCall(`DynamoDB UpdateItem ${table}`, () => Promise.reject(error));
  }
}

/** Removes an answered wait's record; one that stays is harmless (its token is spent) and expires by TTL. */
export async function forgetWaiter(waiter: Pick<StackWaiter, 'stackId' | 'waiter' | 'taskToken'>): Promise<void> {
  try {
    await dynamoDb.send(
      new DeleteItemCommand({
        TableName: waitTableName(),
        Key: keyOf(waiter),
        ConditionExpression: 'taskToken = :token',
        ExpressionAttributeValues: { ':token': { S: waiter.taskToken } },
      }),
    );
  } catch {
    // A newer wait replaced the record, or the table did not answer: the TTL removes it.
  }
}

function keyOf(waiter: Pick<StackWaiter, 'stackId' | 'waiter'>): Record<string, AttributeValue> {
  return { stackId: { S: waiter.stackId }, waiter: { S: waiter.waiter } };
}

/** Step Functions' answers for a token whose wait is over: nothing left to answer. */
const ENDED_WAIT_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export type WaitAnswer = { output: OperationResult } | { error: Error };

/** The answer to a wait once a read found the operation over: its result, one poll more than the task started with. */
export function finishedAnswer(started: OperationResult, finished: OperationResult): WaitAnswer {
  return { output: { ...finished, polls: started.polls + 1, waitSeconds: 0 } };
}

/**
 * Answers the wait: the stack's result, or the error the task fails with, in the shape a Lambda's
 * own error takes (`{"errorType","errorMessage"}`), so whatever reads a cause reads both alike.
 * Returns false when the wait had already ended.
 */
export async function answerWait(taskToken: string, answer: WaitAnswer): Promise<boolean> {
  try {
    if ('output' in answer) {
      await stepFunctions.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(answer.output) }));
    } else {
      await stepFunctions.send(
        new SendTaskFailureCommand({
          taskToken,
          error: answer.error.name,
          cause: JSON.stringify({ errorType: answer.error.name, errorMessage: answer.error.message }),
        }),
      );
    }
    return true;
  } catch (error) {
    if (ENDED_WAIT_ERRORS.has(errorName(error))) return false;
    return awsCall(`Step Functions ${'output' in answer ? 'SendTaskSuccess' : 'SendTaskFailure'}`, () => Promise.reject(error));
  }
}
