import { main } from './main';

/** The process around main(): streams, exit code. */
export function run(): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const err = (line: string) => process.stderr.write(`${line}\n`);
  main(process.argv.slice(2), out, err).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      err(`Error: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
