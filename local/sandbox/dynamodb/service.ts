import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { jsonProtocolError, raise, type AwsFailure } from '../aws-errors';
import { SandboxUnsupportedOperationError } from '../errors';
import { route, type Route } from '../interceptor';

/**
 * The DynamoDB sandbox: tables with a partition key and a sort key, and the item calls event mode
 * makes (PutItem, GetItem, DeleteItem with `attr = :value` conditions, Query by partition key).
 * An expression it does not understand is a sandbox error, never a silent match.
 */
type Item = Record<string, AttributeValue>;

interface Table {
  partitionKey: string;
  sortKey?: string;
  items: Map<string, Item>;
}

const resourceNotFound = (table: string): AwsFailure =>
  jsonProtocolError(ResourceNotFoundException, 'ResourceNotFoundException', `Requested resource not found: Table: ${table} not found`);
const conditionFailed = (): AwsFailure => jsonProtocolError(ConditionalCheckFailedException, 'ConditionalCheckFailedException', 'The conditional request failed');

function scalar(value: AttributeValue | undefined): string | undefined {
  if (!value) return undefined;
  if (value.S !== undefined) return `S:${value.S}`;
  if (value.N !== undefined) return `N:${value.N}`;
  return undefined;
}

export class DynamoDbSandbox {
  private readonly tables = new Map<string, Table>();

  createTable(name: string, keys: { partitionKey: string; sortKey?: string }): void {
    this.tables.set(name, { ...keys, items: new Map() });
  }

  /** The items of a table, for tests. */
  items(name: string): Item[] {
    return [...(this.tables.get(name)?.items.values() ?? [])];
  }

  routes(): Route[] {
    return [
      route('PutItem', PutItemCommand, (input) => {
        const table = this.table(input.TableName);
        const item = input.Item ?? {};
        const key = this.keyOf(table, item);
        this.checkCondition(input.ConditionExpression, input.ExpressionAttributeValues, table.items.get(key));
        table.items.set(key, structuredClone(item));
        return {};
      }),
      route('GetItem', GetItemCommand, (input) => {
        const table = this.table(input.TableName);
        const item = table.items.get(this.keyOf(table, input.Key ?? {}));
        return item ? { Item: structuredClone(item) } : {};
      }),
      route('DeleteItem', DeleteItemCommand, (input) => {
        const table = this.table(input.TableName);
        const key = this.keyOf(table, input.Key ?? {});
        const existing = table.items.get(key);
        this.checkCondition(input.ConditionExpression, input.ExpressionAttributeValues, existing);
        table.items.delete(key);
        return input.ReturnValues === 'ALL_OLD' && existing ? { Attributes: existing } : {};
      }),
      route('Query', QueryCommand, (input) => {
        const table = this.table(input.TableName);
        const match = /^\s*(\w+)\s*=\s*(:\w+)\s*$/.exec(input.KeyConditionExpression ?? '');
        if (!match || match[1] !== table.partitionKey) {
          throw new SandboxUnsupportedOperationError(`The DynamoDB sandbox queries by "${table.partitionKey} = :value" only, not "${input.KeyConditionExpression}".`);
        }
        const wanted = scalar(input.ExpressionAttributeValues?.[match[2]]);
        const items = [...table.items.values()]
          .filter((item) => scalar(item[table.partitionKey]) === wanted)
          .sort((a, b) => (scalar(a[table.sortKey ?? '']) ?? '').localeCompare(scalar(b[table.sortKey ?? '']) ?? ''));
        return { Items: items.map((item) => structuredClone(item)), Count: items.length, ScannedCount: items.length };
      }),
    ];
  }

  private table(name: string | undefined): Table {
    return this.tables.get(name ?? '') ?? raise(resourceNotFound(name ?? ''));
  }

  private keyOf(table: Table, item: Item): string {
    const partition = scalar(item[table.partitionKey]);
    const sort = table.sortKey ? scalar(item[table.sortKey]) : '';
    if (partition === undefined || sort === undefined) {
      raise(jsonProtocolError(DynamoDBServiceException, 'ValidationException', 'The provided key element does not match the schema'));
    }
    return `${partition}\u0000${sort}`;
  }

  /** `attr = :value` and `attribute_not_exists(attr)`: the conditions this project writes. */
  private checkCondition(expression: string | undefined, values: Record<string, AttributeValue> | undefined, existing: Item | undefined): void {
    if (!expression) return;
    const equals = /^\s*(\w+)\s*=\s*(:\w+)\s*$/.exec(expression);
    if (equals) {
      if (!existing || scalar(existing[equals[1]]) !== scalar(values?.[equals[2]])) raise(conditionFailed());
      return;
    }
    const notExists = /^\s*attribute_not_exists\((\w+)\)\s*$/.exec(expression);
    if (notExists) {
      if (existing && existing[notExists[1]] !== undefined) raise(conditionFailed());
      return;
    }
    throw new SandboxUnsupportedOperationError(`The DynamoDB sandbox does not understand the condition "${expression}".`);
  }
}
