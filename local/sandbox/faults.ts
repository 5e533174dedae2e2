import type { AwsErrorSpec } from './aws-errors';
import type { ServiceName } from './calls';
import type { SeededRandom } from './random';

/**
 * Fault injection at the SDK boundary: a rule makes matching calls fail before the service sees
 * them, with the service's real throttling error or any error the test describes.
 */
export interface FaultRule {
  service: ServiceName;
  /** The operation, e.g. `DescribeStacks`, or `*` for every operation of the service. */
  operation: string;
  /** `throttle`: the service's real throttling error. `error`: the error in `error`. */
  kind: 'throttle' | 'error';
  error?: AwsErrorSpec;
  /** Fail the next `count` matching calls (with `probability`: at most `count` of them). */
  count?: number;
  /** Fail each matching call with this probability, drawn from the sandbox's seeded random numbers. */
  probability?: number;
}

/** The real throttling answer of each service. */
export const THROTTLING_ERRORS: Readonly<Record<ServiceName, AwsErrorSpec>> = {
  // CloudFormation (query protocol): code Throttling, HTTP 400, Type Sender.
  CloudFormation: { name: 'Throttling', message: 'Rate exceeded', httpStatusCode: 400, members: { Code: 'Throttling', Type: 'Sender' } },
  // S3 answers 503 SlowDown.
  S3: { name: 'SlowDown', message: 'Please reduce your request rate.', httpStatusCode: 503, members: { Code: 'SlowDown' } },
  StepFunctions: { name: 'ThrottlingException', message: 'Rate exceeded', httpStatusCode: 400 },
  CodePipeline: { name: 'ThrottlingException', message: 'Rate exceeded', httpStatusCode: 400 },
};

interface ActiveRule extends FaultRule {
  remaining: number;
}

export class FaultInjector {
  private readonly rules: ActiveRule[] = [];

  constructor(private readonly random: SeededRandom) {}

  add(rule: FaultRule): void {
    if (rule.kind === 'error' && !rule.error) throw new Error('A fault of kind "error" needs the error to throw (error: { name, message, httpStatusCode }).');
    if (rule.count === undefined && rule.probability === undefined) {
      throw new Error('A fault needs count (fail the next N calls) or probability (fail a seeded fraction of calls).');
    }
    this.rules.push({ ...rule, remaining: rule.count ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** The error a call must fail with, if a rule says so; consumes one of the rule's count. */
  faultFor(service: ServiceName, operation: string): AwsErrorSpec | undefined {
    for (const rule of this.rules) {
      if (rule.service !== service || (rule.operation !== '*' && rule.operation !== operation) || rule.remaining <= 0) continue;
      if (rule.probability !== undefined && this.random.next() >= rule.probability) continue;
      rule.remaining -= 1;
      return rule.kind === 'throttle' ? THROTTLING_ERRORS[service] : rule.error;
    }
    return undefined;
  }
}
