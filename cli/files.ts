import * as fs from 'fs';
import { UsageError } from './errors';

export function readFileBytes(file: string, what: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code ?? String(error);
    throw new UsageError(`Cannot read ${what} ${file}: ${reason}.`);
  }
}

export function readJsonFile(file: string, what: string): unknown {
  const text = new TextDecoder('utf-8').decode(readFileBytes(file, what));
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}.`);
  }
}
