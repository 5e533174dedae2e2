/** Services the sandbox stands in for, by the names AWS uses for them. */
export type ServiceName = 'CloudFormation' | 'S3' | 'StepFunctions' | 'CodePipeline' | 'DynamoDB' | 'STS' | 'SNS';

/** One API call as the sandbox saw it: what was asked, and what was answered or thrown. */
export interface RecordedCall {
  /** Order of the call among all calls to the sandbox, from 1. */
  sequence: number;
  service: ServiceName;
  operation: string;
  /** A copy of the command's input, taken when the call was made. */
  input: Record<string, unknown>;
  /** Virtual time of the call. */
  at: Date;
  /** Set when the call failed: the AWS error's name and message (a throttle, a validation error). */
  error?: { name: string; message: string; injected: boolean };
  /** CloudFormation calls: the account and region they reached, and the access key they were signed with. */
  account?: string;
  region?: string;
  accessKeyId?: string;
}

/** Operations that change something: what a test asserts were (or were never) called. */
export const MUTATING_OPERATIONS: Readonly<Record<ServiceName, readonly string[]>> = {
  CloudFormation: ['CreateStack', 'UpdateStack', 'DeleteStack', 'CreateChangeSet', 'ExecuteChangeSet', 'DeleteChangeSet'],
  S3: ['PutObject', 'DeleteObject'],
  StepFunctions: ['StartExecution', 'StopExecution'],
  CodePipeline: ['PutJobSuccessResult', 'PutJobFailureResult'],
  DynamoDB: ['PutItem', 'UpdateItem', 'DeleteItem'],
  STS: [],
  SNS: ['Publish'],
};

export interface CallFilter {
  service?: ServiceName;
  operation?: string;
  /** Include calls that failed (throttled, rejected). Default: only calls that succeeded. */
  includeFailed?: boolean;
}

/** Every call made to the sandbox, in order. */
export class CallLog {
  private readonly recorded: RecordedCall[] = [];

  record(call: Omit<RecordedCall, 'sequence'>): RecordedCall {
    const entry = { ...call, sequence: this.recorded.length + 1 };
    this.recorded.push(entry);
    return entry;
  }

  /** All calls, failed ones included. */
  all(): readonly RecordedCall[] {
    return this.recorded;
  }

  find(filter: CallFilter = {}): RecordedCall[] {
    return this.recorded.filter(
      (call) =>
        (filter.service === undefined || call.service === filter.service) &&
        (filter.operation === undefined || call.operation === filter.operation) &&
        (filter.includeFailed === true || call.error === undefined),
    );
  }

  /** Names of the mutating operations that succeeded, in order, e.g. `['CreateChangeSet', 'DeleteChangeSet']`. */
  mutatingOperations(service?: ServiceName): string[] {
    return this.recorded
      .filter((call) => call.error === undefined && (service === undefined || call.service === service))
      .filter((call) => MUTATING_OPERATIONS[call.service].includes(call.operation))
      .map((call) => call.operation);
  }
}

function isSerialisedBuffer(value: unknown): value is { type: 'Buffer'; data: unknown[] } {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data);
}

/** A deep copy of a command input, with bodies (bytes, streams) shown by size or kind, not copied. */
export function copyInput(input: object): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(input, (_key, value: unknown) => {
      if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
      // JSON.stringify turns a Buffer into { type, data } before the replacer sees it.
      if (isSerialisedBuffer(value)) return `<${value.data.length} bytes>`;
      if (typeof value === 'object' && value !== null && typeof (value as { pipe?: unknown }).pipe === 'function') return '<stream>';
      return value;
    }),
  ) as Record<string, unknown>;
}
