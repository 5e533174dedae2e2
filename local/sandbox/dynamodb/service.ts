import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
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
      route('UpdateItem', UpdateItemCommand, (input) => {
        const table = this.table(input.TableName);
        const key = this.keyOf(table, input.Key ?? {});
        const existing = table.items.get(key);
        this.checkCondition(input.ConditionExpression, input.ExpressionAttributeValues, existing);
        const updated: Item = { ...(existing ?? structuredClone(input.Key ?? {})) };
        const sets = /^\s*SET\s+(.+)$/i.exec(input.UpdateExpression ?? '');
        if (!sets) throw new SandboxUnsupportedOperationError(`The DynamoDB sandbox updates with "SET a = :v, …" only, not "${input.UpdateExpression}".`);
        for (const assignment of sets[1].split(',')) {
          const [name, value] = assignment.split('=').map((part) => part.trim());
          const attribute = input.ExpressionAttributeValues?.[value];
          if (!/^\w+$/.test(name) || !attribute) throw new SandboxUnsupportedOperationError(`The DynamoDB sandbox cannot apply "${assignment.trim()}".`);
          updated[name] = structuredClone(attribute);
        }
        table.items.set(key, updated);
        return input.ReturnValues === 'ALL_NEW' ? { Attributes: structuredClone(updated) } : {};
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

  /**
   * The conditions this project writes: `attr = :value`, `attribute_not_exists(attr)`, joined with
   * AND and OR, in parentheses. Anything else is a sandbox error, never a silent match.
   */
  private checkCondition(expression: string | undefined, values: Record<string, AttributeValue> | undefined, existing: Item | undefined): void {
    if (!expression) return;
    if (!evaluateCondition(expression, values ?? {}, existing)) raise(conditionFailed());
  }
}

function evaluateCondition(expression: string, values: Record<string, AttributeValue>, item: Item | undefined): boolean {
  const tokens = expression.match(/\(|\)|attribute_not_exists\(\w+\)|:\w+|\w+|=/g) ?? [];
  let position = 0;
  const peek = (): string | undefined => tokens[position];
  const next = (): string => {
    const token = tokens[position++];
    if (token === undefined) throw new SandboxUnsupportedOperationError(`The DynamoDB sandbox cannot read the condition "${expression}".`);
    return token;
  };
  const primary = (): boolean => {
    const token = next();
    if (token === '(') {
      const value = or();
      if (next() !== ')') throw new SandboxUnsupportedOperationError(`Unbalanced parentheses in "${expression}".`);
      return value;
    }
    const notExists = /^attribute_not_exists\((\w+)\)$/.exec(token);
    if (notExists) return !item || item[notExists[1]] === undefined;
    if (/^\w+$/.test(token) && peek() === '=') {
      next();
      const value = next();
      return !!item && scalar(item[token]) !== undefined && scalar(item[token]) === scalar(values[value]);
    }
    throw new SandboxUnsupportedOperationError(`The DynamoDB sandbox does not understand the condition "${expression}".`);
  };
  const and = (): boolean => {
    let value = primary();
    while (peek()?.toUpperCase() === 'AND') {
      next();
      value = primary() && value;
    }
    return value;
  };
  const or = (): boolean => {
    let value = and();
    while (peek()?.toUpperCase() === 'OR') {
      next();
      value = and() || value;
    }
    return value;
  };
  const result = or();
  if (position !== tokens.length) throw new SandboxUnsupportedOperationError(`The DynamoDB sandbox does not understand the condition "${expression}".`);
  return result;
}
