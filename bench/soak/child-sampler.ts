/**
 * `--import`ed into the Reynolds child by bench/soak: answers a `soak:sample` message on the IPC
 * channel with the process's own numbers, so production code has no bench hook. The event-loop
 * delay histogram is reset at each sample, so its p99 covers one interval. Memory is read first,
 * as it is (no forced GC); then, when the child runs with --expose-gc, a full GC and the heap
 * again, which shows live data without the garbage the collector has not got round to. That GC
 * blocks the loop once per interval; it happens after the lag was read and reset, so it lands in
 * the next interval's max (1 sample of ~1,000), not its p99, and its duration is reported.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export interface ChildSample {
  rssBytes: number;
  /** RSS split (Linux /proc/self/status): malloc and V8 (anon), mapped files, shared memory (SQLite's WAL index). */
  rssParts?: { anonBytes: number; fileBytes: number; shmemBytes: number };
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /** Heap used right after a full GC; undefined without --expose-gc. */
  heapAfterGcBytes?: number;
  gcMs?: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** process.getActiveResourcesInfo(), counted by type (TCPSocketWrap, Timeout, FSReqCallback...). */
  resources: Record<string, number>;
}

function rssParts(): ChildSample['rssParts'] {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (name: string): number =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    return { anonBytes: kb('RssAnon'), fileBytes: kb('RssFile'), shmemBytes: kb('RssShmem') };
  } catch {
    return undefined; // not Linux
  }
}

export const SAMPLE_REQUEST = 'soak:sample';
export const SAMPLE_REPLY = 'soak:sample-reply';

if (process.send) {
  // 10 ms resolution: fine enough for a 50 ms target, and the timer costs nothing measurable.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const collect = (global as { gc?: () => void }).gc;
  process.on('message', (message: unknown) => {
    if ((message as { type?: string } | null)?.type !== SAMPLE_REQUEST) return;
    const memory = process.memoryUsage();
    const resources: Record<string, number> = {};
    for (const type of process.getActiveResourcesInfo())
      resources[type] = (resources[type] ?? 0) + 1;
    const sample: ChildSample = {
      rssBytes: memory.rss,
      rssParts: rssParts(),
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      externalBytes: memory.external,
      lagP50Ms: delay.percentile(50) / 1e6,
      lagP99Ms: delay.percentile(99) / 1e6,
      lagMaxMs: delay.max / 1e6,
      resources,
    };
    delay.reset();
    if (collect) {
      const started = performance.now();
      collect();
      sample.gcMs = performance.now() - started;
      sample.heapAfterGcBytes = process.memoryUsage().heapUsed;
    }
    process.send?.({ type: SAMPLE_REPLY, sample });
  });
  // Listening for messages refs the channel; the orphan guard wants it unref'd (no hold on exit).
  process.channel?.unref();
}
