import { STSClient } from '@aws-sdk/client-sts';

/** See cloudformation-client.ts: one module per client. Assumes deployments' target roles. */
export const sts = new STSClient({});
