import { GetExecutionHistoryCommand, type SFNClient } from '@aws-sdk/client-sfn';

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
