/**
 * Reynolds as a real child process, exactly as `npm start` runs it (`node --import tsx
 * src/index.ts`), with its "processed" log lines collected: for tests of crashes and of several
 * replicas.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { eventually, TEST_SECRET } from './reynolds.js';

export interface ChildReynolds {
  process: ChildProcess;
  url: string;
  /** Delivery ids named in "processed" log lines. */
  processed: string[];
  exited: Promise<number | null>;
  /** SIGTERM, and the exit code. */
  stop(): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Starts one; `env.PORT` must be set (see freePort). */
export function startChild(env: Record<string, string>): ChildReynolds {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, LOG_LEVEL: 'info', GITHUB_WEBHOOK_SECRET: TEST_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const processed: string[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as { msg?: string; delivery?: string };
      if (entry.msg?.startsWith('processed ') && entry.delivery) processed.push(entry.delivery);
    }
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  exited.then((code) => {
    if (code !== null && code !== 0) console.error(`Reynolds child exited ${code}: ${stderr}`);
  });
  return {
    process: child,
    url: `http://127.0.0.1:${env.PORT}`,
    processed,
    exited,
    stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export async function waitHealthy(url: string): Promise<void> {
  await eventually(
    async () => {
      try {
        return (await fetch(`${url}/healthz`)).ok;
      } catch {
        return false;
      }
    },
    `${url}/healthz answers`,
    30_000,
  );
}
