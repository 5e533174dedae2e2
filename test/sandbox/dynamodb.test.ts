/**
 * The sandbox's DynamoDB, through the real SDK client: the item calls and condition expressions
 * event mode's wait table uses, and a clear error for anything it does not understand.
 */
import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { useSandbox, rejectionOf } from './helpers';

const sandbox = useSandbox();
const TABLE = 'waits';
const key = (waiter: string) => ({ stackId: { S: 'stack-1' }, waiter: { S: waiter } });

describe('DynamoDB sandbox', () => {
  const client = new DynamoDBClient({});
  beforeEach(() => sandbox().dynamoDb.createTable(TABLE, { partitionKey: 'stackId', sortKey: 'waiter' }));

  it('puts, queries by partition key in sort key order, and deletes items', async () => {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('b'), taskToken: { S: 't-b' } } }));
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('a'), taskToken: { S: 't-a' } } }));
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { stackId: { S: 'stack-2' }, waiter: { S: 'c' } } }));

    const found = await client.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'stackId = :s', ExpressionAttributeValues: { ':s': { S: 'stack-1' } } }));
    expect(found.Items?.map((item) => item.waiter.S)).toEqual(['a', 'b']);

    await client.send(new DeleteItemCommand({ TableName: TABLE, Key: key('a') }));
    expect(sandbox().dynamoDb.items(TABLE)).toHaveLength(2);
  });

  it('evaluates =, attribute_not_exists, AND, OR and parentheses; a failed condition is ConditionalCheckFailedException and changes nothing', async () => {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('a'), taskToken: { S: 't' } } }));
    const claim = (claimant: string, token = 't') =>
      client.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: key('a'),
          UpdateExpression: 'SET claimedBy = :c',
          ConditionExpression: 'taskToken = :t AND (attribute_not_exists(claimedBy) OR claimedBy = :c)',
          ExpressionAttributeValues: { ':t': { S: token }, ':c': { S: claimant } },
        }),
      );

    await claim('first');
    await claim('first');
    expect(await rejectionOf(claim('second'))).toBeInstanceOf(ConditionalCheckFailedException);
    expect(await rejectionOf(claim('first', 'other-token'))).toBeInstanceOf(ConditionalCheckFailedException);
    expect(sandbox().dynamoDb.items(TABLE)[0].claimedBy).toEqual({ S: 'first' });
  });

  it('refuses a table that does not exist, and an expression it does not understand, saying so', async () => {
    expect((await rejectionOf(client.send(new PutItemCommand({ TableName: 'nope', Item: key('a') })))).name).toBe('ResourceNotFoundException');
    const error = await rejectionOf(client.send(new DeleteItemCommand({ TableName: TABLE, Key: key('a'), ConditionExpression: 'size(taskToken) > :n', ExpressionAttributeValues: { ':n': { N: '1' } } })));
    expect(error.name).toBe('SandboxUnsupportedOperationError');
    expect(error.message).toMatch(/does not understand the condition "size\(taskToken\) > :n"/);
  });
});
