/**
 * What every benchmark here needs and none should write again: a free loopback port, a child's
 * CPU time, medians and percentiles, the markdown tables they print, and delivery GUIDs.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { v1 as timeBasedUuid } from 'uuid';

/** Linux USER_HZ: /proc reports CPU times in these ticks. */
export const CLOCK_TICKS = 100;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no free port')),
      );
    });
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined where there is none. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** The p-th percentile (nearest rank) of values sorted ascending. */
export function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

/** Median of the finite values; NaN when there are none. */
export function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A whole number with thousands separators, or '-'. */
export const int = (n: number): string =>
  Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-';

/** A markdown table: first column left-aligned, the rest right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(rows[0]!),
    `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A numeric command-line option: `raw` when given (else `fallback`), checked against [min, max];
 * anything else is reported through `fail` (which exits) with a message naming the option.
 */
export function numberOption(
  name: string,
  raw: string | undefined,
  fallback: number | undefined,
  min: number,
  max: number,
  fail: (message: string) => never,
): number {
  if ((raw === undefined || raw === '') && fallback !== undefined) return fallback;
  const value = Number(raw);
  if (raw === undefined || raw === '' || !Number.isFinite(value) || value < min || value > max)
    fail(`--${name} must be a number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  return value;
}

/** Seeded PRNG: a simulation must replay identically for a seed (shared with the tests). */
export { mulberry32 } from '../../tests/support/prng.js';

/**
 * Which X-GitHub-Delivery values a benchmark sends: `github` (the default) or `random`.
 *
 * GitHub's own examples of delivery GUIDs are version-1, time-based UUIDs: the docs' example
 * delivery (72d3162e-cc78-11e3-81ab-4c9367dc0958) and the REST API's hook-delivery example
 * (58474f00-b361-11eb-836d-0e4f3503ccbe) ("11e3", "11eb": version 1). Their text starts
 * with the low 32 bits of a 100 ns clock, so deliveries that arrive close together also sort close
 * together, and the store's dedupe index takes them on the same few pages. Random (version-4)
 * GUIDs are the worst case for that index, every insert on a page of its own; `random` measures it.
 */
export type GuidKind = 'github' | 'random';

export function guidKindOption(
  raw: string | undefined,
  fail: (message: string) => never,
): GuidKind {
  if (raw === undefined || raw === 'github' || raw === 'random') return raw ?? 'github';
  return fail(
    `--guids must be github (version-1 UUIDs, as GitHub sends) or random (version 4) (got ${JSON.stringify(raw)})`,
  );
}

export function deliveryGuids(kind: GuidKind): () => string {
  return kind === 'github' ? () => timeBasedUuid() : () => randomUUID();
}
