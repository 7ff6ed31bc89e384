/**
 * Loop-prevention benchmark: the scenario simulator (real Reynolds against a GitHub stand-in on a
 * virtual clock), then recall and precision over generated scenarios (accuracy.ts), then the cost
 * of ChainTracker.assess over a million synthetic events.
 *
 *   npx tsx bench/loops/run.ts [--small] [--only <scenario>[,<scenario>...]] [--chains] [--seed S]
 *                              [--skip-assess] [--assess-only] [--events N] [--scenarios N]
 *                              [--skip-accuracy]
 *
 * --small        the small scenario sizes (what tests/loops/scenarios.test.ts runs)
 * --only         run only the named scenarios
 * --chains       print the chains behind each result: every node with actor, link, depth,
 *                signals and verdict (for non-proceed verdicts, refusals, unstopped loops)
 * --seed S       seed of the scenarios' timing (default: each scenario's name; runs are deterministic)
 * --events N     events for the assess-cost part (default 1,000,000)
 * --scenarios N  generated scenarios for the accuracy part (default 10,000; seeded by --seed, else 1)
 *
 * Exit codes: 0 every scenario met its target (and recall and precision reached 99.9 %), 1 one
 * did not, 2 bad arguments.
 * Loopback only; every scenario stops by itself (event cap, virtual-time horizon).
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formatAccuracy, runAccuracy } from './accuracy.js';
import { runAssessCost } from './assess-cost.js';
import { runScenario, SCENARIOS, scenarioNamed, type ScenarioResult } from './scenarios.js';

/** Recall and precision the generated scenarios must reach. */
const ACCURACY_TARGET = 0.999;

function usage(message: string): never {
  console.error(`bench/loops: ${message}`);
  console.error(
    'usage: npx tsx bench/loops/run.ts [--small] [--only a,b] [--chains] [--seed S] [--skip-assess] [--assess-only] [--events N] [--scenarios N] [--skip-accuracy]',
  );
  process.exit(2);
}

function options() {
  try {
    const { values } = parseArgs({
      options: {
        small: { type: 'boolean', default: false },
        only: { type: 'string' },
        chains: { type: 'boolean', default: false },
        'skip-assess': { type: 'boolean', default: false },
        'assess-only': { type: 'boolean', default: false },
        events: { type: 'string' },
        scenarios: { type: 'string' },
        'skip-accuracy': { type: 'boolean', default: false },
        seed: { type: 'string' },
      },
      strict: true,
    });
    const events = values.events === undefined ? 1_000_000 : Number(values.events);
    if (!Number.isInteger(events) || events < 1000 || events > 100_000_000)
      usage('--events must be a whole number from 1000 to 100000000');
    const scenarios = values.scenarios === undefined ? 10_000 : Number(values.scenarios);
    if (!Number.isInteger(scenarios) || scenarios < 10 || scenarios > 10_000_000)
      usage('--scenarios must be a whole number from 10 to 10000000');
    const only = values.only
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (only) for (const name of only) scenarioNamed(name);
    return { ...values, events, scenarios, only };
  } catch (error) {
    usage((error as Error).message);
  }
}

export function formatTable(results: readonly ScenarioResult[]): string[] {
  const header = [
    'scenario',
    'kind',
    'events',
    'hops',
    'writes',
    'refused',
    'proceed/dampen/break',
    'admin alerts',
    'false supp.',
    'result',
  ];
  const rows = results.map((r) => [
    r.name,
    r.kind,
    String(r.events),
    r.kind === 'loop' ? (r.hops === null ? 'not stopped' : String(r.hops)) : '-',
    String(r.writes),
    String(r.refused),
    `${r.verdicts.proceed}/${r.verdicts.dampen}/${r.verdicts.break}`,
    r.adminAlerts.join('+'),
    r.falseSuppressions === undefined ? '-' : String(r.falseSuppressions),
    r.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 2 && i <= 8 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

async function main(): Promise<void> {
  const o = options();
  let failed = false;
  if (!o['assess-only']) {
    const scenarios = o.only ? o.only.map(scenarioNamed) : SCENARIOS;
    const size = o.small ? 'small' : 'full';
    console.log(`Loop scenarios (${size}): real Reynolds + GitHub stand-in on a virtual clock\n`);
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      const result = await runScenario(scenario, {
        size,
        chains: o.chains,
        ...(o.seed !== undefined && { seed: `${scenario.name}:${o.seed}` }),
      });
      results.push(result);
      console.log(
        `  ${result.pass ? 'PASS' : 'FAIL'} ${result.name}: ${result.events} events in ${(result.virtualMs / 60_000).toFixed(1)} virtual min, ${(result.realMs / 1000).toFixed(1)} s real`,
      );
      for (const note of result.notes) console.log(`       ${note}`);
      for (const line of result.chains) console.log(line);
    }
    console.log('');
    for (const line of formatTable(results)) console.log(line);
    console.log('');
    for (const r of results) console.log(`  ${r.name.padEnd(20)} ${r.story}`);
    console.log(
      '\nTargets: loops stopped within 3 hops with at most one admin alert per Reynolds and no alert after a break; legit traffic with zero false suppressions.',
    );
    failed = results.some((r) => !r.pass);
  }
  if (!o['assess-only'] && !o['skip-accuracy']) {
    console.log('');
    const seed =
      o.seed === undefined
        ? 1
        : Number.parseInt(createHash('sha1').update(o.seed).digest('hex').slice(0, 8), 16);
    const accuracy = await runAccuracy({ scenarios: o.scenarios, seed });
    for (const line of formatAccuracy(accuracy)) console.log(line);
    console.log(`\nTargets: recall and precision at least ${(ACCURACY_TARGET * 100).toFixed(1)}%.`);
    failed ||= accuracy.recall < ACCURACY_TARGET || accuracy.precision < ACCURACY_TARGET;
  }
  if (!o['skip-assess']) {
    console.log('');
    await runAssessCost({ events: o.events });
  }
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
