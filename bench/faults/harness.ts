/**
 * One fault run: Reynolds as a child process with subscribed channels whose cards go to a
 * connector stand-in, a steady open-loop stream of signed deliveries, and a fault injected for a
 * while in the middle. The sender behaves like GitHub plus redelivery (Reynolds's recovery, or an
 * operator): a delivery that got no 2xx is sent again, same id and body, after the Retry-After it
 * was given (1 s when none), until it is accepted. Afterwards it counts, for every delivery:
 * accepted (a 2xx), processed (done in the store), alerted (a card), duplicated (more than one
 * card) and lost (accepted, but no card when the grace ran out).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { deliveryKey } from '../../src/github/delivery-key.js';
import type { Store } from '../../src/store/store.js';
import {
  BENCH_HOOK_ID,
  DeliveryFactory,
  markerPattern,
  type BenchDelivery,
} from '../e2e/events.js';
import { startTimedConnector, type TimedConnector } from '../e2e/timed-connector.js';
import { sleep } from '../support/bench-kit.js';
import {
  ROOT,
  startReynoldsChild,
  killChild,
  type ReynoldsChild,
} from '../support/reynolds-child.js';

export interface RunSettings {
  rate: number;
  /** Seconds of sending. */
  duration: number;
  /** Seconds after the first delivery when the fault begins. */
  faultAt: number;
  /** Seconds the fault lasts. */
  outage: number;
  /** Seconds after the last delivery was accepted that a card may still take. */
  grace: number;
  conversations: number;
}

/** What a scenario can reach while it runs. */
export interface FaultContext {
  settings: RunSettings;
  dataDir: string;
  connector: TimedConnector;
  child(): ReynoldsChild;
  /** kill -9 the child and start it again on the same port and data. */
  killAndRestart(downMs: number): Promise<void>;
  note(line: string): void;
}

export interface Backend {
  /** Environment for the child (DATA_DIR, STORE...). */
  env: Record<string, string>;
  dataDir: string;
  /** Writes the channels and subscriptions before the child starts. */
  seed(conversations: number, serviceUrl: string): Promise<void>;
  /** Opens the store after the child stopped, to read what was processed. */
  open(): Promise<Store>;
  stop(): Promise<void>;
}

export interface Scenario {
  name: string;
  what: string;
  backend(): Promise<Backend>;
  begin(ctx: FaultContext): Promise<void>;
  end(ctx: FaultContext): Promise<void>;
  /** A reason it cannot run here (e.g. needs root), checked before anything starts. */
  unavailable?(): Promise<string | undefined>;
}

export interface FaultResult {
  scenario: string;
  sent: number;
  accepted: number;
  /** Answers that were not 2xx, by status ("refused" when there was no answer at all). */
  rejections: Record<string, number>;
  processed: number;
  alerted: number;
  duplicated: number;
  lost: number;
  notes: string[];
  seconds: number;
}

/**
 * Folding (docs/noise-control.md) turns a backlog of low-priority alerts into summary cards that
 * list the latest few: right for people, but then a card per delivery cannot be counted. The
 * faults are about losing nothing, so every alert gets its own card here; bench/e2e measures
 * folding.
 */
const NO_FOLDING = { FOLD_BACKLOG: '0' };

interface Tracked {
  d: BenchDelivery;
  accepted: boolean;
  cards: number;
  attempts: number;
}

