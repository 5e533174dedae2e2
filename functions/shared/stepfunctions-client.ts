import { SFNClient } from '@aws-sdk/client-sfn';

/** See cloudformation-client.ts: one module per client. The event-mode functions answer task tokens with it. */
export const stepFunctions = new SFNClient({});
