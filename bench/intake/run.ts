/**
 * Intake benchmark: signed deliveries per second through Reynolds' webhook intake into the durable
 * SQLite inbox, side by side with a bare @octokit/webhooks receiver on the same machine.
 *
 *   npx tsx bench/intake/run.ts [--duration 10] [--warmup 2] [--runs 3] [--connections 50]
 *                               [--only baseline|reynolds] [--profile] [--no-worker] [--guids github|random]
 *                               [--enforce-targets]
 *
 * Each run starts a fresh server child process (fresh DATA_DIR for Reynolds), warms it up, loads it
 * with autocannon from this process, then stops it. Sides alternate so drift on the machine hits
 * both alike; medians are reported. Every request carries a new delivery GUID so dedupe never
 * short-circuits the store write: time-based, as GitHub's are (bench-kit's deliveryGuids says why
 * that matters; `--guids random` measures the worst case). Loopback only; children are killed on
 * exit and on Ctrl-C.
 *
 * Exit codes: 0 ok, 1 a request was not 2xx / errored / a durability check failed (or a target
 * was missed with --enforce-targets), 2 bad arguments or a server that would not start.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sign } from '@octokit/webhooks-methods';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { exampleOf } from '../../tests/support/webhook-examples.js';
import { summarizeProfile } from './profile-summary.js';
import {
  CLOCK_TICKS,
  deliveryGuids,
  freePort,
  guidKindOption,
  int,
  median,
  numberOption,
  processCpuSeconds,
  sleep,
  table,
  type GuidKind,
} from '../support/bench-kit.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WEBHOOK_PATH = '/api/github/webhook';
const TARGET_RATE = 5000;
const TARGET_RATIO = 0.8;
/** Hook id on every bench delivery; part of the dedupe key, so it must be stable within a run. */
const HOOK_ID = '424242';
/** Measured deliveries are told apart from warm-up ones by this prefix on the delivery GUID. */
const WARMUP_PREFIX = 'warm-';
const PREFLIGHT_PREFIX = 'preflight-';

type Side = 'baseline' | 'reynolds';

interface Options {
  duration: number;
  warmup: number;
  runs: number;
  connections: number;
  only?: Side;
  profile: boolean;
  noWorker: boolean;
  guids: GuidKind;
  enforceTargets: boolean;
  keepData: boolean;
}

interface RunResult {
  side: Side;
  run: number;
  /** 2xx per second over the measured window (first request to last response). */
  rate: number;
  p50: number;
  p99: number;
  seconds: number;
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  warmupRate: number;
  profileDir?: string;
  /** Cores busy during the measured run (CPU seconds / wall seconds): the server child, and this process. */
  serverCores?: number;
  loadCores: number;
  /** Cores busy machine-wide minus the two above: other processes on the machine (noise). */
  otherCores?: number;
  /** Reynolds only: inbox rows after a kill -9. */
  inbox?: {
    measuredRows: number;
    totalRows: number;
    expectedMeasured: number;
    totalAcked: number;
    totalSent: number;
    ok: boolean;
    processedRows: number;
  };
  serverLog: string[];
}

