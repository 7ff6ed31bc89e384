/**
 * CPU per delivery of the webhook intake without HTTP, against the bare work every receiver does
 * (verify the signature, parse the JSON). The end-to-end bench (run.ts) moves by ±5% between runs
 * on a shared 2-core machine; CPU time in one process moves by about 1%, so a change to the intake
 * or the store can be judged here first, then confirmed end to end.
 *
 *   npm run bench:intake:cpu [-- --rounds 7 --count 10000 --guids github|random]
 *
 * Both sides get the bench's ~21 KB pull_request.opened, 50 deliveries at a time (as the 50 bench
 * connections would hand them in one turn of the event loop), a new X-GitHub-Delivery each
 * (time-based as GitHub's are, or random with `--guids random`: see bench-kit's deliveryGuids).
 * "intake" is the production WebhookIntake over a SqliteStore in a temporary folder (group
 * commit, body journal, committed before it answers); "verify + parse" is @octokit/webhooks-methods
 * verify and JSON.parse. Reported: the median over rounds of process CPU (user + system) per
 * delivery, and what intake costs on top.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sign, verify } from '@octokit/webhooks-methods';
import { systemClock } from '../../src/core/clock.js';
import { WebhookIntake } from '../../src/github/intake.js';
import { SQLITE_FILE_NAME, SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { exampleOf } from '../../tests/support/webhook-examples.js';
import { deliveryGuids, guidKindOption, numberOption } from '../support/bench-kit.js';

const { values: args } = parseArgs({
  options: { rounds: { type: 'string' }, count: { type: 'string' }, guids: { type: 'string' } },
});
const usage = (message: string): never => {
  console.error(`bench:intake:cpu: ${message}`);
  process.exit(2);
};
const rounds = numberOption('rounds', args.rounds, 7, 3, 99, usage);
const count =
  Math.round(numberOption('count', args.count, 10_000, 1000, 1_000_000, usage) / 50) * 50;
const guids = guidKindOption(args.guids, usage);
const nextGuid = deliveryGuids(guids);
const CONCURRENCY = 50;
const SECRET = 'bench-intake-cpu-secret';

const body = Buffer.from(JSON.stringify(exampleOf('pull_request', 'opened').payload));
const signature = await sign(SECRET, body.toString('utf8'));
const headers = () => ({
  'content-type': 'application/json',
  'x-hub-signature-256': signature,
  'x-github-event': 'pull_request',
  'x-github-delivery': nextGuid(),
  'x-github-hook-id': '1',
});

const dir = mkdtempSync(path.join(os.tmpdir(), 'reynolds-intake-cpu-'));
const store = new SqliteStore({
  file: path.join(dir, SQLITE_FILE_NAME),
  clock: systemClock,
  deliveryTtlMs: 24 * 3600 * 1000,
});
await store.init();
const intake = new WebhookIntake({ secret: SECRET, store, clock: systemClock, tenantId: 'local' });

const sides: Record<string, () => Promise<void>> = {
  'verify + parse (every receiver)': async () => {
    const text = body.toString('utf8');
    if (!(await verify(SECRET, text, signature)) || typeof JSON.parse(text) !== 'object')
      throw new Error('bare side: verify or parse failed');
  },
  'intake (verify, parse, dedupe, durable write)': async () => {
    const answer = await intake.handle({ headers: headers(), rawBody: body });
    if (answer.status !== 202)
      throw new Error(`intake answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  },
};

async function round(one: () => Promise<void>, n: number): Promise<number> {
  const start = process.cpuUsage();
  for (let done = 0; done < n; done += CONCURRENCY)
    await Promise.all(Array.from({ length: CONCURRENCY }, one));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

try {
  const samples = new Map<string, number[]>(Object.keys(sides).map((name) => [name, []]));
  for (const one of Object.values(sides)) await round(one, count / 2); // JIT and file warm-up
  for (let r = 0; r < rounds; r++)
    for (const [name, one] of Object.entries(sides))
      samples.get(name)!.push(await round(one, count));
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const [bare, full] = [...samples.values()].map(median) as [number, number];
  console.log(
    `Intake CPU per delivery, no HTTP: ${(body.length / 1024).toFixed(1)} KB pull_request.opened, ${guids === 'github' ? 'GitHub-style (version-1)' : 'random'} delivery GUIDs, ${CONCURRENCY} at a time, ${rounds} rounds of ${count.toLocaleString('en-US')}, median`,
  );
  console.log(
    '| side                                          | CPU µs / delivery | rounds (µs)                              |',
  );
  console.log(
    '|:----------------------------------------------|------------------:|:-----------------------------------------|',
  );
  for (const [name, values] of samples)
    console.log(
      `| ${name.padEnd(45)} | ${median(values).toFixed(1).padStart(17)} | ${values
        .map((v) => v.toFixed(1))
        .join(', ')
        .padEnd(40)} |`,
    );
  console.log(
    `| intake on top of verify + parse               | ${(full - bare).toFixed(1).padStart(17)} | ${`${(full / bare).toFixed(2)}x the bare work`.padEnd(40)} |`,
  );
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
