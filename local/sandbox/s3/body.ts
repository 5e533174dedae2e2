import { Readable } from 'stream';

/**
 * A GetObject `Body` as the SDK's Node.js runtime hands it over: a readable stream with the SDK's
 * `transformToByteArray`, `transformToString` and `transformToWebStream` mixed in.
 */
export interface SandboxBody extends Readable {
  transformToByteArray(): Promise<Uint8Array>;
  transformToString(encoding?: BufferEncoding): Promise<string>;
  transformToWebStream(): ReadableStream;
}

export function streamingBody(bytes: Uint8Array): SandboxBody {
  const copy = Buffer.from(bytes);
  const stream = Readable.from([copy]) as SandboxBody;
  let consumed = false;
  const once = (): Buffer => {
    // The SDK's body can be read once; a second read is a bug in the caller, as it is in AWS.
    if (consumed) throw new Error('The response body has already been read.');
    consumed = true;
    return copy;
  };
  stream.transformToByteArray = async () => new Uint8Array(once());
  stream.transformToString = async (encoding: BufferEncoding = 'utf8') => once().toString(encoding);
  stream.transformToWebStream = () => Readable.toWeb(Readable.from([once()])) as ReadableStream;
  return stream;
}

/** Reads any body PutObject accepts (string, bytes, stream) into bytes. */
export async function bodyBytes(body: unknown): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array();
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return new Uint8Array(body);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (body instanceof Readable || (typeof body === 'object' && Symbol.asyncIterator in body)) {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
    return new Uint8Array(Buffer.concat(chunks));
  }
  if (typeof Blob !== 'undefined' && body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
  throw new TypeError(`The offline sandbox cannot read a PutObject Body of type ${typeof body}.`);
}
