/**
 * Missed-delivery recovery against a loopback GitHub App API (JWT verified with the App's public
 * key), with a real Reynolds behind it: redelivered deliveries really arrive at the webhook.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock } from '../../src/core/clock.js';
import {
  createAppJwtOctokit,
  DeliveryRecovery,
  GitHubAppDeliveryLog,
} from '../../src/github/delivery-recovery.js';
import { captureLogger } from '../support/log-capture.js';
import {
  APP_HOOK_ID,
  startGitHubAppServer,
  type FakeDelivery,
  type GitHubAppServer,
} from '../support/github-app-server.js';
import { postDelivery, startTestReynolds, type TestReynolds } from '../support/reynolds.js';
import { exampleOf } from '../support/webhook-examples.js';

const APP_ID = 987654;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function appKey(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
}

function delivery(
  id: number,
  ageMs: number,
  statusCode: number,
  guid = randomUUID(),
  extra: Partial<FakeDelivery> = {},
): FakeDelivery {
  const example = exampleOf('issues', 'opened');
  return {
    id,
    guid,
    deliveredAt: Date.now() - ageMs,
    statusCode,
    event: 'issues',
    action: 'opened',
    payload: structuredClone(example.payload),
    ...extra,
  };
}

/** What GitHub does on redelivery: the same GUID and hook headers, signed, to the webhook URL. */
function redeliverTo(reynolds: TestReynolds) {
  return async (d: FakeDelivery) => {
    const result = await postDelivery(reynolds.url, {
      event: d.event,
      payload: d.payload,
      deliveryId: d.guid,
      hookId: APP_HOOK_ID,
      headers: {
        'x-github-hook-installation-target-type': 'integration',
        'x-github-hook-installation-target-id': String(APP_ID),
      },
    });
    assert.equal(result.status, 202, JSON.stringify(result.json));
  };
}

async function metricsText(reynolds: TestReynolds): Promise<string> {
  return (await fetch(`${reynolds.url}/metrics`)).text();
}

