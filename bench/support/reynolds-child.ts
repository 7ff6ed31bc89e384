/**
 * Reynolds as a child process for benchmarks and fault runs, started exactly as `npm start` runs
 * it (`node --import tsx src/index.ts`), so the load generator never shares its event loop and
 * SIGKILL kills the real server. The orphan guard makes the child exit if the bench dies first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, sleep } from './bench-kit.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ReynoldsChild {
  origin: string;
  port: number;
  process: ChildProcess;
  /** The last lines it wrote (stdout and stderr), for error messages. */
  log: string[];
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();

/** Kills every child still running (call on exit and on signals). */
export function killAllChildren(): void {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

export interface ChildOptions {
  dataDir: string;
  secret: string;
  /** Extra environment (STORE=cosmos and its variables, model endpoints...). */
  env?: Record<string, string>;
  /** Extra `--import` modules (diagnosis hooks). */
  imports?: string[];
  /** Extra node flags (e.g. `--expose-gc` for bench/soak's heap-after-GC samples). */
  nodeArgs?: string[];
  /** Reuse a port (a restart after kill -9 keeps the address GitHub knows). */
  port?: number;
  /** How long to wait for GET /healthz. */
  startTimeoutMs?: number;
  /** Lines kept from its output. */
  keepLines?: number;
}

export async function startReynoldsChild(options: ChildOptions): Promise<ReynoldsChild> {
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: options.dataDir,
    LOG_LEVEL: 'warn',
    STORE: 'sqlite',
    REYNOLDS_ENV: 'local',
    GITHUB_WEBHOOK_SECRET: options.secret,
    ...options.env,
  };
  // No BOT_ID from the caller's environment: local mode lets the adapter post to a stand-in
  // connector without a token.
  delete env.BOT_ID;
  const imports = [
    '--import',
    'tsx',
    '--import',
    './bench/intake/orphan-guard.ts',
    ...(options.imports ?? []).flatMap((m) => ['--import', m]),
  ];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...imports, 'src/index.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.add(child);
  const log: string[] = [];
  const keepLines = options.keepLines ?? 40;
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      const short = withoutStacks(line);
      log.push(short.length > 600 ? `${short.slice(0, 600)}…` : short);
      if (log.length > keepLines) log.shift();
    }
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
    children.delete(child);
  });
  const origin = `http://127.0.0.1:${port}`;
  const timeout = options.startTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeout;
  for (;;) {
    if (exitCode !== undefined)
      throw new Error(
        `Reynolds exited (${exitCode}) before answering /healthz:\n${log.join('\n')}`,
      );
    try {
      const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `Reynolds did not answer GET /healthz with 200 within ${timeout / 1000} s:\n${log.join('\n')}`,
      );
    }
    await sleep(100);
  }
  return { origin, port, process: child, log, exited };
}

export async function killChild(
  child: ReynoldsChild,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<number | null> {
  if (child.process.exitCode === null && child.process.signalCode === null)
    child.process.kill(signal);
  return child.exited;
}

/** A pino line without error stacks, so the message and the fields that matter fit in a kept line. */
function withoutStacks(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    return JSON.stringify(
      JSON.parse(line, (key, value: unknown) => (key === 'stack' ? undefined : value)),
    );
  } catch {
    return line;
  }
}
