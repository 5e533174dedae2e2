import { SNSClient } from '@aws-sdk/client-sns';

/** See cloudformation-client.ts: one module per client. Sends approval requests. */
export const sns = new SNSClient({});
