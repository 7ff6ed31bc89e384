/**
 * What a claim costs behind a backlog: the inbox worker's due-items query (DUE_SQL) on an inbox
 * holding N pending deliveries, side by side with the query as it was before the leased-items
 * index, whose live-lease subquery read every open item. A backlog is what an outage leaves
 * (Teams down for an hour at 200 webhooks/s is 720,000 items), and every claim runs on the event
 * loop that also answers GitHub.
 *
 *   npm run bench:claim [-- --backlogs 1000,10000,100000 --repeats 21]
 *
 * Each backlog is one repository's pending items plus a few leased ones elsewhere, in an
 * in-memory database with the production schema. Reported: median ms per claim (limit 10).
 */
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { DELIVERY_WITH_BODY, SCHEMA } from '../../src/store/sqlite/sqlite-schema.js';
import { DUE_SQL } from '../../src/store/sqlite/sqlite-statements.js';
import { int, median, numberOption, table } from '../support/bench-kit.js';

/** DUE_SQL before the leased-items index (dropped for this side): its subquery read every open item. */
const BEFORE_SQL = `
    SELECT ${DELIVERY_WITH_BODY}
    WHERE d.status IN ('pending', 'processing')
      AND ((d.status = 'pending' AND d.next_attempt_at <= @now) OR (d.status = 'processing' AND d.lease_until <= @now))
      AND d.ordering_key NOT IN (
        SELECT ordering_key FROM deliveries
        WHERE status IN ('pending', 'processing') AND status = 'processing' AND lease_until > @now)
    ORDER BY d.seq LIMIT @limit`;

const usage = (message: string): never => {
  console.error(`bench:claim: ${message}`);
  process.exit(2);
};
const { values } = parseArgs({
  options: { backlogs: { type: 'string' }, repeats: { type: 'string' } },
});
const backlogs = (values.backlogs ?? '1000,10000,100000,500000')
  .split(',')
  .map((raw) => Math.round(numberOption('backlogs', raw, undefined, 1, 5_000_000, usage)));
const repeats = Math.round(numberOption('repeats', values.repeats, 21, 3, 1001, usage));
const NOW = 1_800_000_000_000;

function timeClaims(db: Database.Database, sql: string): number {
  const statement = db.prepare(sql);
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    const rows = statement.all({ now: NOW, limit: 10 });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (rows.length !== 10) throw new Error(`expected 10 due items, got ${rows.length}`);
  }
  return median(samples);
}

const rows: string[][] = [
  ['pending items', 'claim now (ms, median)', 'before (ms, median)', 'before / now'],
];
for (const backlog of backlogs) {
  const db = new Database(':memory:');
  db.exec(SCHEMA);
  // One busy repository's backlog, and three items leased for other repositories.
  db.prepare(
    `
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @backlog)
    INSERT INTO deliveries (key, tenant_id, delivery_id, event, ordering_key, received_at, status, next_attempt_at)
    SELECT 'hook-1:' || i, 'local', 'd-' || i, 'pull_request', 'octo/busy', @now - 1000, 'pending', @now - 1000 FROM n`,
  ).run({ backlog, now: NOW });
  for (const repo of ['octo/a', 'octo/b', 'octo/c'])
    db.prepare(
      `INSERT INTO deliveries (key, tenant_id, delivery_id, event, ordering_key, received_at, status, next_attempt_at, lease_owner, lease_until)
      VALUES (?, 'local', ?, 'push', ?, ?, 'processing', ?, 'other-replica', ?)`,
    ).run(`hook-1:${repo}`, repo, repo, NOW, NOW, NOW + 60_000);
  const now = timeClaims(db, DUE_SQL);
  db.exec('DROP INDEX deliveries_leased');
  const before = timeClaims(db, BEFORE_SQL);
  rows.push([int(backlog), now.toFixed(3), before.toFixed(3), `${(before / now).toFixed(1)}x`]);
  db.close();
}
console.log(
  `Inbox claim behind a backlog: due-items query, limit 10, ${repeats} claims per cell, in-memory SQLite`,
);
console.log(table(rows));
