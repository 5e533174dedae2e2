/** Keeps the handlers' log lines (JSON, on stdout and stderr) out of the terminal and in a list. */
type Write = typeof process.stdout.write;

/** Replaces a stream's write so that logger lines land in `into`; returns the original. */
export function captureLoggerLines(stream: NodeJS.WriteStream, into: string[]): Write {
  const write = stream.write.bind(stream) as Write;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.startsWith('{"level"')) {
      into.push(text);
      return true;
    }
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as Write;
  return write;
}

