import type { VirtualClock } from '../clock';
import type { SeededRandom } from '../random';
import { SANDBOX_ACCOUNT, SANDBOX_REGION } from '../constants';

/**
 * The default event bus of the sandbox's account, as far as event mode needs it: services put
 * events, rules match them with EventBridge's pattern semantics (a field's list of allowed values,
 * nested objects), and targets run asynchronously, after `delayMilliseconds`, at least once.
 * Delivery can be made to lose, duplicate or reorder events, which EventBridge allows.
 */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export type EventPattern = Record<string, unknown>;
export type EventTarget = (event: BusEvent) => Promise<unknown>;

interface Rule {
  name: string;
  pattern: EventPattern;
  target: EventTarget;
}

export interface DeliveryOptions {
  /** Real milliseconds between an event and its delivery (EventBridge's delay). */
  delayMilliseconds: number;
  /** Each delivery is lost with this probability (0–1). */
  loseProbability: number;
  /** Each delivery happens twice with this probability (0–1). */
  duplicateProbability: number;
}

export interface Delivery {
  rule: string;
  event: BusEvent;
  outcome: 'delivered' | 'lost' | 'failed';
  error?: string;
}

/** EventBridge's matching for what rules here use: exact values in lists, nested objects. */
export function matchesPattern(pattern: EventPattern, value: unknown): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(expected)) {
      const candidates = Array.isArray(actual) ? actual : [actual];
      return candidates.some((candidate) => expected.some((allowed) => allowed === candidate));
    }
    if (typeof expected === 'object' && expected !== null) return matchesPattern(expected as EventPattern, actual);
    throw new Error(`Event pattern field "${key}" must be a list of values or an object, as in EventBridge.`);
  });
}

/** EventBridge invokes a Lambda target asynchronously: Lambda tries a failed invocation twice more. */
const TARGET_ATTEMPTS = 3;

async function withRetries(run: () => Promise<unknown>, attempts: number): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

export class EventBus {
  readonly options: DeliveryOptions = { delayMilliseconds: 0, loseProbability: 0, duplicateProbability: 0 };
  readonly deliveries: Delivery[] = [];
  private readonly rules: Rule[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: { clock: VirtualClock; random: SeededRandom }) {}

  addRule(name: string, pattern: EventPattern, target: EventTarget): void {
    this.rules.push({ name, pattern, target });
  }

  hasRules(): boolean {
    return this.rules.length > 0;
  }

  /** Puts an event on the bus; `from` is the account and region it comes from (forwarded from a target account's bus). */
  put(source: string, detailType: string, detail: Record<string, unknown>, resources: string[] = [], from: { account?: string; region?: string } = {}): BusEvent {
    const event: BusEvent = {
      version: '0',
      id: this.deps.random.uuid(),
      'detail-type': detailType,
      source,
      account: from.account ?? SANDBOX_ACCOUNT,
      time: this.deps.clock.now().toISOString(),
      region: from.region ?? SANDBOX_REGION,
      resources,
      detail,
    };
    for (const rule of this.rules.filter((candidate) => matchesPattern(candidate.pattern, event))) {
      const copies = this.deps.random.next() < this.options.duplicateProbability ? 2 : 1;
      for (let copy = 0; copy < copies; copy++) this.deliver(rule, event);
    }
    return event;
  }

  /** Waits until every delivery so far (and those they caused) has run. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private deliver(rule: Rule, event: BusEvent): void {
    if (this.deps.random.next() < this.options.loseProbability) {
      this.deliveries.push({ rule: rule.name, event, outcome: 'lost' });
      return;
    }
    const delivery = new Promise<void>((resolve) => setTimeout(resolve, this.options.delayMilliseconds))
      .then(() => withRetries(() => rule.target(structuredClone(event)), TARGET_ATTEMPTS))
      .then(
        () => void this.deliveries.push({ rule: rule.name, event, outcome: 'delivered' }),
        (error: unknown) => void this.deliveries.push({ rule: rule.name, event, outcome: 'failed', error: error instanceof Error ? error.message : String(error) }),
      )
      .finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }
}
