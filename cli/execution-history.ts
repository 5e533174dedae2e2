import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { inspectionFromEvents } from '../local/inspection-events';
import type { Inspection } from '../functions/shared/state';

/** Every state the execution entered so far, oldest first. */
export async function statesEntered(sfn: SFNClient, executionArn: string | undefined): Promise<Array<{ name: string; type: string }>> {
  const entered: Array<{ name: string; type: string }> = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    for (const event of page.events ?? []) {
      const name = event.stateEnteredEventDetails?.name;
      if (name) entered.push({ name, type: (event.type ?? '').replace(/StateEntered$/, '') });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return entered;
}

/** Every event of the execution's history, oldest first. */
async function allEvents(sfn: SFNClient, executionArn: string | undefined): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** The change set's inspection (its decision record), from a deployed execution's history: a rejected run has no output to read it from. */
export async function inspectionFromHistory(sfn: SFNClient, executionArn: string | undefined): Promise<Inspection | undefined> {
  const exits = (await allEvents(sfn, executionArn)).flatMap((event) => {
    const details = event.stateExitedEventDetails;
    if (!details?.name || details.output === undefined) return [];
    try {
      return [{ type: 'StateExited', state: { name: details.name, output: JSON.parse(details.output) as unknown } }];
    } catch {
      return []; // an output Step Functions cut short is not JSON: there is no record to show
    }
  });
  return inspectionFromEvents(exits);
}