export async function runScenario(
  scenario: Scenario,
  settings: RunSettings,
  secret: string,
): Promise<FaultResult> {
  const started = performance.now();
  /** Seconds since the first delivery left: the time base of every note. */
  let t0 = started;
  const since = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
  const tag = randomBytes(3).toString('hex');
  const connector = await startTimedConnector(markerPattern(tag));
  const backend = await scenario.backend();
  const notes: string[] = [];
  const tracked: Tracked[] = [];
  const rejections: Record<string, number> = {};
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  let child: ReynoldsChild | undefined;
  try {
    await backend.seed(settings.conversations, connector.url);
    child = await startReynoldsChild({
      dataDir: backend.dataDir,
      secret,
      env: { ...backend.env, ...NO_FOLDING },
      keepLines: 5000,
    });
    const port = child.port;
    connector.onPost = (post) => {
      // An edit (enrichment notes, a burst card growing) is the same card again, not another alert.
      if (post.edit) return;
      for (const marker of post.markers) {
        const entry = tracked[Number(marker.slice(-7))];
        if (entry) entry.cards += 1;
      }
    };
    const ctx: FaultContext = {
      settings,
      dataDir: backend.dataDir,
      connector,
      child: () => child!,
      async killAndRestart(downMs) {
        await killChild(child!);
        notes.push(`killed -9 at ${since()}`);
        await sleep(downMs);
        child = await startReynoldsChild({
          dataDir: backend.dataDir,
          secret,
          env: { ...backend.env, ...NO_FOLDING },
          port,
          keepLines: 5000,
        });
        notes.push(`restarted (healthy again) at ${since()}`);
      },
      note: (line) => notes.push(line),
    };

    const factory = new DeliveryFactory(secret, tag, settings.conversations);
    const send = (entry: Tracked): void => {
      entry.attempts += 1;
      const url = new URL(`${child!.origin}/api/github/webhook`);
      const retry = (afterMs: number) => setTimeout(() => send(entry), afterMs).unref();
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { ...entry.d.headers, 'content-length': String(entry.d.body.length) },
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            entry.accepted = true;
            return;
          }
          rejections[String(status)] = (rejections[String(status)] ?? 0) + 1;
          const retryAfter = Number(res.headers['retry-after']);
          retry(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 1000);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        rejections.refused = (rejections.refused ?? 0) + 1;
        retry(1000);
      });
      req.end(entry.d.body);
    };

    const total = Math.round(settings.rate * settings.duration);
    t0 = performance.now();
    let faultBegun = false;
    let faultEnded = false;
    let faultWork: Promise<void> = Promise.resolve();
    for (let seq = 0; seq < total || !faultEnded;) {
      const elapsed = (performance.now() - t0) / 1000;
      if (!faultBegun && elapsed >= settings.faultAt) {
        faultBegun = true;
        notes.push(`fault begins at ${since()}`);
        faultWork = scenario.begin(ctx);
      }
      if (faultBegun && !faultEnded && elapsed >= settings.faultAt + settings.outage) {
        faultEnded = true;
        await faultWork;
        await scenario.end(ctx);
        notes.push(`fault ends at ${since()}`);
      }
      while (seq < total && seq < elapsed * settings.rate) {
        const entry: Tracked = { d: factory.make(seq), accepted: false, cards: 0, attempts: 0 };
        tracked[seq] = entry;
        send(entry);
        seq += 1;
      }
      await sleep(5);
    }

    // Drain: every delivery accepted (redeliveries keep going), then every accepted one carded.
    const acceptDeadline = performance.now() + settings.grace * 1000;
    while (tracked.some((t) => !t.accepted) && performance.now() < acceptDeadline) await sleep(100);
    const cardDeadline = performance.now() + settings.grace * 1000;
    while (tracked.some((t) => t.accepted && t.cards === 0) && performance.now() < cardDeadline)
      await sleep(200);
    await sleep(2000); // a late duplicate would show up now
    await killChild(child, 'SIGTERM');

    const store = await backend.open();
    let processed = 0;
    try {
      for (const t of tracked) {
        if (!t.accepted) continue;
        const key = deliveryKey({ deliveryId: t.d.deliveryId, hookId: BENCH_HOOK_ID });
        if ((await store.getDelivery(key))?.status === 'done') processed += 1;
      }
    } finally {
      await store.close();
    }
    const accepted = tracked.filter((t) => t.accepted);
    // What Reynolds said about alerts it gave up on: the first place to look when one is lost.
    const gaveUp = child.log.filter((line) => /alert dropped|refused|parked as failed/.test(line));
    if (gaveUp.length > 0)
      notes.push(
        `Reynolds logged ${gaveUp.length} alert(s) or deliveries it gave up on, e.g. ${gaveUp[0]!.slice(0, 600)}`,
      );
    const lostOnes = accepted.filter((t) => t.cards === 0);
    if (lostOnes.length > 0) {
      const file = path.join(ROOT, 'bench/.results', `faults-${scenario.name}-${Date.now()}.log`);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, child.log.join('\n'));
      notes.push(
        `lost deliveries, e.g. ${lostOnes
          .slice(0, 3)
          .map((t) => `${t.d.deliveryId} (${t.d.kind}, seq ${t.d.seq})`)
          .join(', ')}; Reynolds's log: ${path.relative(ROOT, file)}`,
      );
    }
    const edits = connector.posts.filter((post) => post.edit).length;
    if (edits > 0)
      notes.push(
        `${edits} cards were edited in place afterwards (enrichment notes, bursts): not counted as alerts`,
      );
    const redelivered = tracked.filter((t) => t.attempts > 1).length;
    if (redelivered > 0)
      notes.push(
        `${redelivered} deliveries were sent more than once (redeliveries after a non-2xx or no answer)`,
      );
    return {
      scenario: scenario.name,
      sent: tracked.length,
      accepted: accepted.length,
      rejections,
      processed,
      alerted: accepted.filter((t) => t.cards > 0).length,
      duplicated: tracked.filter((t) => t.cards > 1).length,
      lost: accepted.filter((t) => t.cards === 0).length,
      notes,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    if (child) notes.push(...child.log.slice(-10));
    throw Object.assign(error as Error, { notes });
  } finally {
    if (child) await killChild(child);
    agent.destroy();
    await connector.stop();
    await backend.stop();
  }
}