// ---------------------------------------------------------------------------------------------
// options

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      runs: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'no-worker': { type: 'boolean', default: false },
      guids: { type: 'string' },
      'enforce-targets': { type: 'boolean', default: false },
      'keep-data': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      [
        'usage: npx tsx bench/intake/run.ts [options]',
        '  --duration <s>      measured seconds per run (env BENCH_DURATION, default 10)',
        '  --warmup <s>        warm-up seconds per run, not counted (env BENCH_WARMUP, default 2)',
        '  --runs <n>          runs per side, alternating (env BENCH_RUNS, default 3)',
        '  --connections <n>   concurrent keep-alive connections (env BENCH_CONNECTIONS, default 50)',
        '  --only <side>       baseline or reynolds',
        '  --profile           CPU-profile each run of both sides and summarise it (Reynolds from a tsc build in bench/.results/build, for line numbers)',
        '  --no-worker         start Reynolds without its inbox worker: intake alone, for diagnosis',
        "  --guids <kind>      X-GitHub-Delivery values: github (version-1 UUIDs, as GitHub sends; default) or random (version 4, the dedupe index's worst case)",
        '  --enforce-targets   exit 1 when a target is missed (default: report only)',
        '  --keep-data         keep the temporary DATA_DIRs',
      ].join('\n'),
    );
    process.exit(0);
  }
  const num = (
    name: string,
    cli: string | undefined,
    env: string | undefined,
    fallback: number,
    min: number,
    max: number,
  ): number => numberOption(name, cli ?? env, fallback, min, max, usage);
  const only = values.only;
  if (only !== undefined && only !== 'baseline' && only !== 'reynolds')
    usage(`--only must be baseline or reynolds (got ${JSON.stringify(only)})`);
  return {
    duration: num('duration', values.duration, process.env.BENCH_DURATION, 10, 1, 600),
    warmup: num('warmup', values.warmup, process.env.BENCH_WARMUP, 2, 0, 60),
    runs: Math.round(num('runs', values.runs, process.env.BENCH_RUNS, 3, 1, 20)),
    connections: Math.round(
      num('connections', values.connections, process.env.BENCH_CONNECTIONS, 50, 1, 1000),
    ),
    only,
    profile: values.profile,
    noWorker: values['no-worker'],
    guids: guidKindOption(values.guids, usage),
    enforceTargets: values['enforce-targets'],
    keepData: values['keep-data'],
  };
}

function usage(message: string): never {
  console.error(`bench:intake: ${message}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// child servers

interface Server {
  side: Side;
  origin: string;
  child: ChildProcess;
  dataDir?: string;
  profileDir?: string;
  /** Last lines the child wrote, for error messages and the report. */
  log: string[];
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let keepData = false;

function killChildren(): void {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

function cleanup(): void {
  killChildren();
  if (!keepData) for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\nbench:intake: ${signal}, stopping the servers`);
    cleanup();
    process.exit(130);
  });
}

/** Where --profile builds the server with tsc: real line numbers and source maps, unlike tsx's output. */
const BUILD_DIR = path.join(ROOT, 'bench/.results/build');

function buildForProfile(): void {
  console.log('building the server with tsc for profiling (bench/.results/build) …');
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  // Type errors elsewhere do not stop tsc from emitting; only a missing entry point is fatal.
  const result = spawnSync(
    process.execPath,
    [
      tsc,
      '-p',
      'tsconfig.build.json',
      '--outDir',
      BUILD_DIR,
      '--sourceMap',
      '--incremental',
      'false',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (!existsSync(path.join(BUILD_DIR, 'src/index.js')))
    throw new Error(
      `tsc did not produce ${BUILD_DIR}/src/index.js:\n${result.stdout}${result.stderr}`,
    );
}

async function startServer(
  side: Side,
  secret: string,
  options: Pick<Options, 'profile' | 'noWorker'>,
): Promise<Server> {
  const profile = options.profile;
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    GITHUB_WEBHOOK_SECRET: secret,
  };
  // tsx as an --import hook rather than the tsx CLI: one process per server, so killing it kills
  // the server (the CLI would leave its node grandchild behind on SIGKILL).
  const nodeArgs = ['--import', 'tsx', '--import', './bench/intake/orphan-guard.ts'];
  let dataDir: string | undefined;
  let profileDir: string | undefined;
  let entry: string;
  if (side === 'reynolds') {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'reynolds-bench-'));
    tempDirs.add(dataDir);
    Object.assign(env, {
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      STORE: 'sqlite',
      REYNOLDS_ENV: 'local',
    });
    const src = profile ? path.join(BUILD_DIR, 'src') : path.join(ROOT, 'src');
    if (options.noWorker) {
      entry = 'bench/intake/reynolds-no-worker.ts';
      env.BENCH_REYNOLDS_SRC = src;
    } else {
      entry = path.relative(ROOT, path.join(src, profile ? 'index.js' : 'index.ts'));
    }
  } else {
    entry = 'bench/intake/baseline-server.ts';
  }
  if (profile) {
    profileDir = path.join(ROOT, 'bench/.results', `profile-${side}-${Date.now()}`);
    mkdirSync(profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  }
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.add(child);
  const log: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      log.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
      if (log.length > 40) log.shift();
    }
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  void exited.then(() => children.delete(child));

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  for (;;) {
    if (exitCode !== undefined)
      throw new Error(
        `${side} server exited (${exitCode}) before answering /healthz:\n${log.join('\n')}`,
      );
    try {
      const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(
        `${side} server did not answer GET /healthz with 200 within 60 s:\n${log.join('\n')}`,
      );
    await sleep(100);
  }
  return { side, origin, child, dataDir, profileDir, log, exited };
}

