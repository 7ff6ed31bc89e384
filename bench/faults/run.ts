/**
 * Fault harness: each fault in bench/faults/scenarios.ts, injected into a running Reynolds under a
 * steady load of signed deliveries, and what became of every delivery.
 *
 *   npm run bench:faults [-- --only kill-9,connector-429] [--rate 40] [--outage 30]
 *                           [--connector-outage 60] [--grace 120]
 *
 * Prints, per fault: deliveries sent, accepted (2xx), the non-2xx answers, processed, alerted,
 * duplicated and lost, then a summary table. Exit 1 when any delivery that got a 2xx was lost or
 * alerted twice, 2 on bad arguments. Loopback only; every fault ends by itself; children are
 * killed on exit.
 */
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { int, numberOption, table } from '../support/bench-kit.js';
import { killAllChildren } from '../support/reynolds-child.js';
import { runScenario, type FaultResult, type RunSettings } from './harness.js';
import { scenarios } from './scenarios.js';

process.on('exit', killAllChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAllChildren();
    process.exit(130);
  });
}

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    rate: { type: 'string', default: '40' },
    outage: { type: 'string', default: '30' },
    'connector-outage': { type: 'string', default: '60' },
    grace: { type: 'string', default: '120' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
const all = scenarios();
if (values.help) {
  console.log(
    'usage: npm run bench:faults -- [--only a,b] [--rate n] [--outage s] [--connector-outage s] [--grace s]\nfaults:',
  );
  for (const s of all) console.log(`  ${s.name.padEnd(20)} ${s.what}`);
  process.exit(0);
}
const usage = (message: string): never => {
  console.error(`bench:faults: ${message}`);
  process.exit(2);
};
const number = (name: string, raw: string, min: number, max: number): number =>
  numberOption(name, raw, undefined, min, max, usage);
const rate = number('rate', values.rate!, 1, 500);
const outage = number('outage', values.outage!, 1, 600);
const connectorOutage = number('connector-outage', values['connector-outage']!, 1, 600);
const grace = number('grace', values.grace!, 10, 1200);
const only = values.only
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = only?.filter((name) => !all.some((s) => s.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(
    `bench:faults: unknown fault(s) ${unknown.join(', ')}; known: ${all.map((s) => s.name).join(', ')}`,
  );
  process.exit(2);
}

const secret = randomBytes(16).toString('hex');
const results: FaultResult[] = [];
const skipped: string[][] = [];
for (const scenario of all.filter((s) => !only || only.includes(s.name))) {
  const why = await scenario.unavailable?.();
  if (why) {
    console.log(`\n${scenario.name}: not run here: ${why}`);
    skipped.push([scenario.name, why]);
    continue;
  }
  const seconds = scenario.name.startsWith('connector') ? connectorOutage : outage;
  // Send through the outage and 10 s beyond it; channels enough that Teams' per-channel limits never bind.
  const settings: RunSettings = {
    rate,
    faultAt: 5,
    outage: seconds,
    duration: 5 + seconds + 10,
    grace,
    conversations: Math.max(1, Math.ceil(rate * 2)),
  };
  console.log(
    `\n${scenario.name}: ${scenario.what} (${seconds} s, ${rate} deliveries/s for ${settings.duration} s)`,
  );
  try {
    const result = await runScenario(scenario, settings, secret);
    for (const note of result.notes) console.log(`  ${note}`);
    results.push(result);
    console.log(
      `  → accepted ${int(result.accepted)}/${int(result.sent)}, processed ${int(result.processed)}, alerted ${int(result.alerted)}, duplicated ${result.duplicated}, lost ${result.lost} (${result.seconds.toFixed(0)} s)`,
    );
  } catch (error) {
    console.log(`  FAILED: ${(error as Error).message}`);
    for (const note of (error as { notes?: string[] }).notes ?? []) console.log(`  ${note}`);
    results.push({
      scenario: scenario.name,
      sent: 0,
      accepted: 0,
      rejections: {},
      processed: 0,
      alerted: 0,
      duplicated: 0,
      lost: Number.NaN,
      notes: [],
      seconds: 0,
    });
  }
}

const rows = [
  [
    'fault',
    'sent',
    'accepted (2xx)',
    'refused meanwhile',
    'processed',
    'alerted',
    'duplicated',
    'lost',
    'result',
  ],
];
for (const r of results) {
  const refused =
    Object.entries(r.rejections)
      .map(([status, n]) => `${int(n)}× ${status}`)
      .join(', ') || '-';
  const ok =
    r.lost === 0 && r.duplicated === 0 && r.processed === r.accepted && r.accepted === r.sent;
  rows.push([
    r.scenario,
    int(r.sent),
    int(r.accepted),
    refused,
    int(r.processed),
    int(r.alerted),
    String(r.duplicated),
    Number.isNaN(r.lost) ? 'run failed' : String(r.lost),
    ok ? 'PASS' : 'FAIL',
  ]);
}
for (const [name = '', why = ''] of skipped)
  rows.push([name, '-', '-', '-', '-', '-', '-', '-', `not run: ${why}`]);
console.log(`\n${table(rows)}`);
console.log(
  '\nrefused meanwhile: answers other than 2xx (the sender redelivers each after its Retry-After), "refused" = no answer (the process was down).',
);
process.exit(
  results.every((r) => r.lost === 0 && r.duplicated === 0 && r.processed === r.accepted) ? 0 : 1,
);
