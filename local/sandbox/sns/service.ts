import { PublishCommand } from '@aws-sdk/client-sns';
import { route, type Route } from '../interceptor';
import type { SeededRandom } from '../random';

/** SNS as far as approval requests need it: Publish, recorded (what subscribers would receive). */
export interface PublishedMessage {
  topicArn: string;
  subject?: string;
  message: string;
}

export class SnsSandbox {
  readonly published: PublishedMessage[] = [];

  constructor(private readonly deps: { random: SeededRandom }) {}

  routes(): Route[] {
    return [
      route('Publish', PublishCommand, (input) => {
        this.published.push({ topicArn: input.TopicArn ?? '', ...(input.Subject ? { subject: input.Subject } : {}), message: input.Message ?? '' });
        return { MessageId: this.deps.random.uuid() };
      }),
    ];
  }
}