async function stopServer(server: Server, signal: NodeJS.Signals): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(signal);
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 15_000);
  await server.exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// load

interface Delivery {
  body: Buffer;
  headers: Record<string, string>;
  /** A new X-GitHub-Delivery value (--guids). */
  guid: () => string;
}

/** The recorded `pull_request.opened` payload, as GitHub sends it: compact JSON, signed once. */
async function buildDelivery(
  secret: string,
  guids: GuidKind,
): Promise<Delivery & { description: string }> {
  const example = exampleOf('pull_request', 'opened');
  const text = JSON.stringify(example.payload);
  const repository = example.payload['repository'] as
    { id?: number; full_name?: string } | undefined;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: '*/*',
    'user-agent': 'GitHub-Hookshot/bench',
    'x-github-event': 'pull_request',
    'x-github-hook-id': HOOK_ID,
    'x-github-hook-installation-target-type': 'repository',
    'x-github-hook-installation-target-id': String(repository?.id ?? 1),
    // The signature covers the body only, so one signature serves every delivery GUID.
    'x-hub-signature': `sha1=${createHmac('sha1', secret).update(text).digest('hex')}`,
    'x-hub-signature-256': await sign(secret, text),
  };
  return {
    body: Buffer.from(text, 'utf8'),
    headers,
    guid: deliveryGuids(guids),
    description: `pull_request.opened ${repository?.full_name ?? ''}#${(example.payload['number'] as number | undefined) ?? '?'} (recorded, @octokit/webhooks-examples)`,
  };
}

interface LoadResult {
  seconds: number;
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  statusCodes: Record<string, number>;
  capped: boolean;
  /** Responses in the last full second: the warmed-up rate, for sizing the measured run. */
  lastSecond: number;
}

/**
 * One autocannon run. With `amount` every request is answered before it returns, which is what
 * lets the inbox row count be compared with the 2xx count exactly; with `duration` (warm-up) the
 * requests in flight at the cut-off are abandoned.
 */
function load(
  origin: string,
  delivery: Delivery,
  connections: number,
  limit: { amount: number; capSeconds: number } | { duration: number },
  idPrefix: string,
): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    // Set before autocannon connects, so the window covers the first request.
    const firstAt = performance.now();
    let lastAt = 0;
    const opts: autocannon.Options = {
      url: `${origin}${WEBHOOK_PATH}`,
      method: 'POST',
      connections,
      pipelining: 1, // GitHub does not pipeline
      timeout: 10, // GitHub gives up after 10 s
      headers: delivery.headers,
      body: delivery.body,
      requests: [
        {
          setupRequest: (request) => {
            // A new GUID per request, so dedupe never answers from memory.
            request.headers = {
              ...request.headers,
              'x-github-delivery': `${idPrefix}${delivery.guid()}`,
            };
            return request;
          },
        },
      ],
      ...('amount' in limit ? { amount: limit.amount } : { duration: limit.duration }),
    };
    const instance = autocannon(opts, (error: unknown, result: autocannon.Result) => {
      clearTimeout(cap);
      if (error) return reject(error instanceof Error ? error : new Error(String(error)));
      const statusCodes: Record<string, number> = {};
      for (const [code, stat] of Object.entries(result.statusCodeStats ?? {}))
        statusCodes[code] = (stat as { count: number }).count;
      // autocannon only notices the end on its 1 s sampling tick; for fixed-amount runs the
      // window is first request to last response instead, or the rate would include idle time.
      const lastSecond = Math.max(0, ...perSecond.slice(0, -1).map((n) => n ?? 0));
      const seconds =
        'amount' in limit && lastAt > firstAt ? (lastAt - firstAt) / 1000 : result.duration;
      resolve({
        seconds,
        sent: result.requests.sent,
        ok: result['2xx'],
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        p50: result.latency.p50,
        p99: result.latency.p99,
        statusCodes,
        capped,
        lastSecond,
      });
    });
    let capped = false;
    const cap = setTimeout(
      () => {
        capped = true;
        instance.stop();
      },
      'amount' in limit ? limit.capSeconds * 1000 : (limit.duration + 30) * 1000,
    );
    // Responses per wall-clock second since the start; the last bucket is a partial second.
    const perSecond: number[] = [];
    instance.on('response', () => {
      lastAt = performance.now();
      const bucket = Math.floor((lastAt - firstAt) / 1000);
      perSecond[bucket] = (perSecond[bucket] ?? 0) + 1;
    });
  });
}

