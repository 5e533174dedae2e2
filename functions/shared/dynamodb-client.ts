import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** See cloudformation-client.ts: one module per client. Only the event-mode functions carry it. */
export const dynamoDb = new DynamoDBClient({});
