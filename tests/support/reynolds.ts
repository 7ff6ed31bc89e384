/**
 * Starting a real Reynolds for a test: real HTTP on a random loopback port, a SQLite file in a
 * temp folder, quiet logs. And signing deliveries the way GitHub does.
 */
import { sign } from '@octokit/webhooks-methods';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig, type Config } from '../../src/config.js';
import { startReynolds, type Reynolds } from '../../src/composition/start-reynolds.js';
import type { StartOptions } from '../../src/composition/start-options.js';

export const TEST_SECRET = 'test-webhook-secret-0123456789';

export interface TestReynolds extends Reynolds {
  dataDir: string;
  /** Stops it and removes its data folder. */
  dispose(): Promise<void>;
}

export function testConfig(env: Record<string, string> = {}): Config {
  const dataDir = env.DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'reynolds-test-'));
  return parseConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    GITHUB_WEBHOOK_SECRET: TEST_SECRET,
    DATA_DIR: dataDir,
    INBOX_POLL_MS: '20',
    ...env,
  });
}

export async function startTestReynolds(
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<TestReynolds> {
  const config = testConfig(env);
  const reynolds = await startReynolds(config, options);
  return {
    ...reynolds,
    dataDir: config.dataDir,
    async dispose() {
      await reynolds.stop();
      if (!env.DATA_DIR) rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

export interface SignedDelivery {
  event: string;
  payload: unknown;
  deliveryId?: string;
  hookId?: string;
  secret?: string;
  form?: boolean;
  /** Header overrides; `undefined` removes a header. */
  headers?: Record<string, string | undefined>;
}

export async function signedRequest(
  d: SignedDelivery,
): Promise<{ body: string; headers: Record<string, string>; deliveryId: string }> {
  const json = typeof d.payload === 'string' ? d.payload : JSON.stringify(d.payload);
  const body = d.form ? new URLSearchParams({ payload: json }).toString() : json;
  const deliveryId = d.deliveryId ?? randomUUID();
  const headers: Record<string, string | undefined> = {
    'content-type': d.form ? 'application/x-www-form-urlencoded' : 'application/json',
    'user-agent': 'GitHub-Hookshot/test',
    'x-github-event': d.event,
    'x-github-delivery': deliveryId,
    'x-github-hook-id': d.hookId ?? '1001',
    'x-hub-signature-256': await sign(d.secret ?? TEST_SECRET, body),
    ...d.headers,
  };
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) clean[k] = v;
  return { body, headers: clean, deliveryId };
}

export interface PostResult {
  status: number;
  json: {
    status?: string;
    delivery?: string;
    error?: { code: string; message: string };
    [k: string]: unknown;
  };
  headers: Headers;
  deliveryId: string;
}

export async function postDelivery(url: string, d: SignedDelivery): Promise<PostResult> {
  const { body, headers, deliveryId } = await signedRequest(d);
  const response = await fetch(`${url}/api/github/webhook`, { method: 'POST', headers, body });
  const text = await response.text();
  return {
    status: response.status,
    json: text ? JSON.parse(text) : {},
    headers: response.headers,
    deliveryId,
  };
}

/** Polls until `check` is true or the deadline passes (then it throws with `what`). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
}