/** One signed delivery by fetch, so a wrong secret or route fails with the server's own words. */
async function preflight(server: Server, delivery: Delivery): Promise<void> {
  const res = await fetch(`${server.origin}${WEBHOOK_PATH}`, {
    method: 'POST',
    headers: { ...delivery.headers, 'x-github-delivery': `${PREFLIGHT_PREFIX}${delivery.guid()}` },
    body: delivery.body,
  });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300)
    throw new Error(
      `${server.side} answered the preflight delivery with ${res.status}: ${text.slice(0, 500)}`,
    );
}

// ---------------------------------------------------------------------------------------------
// one run

async function runOnce(
  side: Side,
  run: number,
  options: Options,
  secret: string,
  delivery: Delivery,
  previousRate?: number,
): Promise<RunResult> {
  const server = await startServer(side, secret, options);
  try {
    await preflight(server, delivery);
    let warmupRate = 0;
    let warmupOk = 0;
    let warmupSent = 0;
    if (options.warmup > 0) {
      const warm = await load(
        server.origin,
        delivery,
        options.connections,
        { duration: options.warmup },
        WARMUP_PREFIX,
      );
      // The best full second, not the average: the first second is still JIT-compiling.
      warmupRate = Math.max(warm.lastSecond, warm.ok / warm.seconds);
      warmupOk = warm.ok;
      warmupSent = warm.sent;
      if (warm.non2xx > 0 || warm.errors > 0)
        throw new Error(
          `${side} warm-up: ${warm.non2xx} non-2xx, ${warm.errors} errors (${JSON.stringify(warm.statusCodes)})\n${server.log.join('\n')}`,
        );
    }
    // Sized to last about --duration: from this side's previous measured run when there is one
    // (a 2 s warm-up still runs cold), else from the warm-up; at least 200 per connection.
    const amount = Math.max(
      options.connections * 200,
      Math.round((previousRate ?? (warmupRate || 1000)) * options.duration),
    );
    const machineCpu0 = machineBusySeconds();
    const serverCpu0 = processCpuSeconds(server.child.pid);
    const loadCpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const measured = await load(
      server.origin,
      delivery,
      options.connections,
      { amount, capSeconds: Math.max(options.duration * 3, options.duration + 30) },
      '',
    );

    const wall = (performance.now() - wall0) / 1000;
    const serverCpu1 = processCpuSeconds(server.child.pid);
    const loadCpu = process.cpuUsage(loadCpu0);
    const serverCores =
      serverCpu0 !== undefined && serverCpu1 !== undefined
        ? (serverCpu1 - serverCpu0) / wall
        : undefined;
    const loadCores = (loadCpu.user + loadCpu.system) / 1e6 / wall;
    const machineCpu1 = machineBusySeconds();
    const otherCores =
      machineCpu0 !== undefined && machineCpu1 !== undefined && serverCores !== undefined
        ? Math.max(0, (machineCpu1 - machineCpu0) / wall - serverCores - loadCores)
        : undefined;

    let inbox: RunResult['inbox'];
    if (side === 'reynolds') {
      // kill -9, not a graceful stop: a 202 must mean the row is committed even if the process
      // dies right after answering (a profile needs a clean exit, so --profile uses SIGTERM).
      await stopServer(server, options.profile ? 'SIGTERM' : 'SIGKILL');
      const counts = await countInbox(server.dataDir!);
      const totalAcked = 1 + warmupOk + measured.ok;
      const totalSent = 1 + warmupSent + measured.sent;
      inbox = {
        measuredRows: counts.measured,
        processedRows: counts.processed,
        totalRows: counts.total,
        expectedMeasured: measured.ok,
        totalAcked,
        totalSent,
        // Exact for the measured run (every request answered); the warm-up's abandoned in-flight
        // requests may or may not have been stored, so the total only has bounds.
        ok:
          counts.measured === measured.ok &&
          counts.total >= totalAcked &&
          counts.total <= totalSent,
      };
    }
    return {
      side,
      run,
      rate: measured.ok / measured.seconds,
      p50: measured.p50,
      p99: measured.p99,
      seconds: measured.seconds,
      sent: measured.sent,
      ok: measured.ok,
      non2xx: measured.non2xx,
      errors: measured.errors + (measured.capped ? 1 : 0),
      timeouts: measured.timeouts,
      statusCodes: measured.statusCodes,
      warmupRate,
      profileDir: server.profileDir,
      serverCores,
      loadCores,
      otherCores,
      inbox,
      serverLog: [...server.log],
    };
  } finally {
    await stopServer(server, options.profile ? 'SIGTERM' : 'SIGKILL');
    if (server.dataDir && !options.keepData) {
      rmSync(server.dataDir, { recursive: true, force: true });
      tempDirs.delete(server.dataDir);
    }
  }
}

