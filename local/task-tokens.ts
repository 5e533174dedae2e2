import { randomBytes } from 'crypto';

/**
 * Task tokens for the local engine, which has none of its own: a `.waitForTaskToken` state gets
 * a fresh token for each attempt and ends when someone answers it, as in AWS. The sandbox's
 * SendTaskSuccess and SendTaskFailure answer through `succeed` and `fail`, with Step Functions'
 * own errors for a token that is unknown, already answered or timed out.
 */
export type TokenAnswerError = 'TaskDoesNotExist' | 'TaskTimedOut' | 'InvalidToken';

export class TokenAnswerRefused extends Error {
  constructor(
    readonly code: TokenAnswerError,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** What a failed task reports: the error's name and its cause, as SendTaskFailure gives them. */
export class TaskFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

interface Pending {
  owner: string;
  state: 'waiting' | 'answered' | 'timed-out';
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  answered: Promise<unknown>;
}

export class TaskTokens {
  private readonly tokens = new Map<string, Pending>();
  /** The token each (execution, state) waits on now: a new attempt times the previous one out. */
  private readonly current = new Map<string, string>();
  /** Every token handed out, with the payload its task was given, in order: what the history's TaskScheduled shows. */
  private readonly scheduled: Array<{ executionArn: string; state: string; token: string; payload: unknown }> = [];
  private readonly listeners: Array<(issued: { executionArn: string; state: string; token: string; payload: unknown }) => void> = [];

  /**
   * A new token for an attempt of `state` in `executionArn`, and whether the previous attempt of the
   * same state ended unanswered (timed out), which counts as a retry.
   */
  issue(executionArn: string, state: string): { token: string; answered: Promise<unknown>; previousTimedOut: boolean } {
    const owner = `${executionArn}\u0000${state}`;
    const previous = this.current.get(owner);
    const previousPending = previous ? this.tokens.get(previous) : undefined;
    const previousTimedOut = previousPending?.state === 'waiting';
    if (previousPending && previousTimedOut) previousPending.state = 'timed-out';

    const token = randomBytes(48).toString('base64url');
    let resolve!: (output: unknown) => void;
    let reject!: (error: Error) => void;
    const answered = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Nobody may be listening any more once the engine timed the attempt out.
    answered.catch(() => undefined);
    this.tokens.set(token, { owner, state: 'waiting', resolve, reject, answered });
    this.current.set(owner, token);
    return { token, answered, previousTimedOut };
  }

  /** Records the payload the task was given with its token, and tells whoever listens (an offline approver). */
  scheduledWith(executionArn: string, state: string, token: string, payload: unknown): void {
    const entry = { executionArn, state, token, payload };
    this.scheduled.push(entry);
    for (const listener of this.listeners) listener(entry);
  }

  /** The tasks of an execution's token-waiting state, in the order they were scheduled. */
  scheduledTasks(executionArn: string, state: string): Array<{ token: string; payload: unknown }> {
    return this.scheduled.filter((entry) => entry.executionArn === executionArn && entry.state === state);
  }

  /** Called with every token-waiting task once it has its token and payload. */
  onScheduled(listener: (issued: { executionArn: string; state: string; token: string; payload: unknown }) => void): void {
    this.listeners.push(listener);
  }

  succeed(token: string, output: unknown): void {
    this.take(token).resolve(output);
  }

  fail(token: string, error: string, cause: string): void {
    this.take(token).reject(new TaskFailure(error, cause));
  }

  /** The execution ended: its waits can no longer be answered. */
  closeExecution(executionArn: string): void {
    for (const pending of this.tokens.values()) {
      if (pending.owner.startsWith(`${executionArn}\u0000`) && pending.state === 'waiting') pending.state = 'timed-out';
    }
  }

  /** Whether the execution waits on a token now (a person's answer, a stack's event): it is RUNNING, not about to end. */
  isWaiting(executionArn: string): boolean {
    return [...this.tokens.values()].some((pending) => pending.state === 'waiting' && pending.owner.startsWith(`${executionArn}\u0000`));
  }

  /** Tokens still waiting for an answer (for tests and the bench). */
  waiting(): number {
    return [...this.tokens.values()].filter((pending) => pending.state === 'waiting').length;
  }

  private take(token: string): Pending {
    if (!/^[A-Za-z0-9_-]{1,1024}$/.test(token)) throw new TokenAnswerRefused('InvalidToken', 'Invalid token');
    const pending = this.tokens.get(token);
    if (!pending) throw new TokenAnswerRefused('TaskDoesNotExist', 'Task does not exist anymore');
    if (pending.state === 'timed-out') throw new TokenAnswerRefused('TaskTimedOut', 'Task Timed Out');
    if (pending.state === 'answered') throw new TokenAnswerRefused('TaskDoesNotExist', 'Task does not exist anymore');
    pending.state = 'answered';
    return pending;
  }
}
