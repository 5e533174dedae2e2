import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as http from 'http';
import * as net from 'net';

/**
 * moto's standalone server, an AWS-compatible endpoint nobody on this project wrote: started on a
 * free loopback port for the suite and stopped by its process id afterwards.
 */
export interface MotoServer {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/** Why the suite cannot run here, or undefined when python3 can import moto. */
export function motoUnavailable(): string | undefined {
  const probe = spawnSync('python3', ['-c', 'import moto, moto.server; print(moto.__version__)'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.error) return `python3 cannot be run (${probe.error.message})`;
  if (probe.status !== 0) return `python3 cannot import moto (${(probe.stderr || '').trim().split('\n').pop()})`;
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function answers(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(`${endpoint}/moto-api/`, (response) => {
      response.resume();
      resolve(true);
    });
    request.on('error', () => resolve(false));
    request.setTimeout(1000, () => {
      request.destroy();
      resolve(false);
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid as number, 'SIGTERM');
      const killed = setTimeout(() => child.exitCode === null && process.kill(child.pid as number, 'SIGKILL'), 5000);
      await exited(child);
      clearTimeout(killed);
    }
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answers(endpoint))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`moto's server did not answer on ${endpoint} within ${START_TIMEOUT_MS / 1000} s: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { endpoint, pid: child.pid as number, stop };
}
