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
  /**
   * `throttle`: the service's real throttling error. `error`: the error in `error`. `network`: no
   * answer at all, as the SDK's HTTP handler reports it (`reset`: the socket closed, ECONNRESET;
   * `timeout`: no answer in time, a TimeoutError).
   */
  kind: 'throttle' | 'error' | 'network';
  error?: AwsErrorSpec;
  network?: NetworkFailure;
  /**
   * `before` (default): the call fails before the service sees it. `after`: the service carries
   * the call out and its answer is lost: the caller cannot tell that it worked.
   */
  when?: 'before' | 'after';
  /** Fail the next `count` matching calls (with `probability`: at most `count` of them). */
  count?: number;
  /** Fail each matching call with this probability, drawn from the sandbox's seeded random numbers. */
  probability?: number;
}

export type NetworkFailure = 'reset' | 'timeout';

/** What an injected fault throws: an AWS error answer, or no answer at all. */
export type InjectedFault = { answer: AwsErrorSpec; when: 'before' | 'after' } | { network: NetworkFailure; when: 'before' | 'after' };

/** The errors Node's sockets and the SDK's HTTP handler raise when no answer comes. */
export function networkError(failure: NetworkFailure): Error {
  if (failure === 'timeout') {
    return Object.assign(new Error('Connection timed out after 30000 ms'), { name: 'TimeoutError', code: 'ETIMEDOUT', $metadata: { attempts: 1 } });
  }
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: { attempts: 1 } });
}

/** The real throttling answer of each service. */
export const THROTTLING_ERRORS: Readonly<Record<ServiceName, AwsErrorSpec>> = {
  // CloudFormation (query protocol): code Throttling, HTTP 400, Type Sender.
  CloudFormation: { name: 'Throttling', message: 'Rate exceeded', httpStatusCode: 400, members: { Code: 'Throttling', Type: 'Sender' } },
  // S3 answers 503 SlowDown.
  S3: { name: 'SlowDown', message: 'Please reduce your request rate.', httpStatusCode: 503, members: { Code: 'SlowDown' } },
  StepFunctions: { name: 'ThrottlingException', message: 'Rate exceeded', httpStatusCode: 400 },
  CodePipeline: { name: 'ThrottlingException', message: 'Rate exceeded', httpStatusCode: 400 },
  SNS: { name: 'Throttling', message: 'Rate exceeded', httpStatusCode: 400, members: { Code: 'Throttling', Type: 'Sender' } },
  STS: { name: 'Throttling', message: 'Rate exceeded', httpStatusCode: 400, members: { Code: 'Throttling', Type: 'Sender' } },
  // DynamoDB's throttling of a table or an account's request rate.
  DynamoDB: {
    name: 'ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
    httpStatusCode: 400,
  },
};

interface ActiveRule extends FaultRule {
  remaining: number;
}

export class FaultInjector {
  private readonly rules: ActiveRule[] = [];

  constructor(private readonly random: SeededRandom) {}

  add(rule: FaultRule): void {
    if (rule.kind === 'error' && !rule.error) throw new Error('A fault of kind "error" needs the error to throw (error: { name, message, httpStatusCode }).');
    if (rule.kind === 'network' && !rule.network) throw new Error('A fault of kind "network" needs network: "reset" or "timeout".');
    if (rule.count === undefined && rule.probability === undefined) {
      throw new Error('A fault needs count (fail the next N calls) or probability (fail a seeded fraction of calls).');
    }
    this.rules.push({ ...rule, remaining: rule.count ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** How a call must fail, if a rule says so; consumes one of the rule's count. */
  faultFor(service: ServiceName, operation: string): InjectedFault | undefined {
    for (const rule of this.rules) {
      if (rule.service !== service || (rule.operation !== '*' && rule.operation !== operation) || rule.remaining <= 0) continue;
      if (rule.probability !== undefined && this.random.next() >= rule.probability) continue;
      rule.remaining -= 1;
      const when = rule.when ?? 'before';
      if (rule.kind === 'network') return { network: rule.network as NetworkFailure, when };
      return { answer: rule.kind === 'throttle' ? THROTTLING_ERRORS[service] : (rule.error as AwsErrorSpec), when };
    }
    return undefined;
  }
}
