import * as fs from 'fs';
import * as path from 'path';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../local/sandbox';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'sandbox');

export function fixtureText(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

export function fixtureJson<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

/** A fresh sandbox installed for each test of the file, closed after it. */
export function useSandbox(options: SandboxOptions = {}): () => Sandbox {
  let sandbox: Sandbox | undefined;
  beforeEach(() => {
    sandbox = createSandbox(options).install();
  });
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });
  return () => {
    if (!sandbox) throw new Error('The sandbox is only there inside a test.');
    return sandbox;
  };
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('Expected the call to fail, and it succeeded.');
}