describe('missed-delivery recovery (GitHub App mode)', () => {
  const privateKey = appKey();
  let github: GitHubAppServer;
  let reynolds: TestReynolds;
  let log: ReturnType<typeof captureLogger>;

  beforeEach(async () => {
    github = await startGitHubAppServer({ appId: APP_ID, privateKeyPem: privateKey, pageSize: 2 });
  });
  const dirs: string[] = [];
  afterEach(async () => {
    await reynolds?.dispose();
    await github.stop();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string> = {}): Promise<TestReynolds> {
    log = captureLogger([privateKey], 'info');
    reynolds = await startTestReynolds(
      {
        ...env,
        GITHUB_APP_ID: String(APP_ID),
        GITHUB_APP_PRIVATE_KEY: privateKey.replace(/\n/g, '\\n'),
        GITHUB_API_URL: github.url,
        RECOVERY_LOOKBACK_HOURS: '6',
        RECOVERY_INTERVAL_MINUTES: '60',
        LOG_LEVEL: 'info',
      },
      { logger: log.logger },
    );
    return reynolds;
  }

  it('on start, pages through the log and redelivers failed and missing deliveries once; present, recent and old ones are left alone', async () => {
    const present = delivery(1, 10 * MINUTE, 202);
    const failed = delivery(2, 20 * MINUTE, 500);
    const unreachableGuid = randomUUID();
    const unreachable = delivery(3, 40 * MINUTE, 0, unreachableGuid);
    const unreachableAgain = delivery(4, 30 * MINUTE, 502, unreachableGuid, { redelivery: true });
    const missing = delivery(5, 50 * MINUTE, 200);
    const tooRecent = delivery(6, 10_000, 500);
    const tooOld = delivery(7, 7 * HOUR, 500);
    const older = delivery(8, 8 * HOUR, 500);
    const older2 = delivery(9, 9 * HOUR, 500);
    github.deliveries.push(
      present,
      failed,
      unreachable,
      unreachableAgain,
      missing,
      tooRecent,
      tooOld,
      older,
      older2,
    );
    // The present one reached the inbox before this start (same data folder, under the App hook's key).
    const dataDir = mkdtempSync(path.join(tmpdir(), 'reynolds-recovery-'));
    dirs.push(dataDir);
    const earlier = await startTestReynolds({ DATA_DIR: dataDir });
    await redeliverTo(earlier)(present);
    await earlier.stop();

    github.onRedeliver = async (d) => redeliverTo(reynolds)(d);
    const r = await start({ DATA_DIR: dataDir });
    const first = await r.recovery!.runOnce(); // the start-up run
    assert.ok(first, 'the run completed');
    const requestedIds = new Set(github.redeliveries);
    assert.ok(requestedIds.has(failed.id), 'the 500 was redelivered');
    assert.ok(
      requestedIds.has(unreachableAgain.id),
      'the GUID that never connected was redelivered through its newest attempt',
    );
    assert.ok(!requestedIds.has(unreachable.id));
    assert.ok(requestedIds.has(missing.id), 'the 2xx missing from the inbox was redelivered');
    for (const d of [tooRecent, tooOld, older, older2])
      assert.ok(!requestedIds.has(d.id), `delivery ${d.id} must be left alone`);
    assert.equal(github.redeliveries.length, 3, `each GUID once: ${github.redeliveries.join(',')}`);
    // Paging stopped at the first page reaching past the lookback: the last page was never read.
    const listCalls = github.requests.filter(
      (q) => q.startsWith('GET /app/hook/deliveries?') || q === 'GET /app/hook/deliveries',
    );
    assert.ok(
      !listCalls.some((q) => q.includes(`cursor=${Buffer.from('8').toString('base64url')}`)),
      listCalls.join('\n'),
    );
    assert.equal(github.unauthorized, 0);

    const records = await r.store.queryRecords({
      kind: 'recovery',
      tenantId: r.config.tenantId,
      partition: 'redelivery',
      limit: 10,
    });
    assert.deepEqual(
      new Set(records.map((x) => x.id)),
      new Set([failed.guid, unreachableGuid, missing.guid]),
    );
    assert.ok(
      records.every((x) => x.expiresAt !== undefined),
      'claims expire',
    );
    assert.equal(records.find((x) => x.id === missing.guid)!.data.reason, 'missing');

    // The redelivered deliveries are in the inbox now, and a second run requests nothing.
    const before = github.redeliveries.length;
    const second = await r.recovery!.runOnce();
    assert.equal(github.redeliveries.length, before);
    assert.equal(second!.requested.length, 0);
    assert.ok(second!.alreadyInInbox >= 4, JSON.stringify(second));

    const metrics = await metricsText(r);
    assert.match(
      metrics,
      /reynolds_deliveries_recovered_total\{reason="failed",event="issues"\} 2/,
    );
    assert.match(
      metrics,
      /reynolds_deliveries_recovered_total\{reason="missing",event="issues"\} 1/,
    );
    assert.ok(
      log.lines.some((l) => l.includes(`asked GitHub to redeliver ${failed.guid}`)),
      log.text(),
    );
  });

  it('never redelivers a GUID twice, even with two replicas running at once', async () => {
    for (let i = 1; i <= 12; i += 1)
      github.deliveries.push(delivery(100 + i, (5 + i) * MINUTE, 500));
    const r = await start();
    await r.recovery!.runOnce();
    const afterStart = github.redeliveries.length;
    // Replicas share the store: three more runners race over ten new failures.
    const runner = () =>
      new DeliveryRecovery({
        store: r.store,
        clock: systemClock,
        log: new GitHubAppDeliveryLog(
          createAppJwtOctokit({ appId: APP_ID, privateKey, baseUrl: github.url }),
        ),
        logger: log.logger,
        tenantId: r.config.tenantId,
        owner: randomUUID(),
        intervalMs: HOUR,
        lookbackMs: 6 * HOUR,
        maxPerRun: 100,
      });
    github.deliveries.push(
      ...Array.from({ length: 10 }, (_, i) => delivery(200 + i, (5 + i) * MINUTE, 503)),
    );
    await Promise.all([runner().runOnce(), runner().runOnce(), runner().runOnce()]);
    const ids = github.redeliveries;
    assert.equal(new Set(ids).size, ids.length, `duplicates in ${ids.join(',')}`);
    assert.equal(ids.length, afterStart + 10);
  });

  it('bounds the redeliveries per run and picks the rest up next run', async () => {
    for (let i = 1; i <= 7; i += 1)
      github.deliveries.push(delivery(300 + i, (5 + i) * MINUTE, 500));
    log = captureLogger([privateKey], 'info');
    reynolds = await startTestReynolds(
      {
        GITHUB_APP_ID: String(APP_ID),
        GITHUB_APP_PRIVATE_KEY: privateKey,
        GITHUB_API_URL: github.url,
        RECOVERY_MAX_PER_RUN: '3',
        LOG_LEVEL: 'info',
      },
      { logger: log.logger },
    );
    const first = await reynolds.recovery!.runOnce();
    assert.equal(github.redeliveries.length, 3);
    assert.equal(first!.deferred, 4);
    await reynolds.recovery!.runOnce();
    await reynolds.recovery!.runOnce();
    assert.equal(github.redeliveries.length, 7);
    assert.equal(new Set(github.redeliveries).size, 7);
  });

  it('survives GitHub answering 503 and 429: logs, counts, and tries again next run', async () => {
    const d1 = delivery(401, 10 * MINUTE, 500);
    const d2 = delivery(402, 20 * MINUTE, 500);
    github.deliveries.push(d1, d2);
    github.refuse(1, 503, /^GET \/app\/hook\/deliveries$/);
    const r = await start();
    const failedStart = await r.recovery!.runOnce();
    assert.equal(failedStart, undefined, 'the start-up run could not read the log');
    assert.equal(github.redeliveries.length, 0);
    assert.ok(
      log.lines.some(
        (l) => l.includes('could not read the delivery log') && l.includes('"status":503'),
      ),
      log.text(),
    );

    github.refuse(1, 429, /^POST /, { 'retry-after': '1', 'x-ratelimit-remaining': '0' });
    const refused = await r.recovery!.runOnce();
    assert.ok(refused?.stoppedBy, 'the run stopped at the refusal');
    assert.equal(github.redeliveries.length, 0);
    assert.ok(
      log.lines.some(
        (l) => l.includes('GitHub refused a redelivery request') && l.includes('"status":429'),
      ),
      log.text(),
    );

    const ok = await r.recovery!.runOnce();
    assert.equal(ok!.requested.length, 2, 'the refused claim was released and both were requested');
    assert.deepEqual(new Set(github.redeliveries), new Set([d1.id, d2.id]));
    assert.match(await metricsText(r), /reynolds_recovery_runs_failed_total 2/);
    assert.ok(!log.text().includes(privateKey.split('\n')[1]!), 'no key material in the logs');
  });

  it('is refused by GitHub with a JWT from another key, and redelivers nothing', async () => {
    github.deliveries.push(delivery(501, 10 * MINUTE, 500));
    const other = await startGitHubAppServer({ appId: APP_ID, privateKeyPem: appKey() });
    try {
      log = captureLogger([privateKey], 'info');
      reynolds = await startTestReynolds(
        {
          GITHUB_APP_ID: String(APP_ID),
          GITHUB_APP_PRIVATE_KEY: privateKey,
          GITHUB_API_URL: other.url,
          LOG_LEVEL: 'info',
        },
        { logger: log.logger },
      );
      other.deliveries.push(delivery(502, 10 * MINUTE, 500));
      assert.equal(await reynolds.recovery!.runOnce(), undefined);
      assert.ok(other.unauthorized >= 1);
      assert.equal(other.redeliveries.length, 0);
    } finally {
      await reynolds.dispose();
      reynolds = undefined as unknown as TestReynolds;
      await other.stop();
    }
  });
});