/** The store's own file name; imported lazily so `--only baseline` works without the server code. */
async function sqliteFileName(): Promise<string> {
  return (await import('../../src/store/sqlite/sqlite-store.js')).SQLITE_FILE_NAME;
}

/** User + system CPU seconds of a process, all threads (Linux /proc); undefined elsewhere. */
/** CPU seconds all CPUs spent busy (not idle or iowait) since boot (Linux /proc/stat). */
function machineBusySeconds(): number | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

async function countInbox(
  dataDir: string,
): Promise<{ total: number; measured: number; processed: number }> {
  const db = new Database(path.join(dataDir, await sqliteFileName()), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    const total = (db.prepare('SELECT count(*) AS n FROM deliveries').get() as { n: number }).n;
    // Done or parked: what the inbox worker got through beside intake, warm-up included.
    const processed = (
      db
        .prepare("SELECT count(*) AS n FROM deliveries WHERE status IN ('done', 'failed')")
        .get() as { n: number }
    ).n;
    const notMeasured = (
      db
        .prepare(
          'SELECT count(*) AS n FROM deliveries WHERE delivery_id LIKE ? OR delivery_id LIKE ?',
        )
        .get(`${WARMUP_PREFIX}%`, `${PREFLIGHT_PREFIX}%`) as { n: number }
    ).n;
    return { total, measured: total - notMeasured, processed };
  } finally {
    db.close();
  }
}

function printProfile(dir: string, side: Side): void {
  // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the event loop; others are
  // helper threads (e.g. the loader-hooks thread of tsx).
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .sort()
    : [];
  const file = files.find((f) => f.split('.')[4] === '0') ?? files[0];
  if (!file) {
    console.log(
      `  (no CPU profile was written to ${path.relative(ROOT, dir)}: did the server exit cleanly on SIGTERM?)`,
    );
    return;
  }
  console.log(`\n  CPU profile of the ${side} run: ${path.relative(ROOT, path.join(dir, file))}`);
  console.log(summarizeProfile(path.join(dir, file), ROOT).replace(/^/gm, '  '));
}

// ---------------------------------------------------------------------------------------------
// report

