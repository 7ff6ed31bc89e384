/** Outside local mode the webhook secret is mandatory and long enough; start-up says so in one line. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, parseConfig } from '../../src/config.js';

const BOT = {
  BOT_ID: '2b4a0f5e-1111-4222-8333-444455556666',
  BOT_PASSWORD: 'pw-value',
  BOT_TENANT_ID: 'tenant-1',
};

function problems(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message.split('\n');
  }
  return [];
}

describe('webhook secret outside local mode', () => {
  it('is required when BOT_ID is set', () => {
    const lines = problems(BOT);
    assert.deepEqual(lines.filter((l) => l.startsWith('GITHUB_WEBHOOK_SECRET')).length, 1);
  });

  it('must be at least 16 characters when BOT_ID is set, and the message does not echo it', () => {
    const lines = problems({ ...BOT, GITHUB_WEBHOOK_SECRET: 'short-secret-1' });
    assert.equal(lines.length, 1);
    assert.match(
      lines[0]!,
      /^GITHUB_WEBHOOK_SECRET: expected at least 16 characters outside local mode/,
    );
    assert.ok(!lines[0]!.includes('short-secret-1'));
  });

  it('accepts 16 characters with BOT_ID, and 8 in local mode', () => {
    assert.deepEqual(problems({ ...BOT, GITHUB_WEBHOOK_SECRET: 'x'.repeat(16) }), []);
    assert.deepEqual(problems({ GITHUB_WEBHOOK_SECRET: 'x'.repeat(8) }), []);
  });

  it('refuses BOT_TYPE=MultiTenant with the reason', () => {
    const lines = problems({
      ...BOT,
      GITHUB_WEBHOOK_SECRET: 'x'.repeat(20),
      BOT_TYPE: 'MultiTenant',
    });
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^BOT_TYPE: .*no longer creates MultiTenant/);
  });

  it('stops the process at start with one CONFIG line and exit code 78', function () {
    this.timeout(30_000);
    const dir = mkdtempSync(path.join(tmpdir(), 'reynolds-cfg-'));
    try {
      const result = spawnSync(
        process.execPath,
        [
          '--import',
          pathToFileURL(path.resolve('node_modules/tsx/dist/esm/index.mjs')).href,
          path.resolve('src/index.ts'),
        ],
        {
          cwd: dir, // no env/ files here: only the variables below count
          env: {
            PATH: process.env.PATH,
            ...BOT,
            GITHUB_WEBHOOK_SECRET: 'too-short',
            DATA_DIR: dir,
            PORT: '0',
          },
          encoding: 'utf8',
          timeout: 25_000,
        },
      );
      assert.equal(result.status, 78, result.stderr);
      const lines = result.stderr.split('\n').filter((l) => l.startsWith('CONFIG:'));
      assert.deepEqual(lines.length, 1, result.stderr);
      assert.match(lines[0]!, /^CONFIG: GITHUB_WEBHOOK_SECRET: /);
      assert.ok(!result.stderr.includes('too-short') && !result.stderr.includes('pw-value'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