const ms = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(n < 10 ? 1 : 0)}` : '-');

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const options = parseOptions();
  keepData = options.keepData;
  if (!existsSync(path.join(ROOT, 'src/index.ts')) && options.only !== 'baseline') {
    usage('src/index.ts does not exist yet; run with --only baseline');
  }
  const secret = `bench-${randomBytes(16).toString('hex')}`;
  const delivery = await buildDelivery(secret, options.guids);
  const cpus = os.cpus();
  const sides: Side[] = options.only ? [options.only] : ['baseline', 'reynolds'];

  console.log('# Reynolds intake benchmark');
  console.log();
  console.log(
    `machine:     ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`,
  );
  console.log(
    `payload:     ${delivery.description}, ${delivery.body.length.toLocaleString('en-US')} bytes, signed once, new X-GitHub-Delivery per request (${options.guids === 'github' ? 'version-1 UUIDs, as GitHub sends' : 'random version-4 UUIDs'})`,
  );
  console.log(
    `load:        autocannon in this process, ${options.connections} keep-alive connections, no pipelining, loopback`,
  );
  console.log(
    `runs:        ${options.runs} per side, alternating; ${options.warmup} s warm-up (not counted) + ~${options.duration} s measured (a fixed count, sized from the side's previous run or the warm-up, all answered)`,
  );
  console.log(
    `servers:     each run a fresh child process (${options.profile ? 'with --cpu-prof, Reynolds from a tsc build' : 'node --import tsx'}); Reynolds with a fresh DATA_DIR, SQLite inbox, LOG_LEVEL=warn, ` +
      (options.noWorker
        ? 'inbox worker OFF (--no-worker: intake alone)'
        : 'inbox worker on (as in production)'),
  );
  if (cpus.length <= 4) {
    console.log(
      `note:        only ${cpus.length} cores: the load generator, the server and Reynolds' inbox worker share them, so absolute numbers`,
    );
    console.log(
      `             understate a dedicated server; the ratio to the baseline (same conditions) is the fairer figure.`,
    );
  }
  console.log();
  if (options.profile && sides.includes('reynolds')) buildForProfile();

  const results: RunResult[] = [];
  for (let run = 1; run <= options.runs; run++) {
    for (const side of sides) {
      process.stdout.write(`run ${run}/${options.runs} ${side.padEnd(8)} … `);
      const previous = results.filter((r) => r.side === side).at(-1);
      const result = await runOnce(side, run, options, secret, delivery, previous?.rate);
      results.push(result);
      const inbox = result.inbox
        ? `, inbox rows ${int(result.inbox.measuredRows)}/${int(result.inbox.expectedMeasured)} measured (${int(result.inbox.totalRows)} total incl. warm-up) ${result.inbox.ok ? 'ok' : 'MISMATCH'}` +
          (options.noWorker
            ? ''
            : `; worker processed ${int(result.inbox.processedRows)} of ${int(result.inbox.totalRows)} meanwhile`)
        : '';
      console.log(
        `${int(result.rate)}/s, p50 ${ms(result.p50)} ms, p99 ${ms(result.p99)} ms, ${int(result.ok)} × 2xx in ${result.seconds.toFixed(2)} s` +
          `${result.non2xx || result.errors ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : ''} (warm-up ${int(result.warmupRate)}/s)` +
          `; CPU: server ${result.serverCores?.toFixed(2) ?? '?'} cores, load generator ${result.loadCores.toFixed(2)}` +
          `${result.otherCores !== undefined ? `, other processes ${result.otherCores.toFixed(2)}` : ''}${inbox}`,
      );
      if (result.profileDir) printProfile(result.profileDir, side);
    }
  }

  const of = (side: Side): RunResult[] => results.filter((r) => r.side === side);
  const summary = (side: Side) => {
    const rs = of(side);
    return {
      rate: median(rs.map((r) => r.rate)),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      ok: rs.reduce((n, r) => n + r.ok, 0),
      bad: rs.reduce((n, r) => n + r.non2xx + r.errors, 0),
      rates: rs.map((r) => int(r.rate)).join(', '),
    };
  };
  const base = sides.includes('baseline') ? summary('baseline') : undefined;
  const rey = sides.includes('reynolds') ? summary('reynolds') : undefined;
  const ratio = base && rey ? rey.rate / base.rate : Number.NaN;
  const rateOk = rey ? rey.rate >= TARGET_RATE : undefined;
  const ratioOk = Number.isFinite(ratio) ? ratio >= TARGET_RATIO : undefined;

  const rows: string[][] = [
    [
      'side',
      'deliveries/s (median)',
      'runs (req/s)',
      'p50 ms',
      'p99 ms',
      '2xx',
      'not 2xx',
      'target',
    ],
  ];
  if (base)
    rows.push([
      'baseline: node:http + @octokit/webhooks, verify + ack, no storage',
      int(base.rate),
      base.rates,
      ms(base.p50),
      ms(base.p99),
      int(base.ok),
      int(base.bad),
      '-',
    ]);
  if (rey)
    rows.push([
      `Reynolds: restify + WebhookIntake + SQLite inbox (committed before 202)${options.noWorker ? ', worker off' : ''}`,
      int(rey.rate),
      rey.rates,
      ms(rey.p50),
      ms(rey.p99),
      int(rey.ok),
      int(rey.bad),
      `>= ${int(TARGET_RATE)}/s: ${rateOk ? 'PASS' : 'MISS'}`,
    ]);
  if (base && rey)
    rows.push([
      'ratio Reynolds / baseline',
      `${ratio.toFixed(2)}x`,
      '',
      (rey.p50 / base.p50).toFixed(2) + 'x',
      (rey.p99 / base.p99).toFixed(2) + 'x',
      '',
      '',
      `>= ${TARGET_RATIO}x: ${ratioOk ? 'PASS' : 'MISS'}`,
    ]);
  console.log();
  console.log(table(rows));
  console.log();

  const failures: string[] = [];
  for (const r of results) {
    if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0)
      failures.push(
        `${r.side} run ${r.run}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts; status codes ${JSON.stringify(r.statusCodes)}`,
      );
    if (r.inbox && !r.inbox.ok)
      failures.push(
        `Reynolds run ${r.run}: inbox has ${r.inbox.measuredRows} measured rows for ${r.inbox.expectedMeasured} 2xx answers` +
          ` (total ${r.inbox.totalRows}, expected between ${r.inbox.totalAcked} acked and ${r.inbox.totalSent} sent)`,
      );
  }
  const reynoldsRuns = of('reynolds');
  if (reynoldsRuns.length > 0 && failures.length === 0) {
    console.log(
      `durability: after kill -9, every measured 2xx is a row in ${await sqliteFileName()} (deliveries): ${reynoldsRuns.map((r) => `${int(r.inbox!.measuredRows)}/${int(r.inbox!.expectedMeasured)}`).join(', ')}`,
    );
  }
  const serverLines = reynoldsRuns.flatMap((r) => r.serverLog);
  if (serverLines.length > 0) {
    console.log(`Reynolds wrote ${serverLines.length} line(s) at LOG_LEVEL=warn (last ones):`);
    for (const line of serverLines.slice(-5)) console.log(`  ${line}`);
  }

  const resultsDir = path.join(ROOT, 'bench/.results');
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(
    resultsDir,
    `intake-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  );
  writeFileSync(
    file,
    `${JSON.stringify({ options, machine: { cpus: cpus.length, model: cpus[0]?.model, node: process.version }, payloadBytes: delivery.body.length, baseline: base, reynolds: rey, ratio, results }, null, 2)}\n`,
  );
  console.log(`results: ${path.relative(ROOT, file)}`);

  if (failures.length > 0) {
    console.error(`\nFAILED:\n${failures.map((f) => `  ${f}`).join('\n')}`);
    return 1;
  }
  if (options.enforceTargets && (rateOk === false || ratioOk === false)) {
    console.error('\nFAILED: a target was missed (--enforce-targets)');
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    cleanup();
    process.exit(code);
  },
  (error: unknown) => {
    console.error(`\nbench:intake: ${error instanceof Error ? error.message : String(error)}`);
    cleanup();
    process.exit(2);
  },
);
