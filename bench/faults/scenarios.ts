/**
 * The faults `bench/faults` injects, each with the store it runs on. Every one is bounded (it ends
 * after the outage), loopback only, and undoes itself.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { systemClock } from '../../src/core/clock.js';
import { CosmosStore } from '../../src/store/cosmos/cosmos-store.js';
import { SQLITE_FILE_NAME, SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startCosmosServer, type CosmosTestServer } from '../../tests/support/cosmos-server.js';
import { startOpenAIStandin, type OpenAIStandin } from '../../tests/support/openai-standin.js';
import { seedInto, seedStore } from '../e2e/seed.js';
import type { Backend, Scenario } from './harness.js';
import { startTcpCut, type TcpCut } from './tcp-cut.js';

const DELIVERY_TTL_MS = 24 * 3600_000;

function sqliteBackend(
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'reynolds-faults-')),
  cleanup = () => rmSync(dataDir, { recursive: true, force: true }),
): Backend {
  return {
    env: { STORE: 'sqlite' },
    dataDir,
    seed: (conversations, serviceUrl) => seedStore(dataDir, conversations, serviceUrl),
    async open() {
      const store = new SqliteStore({
        file: path.join(dataDir, SQLITE_FILE_NAME),
        clock: systemClock,
        deliveryTtlMs: DELIVERY_TTL_MS,
      });
      await store.init();
      return store;
    },
    stop: async () => cleanup(),
  };
}

interface CosmosBackend extends Backend {
  cut: TcpCut;
}

async function cosmosBackend(): Promise<CosmosBackend> {
  const server: CosmosTestServer = await startCosmosServer();
  const cut = await startTcpCut(Number(new URL(server.endpoint).port));
  const endpoint = `https://127.0.0.1:${cut.port}/`;
  const database = `faults${Date.now()}`;
  const open = async () => {
    const store = new CosmosStore({
      endpoint,
      key: server.key,
      databaseId: database,
      clock: systemClock,
      deliveryTtlMs: DELIVERY_TTL_MS,
      allowInsecureTls: true,
    });
    await store.init();
    return store;
  };
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'reynolds-faults-'));
  return {
    env: {
      STORE: 'cosmos',
      COSMOS_ENDPOINT: endpoint,
      COSMOS_KEY: server.key,
      COSMOS_DATABASE: database,
      COSMOS_ALLOW_INSECURE_TLS: 'true',
    },
    dataDir,
    cut,
    async seed(conversations, serviceUrl) {
      const store = await open();
      try {
        await seedInto(store, conversations, serviceUrl);
      } finally {
        await store.close();
      }
    },
    open,
    async stop() {
      await cut.stop();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function scenarios(): Scenario[] {
  let locker: Database.Database | undefined;
  let cosmos: CosmosBackend | undefined;
  let disk: { mount: string; filler: string } | undefined;
  let models: OpenAIStandin | undefined;
  let modelsHang = false;
  return [
    {
      name: 'kill-9',
      what: 'Reynolds is killed with SIGKILL mid-replay and started again on the same data 2 s later',
      backend: async () => sqliteBackend(),
      begin: (ctx) => ctx.killAndRestart(2000),
      end: async () => undefined,
    },
    {
      name: 'sqlite-locked',
      what: 'another process holds the SQLite write lock for the whole outage',
      backend: async () => sqliteBackend(),
      async begin(ctx) {
        locker = new Database(path.join(ctx.dataDir, SQLITE_FILE_NAME));
        locker.exec('BEGIN IMMEDIATE');
      },
      async end() {
        locker?.exec('ROLLBACK');
        locker?.close();
        locker = undefined;
      },
    },
    {
      name: 'cosmos-unreachable',
      what: 'the Cosmos endpoint drops every connection and refuses new ones',
      backend: async () => (cosmos = await cosmosBackend()),
      begin: async () => cosmos!.cut.cut(),
      end: async () => cosmos!.cut.restore(),
    },
    {
      name: 'connector-429',
      what: 'the Teams connector answers 429 with Retry-After: 2 to every post',
      backend: async () => sqliteBackend(),
      begin: async (ctx) =>
        void (ctx.connector.fault = () => ({ status: 429, headers: { 'retry-after': '2' } })),
      end: async (ctx) => void (ctx.connector.fault = undefined),
    },
    {
      name: 'connector-500',
      what: 'the Teams connector answers 500 to every post',
      backend: async () => sqliteBackend(),
      begin: async (ctx) => void (ctx.connector.fault = () => ({ status: 500 })),
      end: async (ctx) => void (ctx.connector.fault = undefined),
    },
    {
      name: 'models-timeout',
      what: 'every model endpoint stops answering (requests hang until the client gives up)',
      async backend() {
        // Enrichment on for every alert: one deployment per role the pipeline uses, on a stand-in
        // that answers in 50 ms, or never while the fault lasts.
        models = await startOpenAIStandin(() => (modelsHang ? { hang: true } : { delayMs: 50 }));
        const deployments = ['review', 'security', 'issues', 'docs', 'codegen'].map((role) => ({
          name: `${role}-1`,
          role,
          provider: 'openai',
          endpoint: models!.url,
          model: 'gpt-4o-mini',
        }));
        const base = sqliteBackend();
        return {
          ...base,
          env: {
            ...base.env,
            MODEL_DEPLOYMENTS: JSON.stringify(deployments),
            OPENAI_API_KEY: 'bench-faults',
            MODEL_TIMEOUT_MS: '5000',
            ENRICH_DEADLINE_MS: '8000',
          },
          stop: async () => {
            await models?.close();
            await base.stop();
          },
        };
      },
      begin: async () => void (modelsHang = true),
      end: async () => void (modelsHang = false),
    },
    {
      name: 'disk-full',
      what: "the SQLite file's disk (a 64 MB tmpfs) is filled to the last byte",
      async unavailable() {
        if (process.getuid?.() !== 0) return 'needs root to mount a small tmpfs as the data disk';
        return undefined;
      },
      async backend() {
        const mount = mkdtempSync(path.join(os.tmpdir(), 'reynolds-disk-'));
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mount]);
        disk = { mount, filler: path.join(mount, 'filler') };
        return sqliteBackend(mount, () => {
          execFileSync('umount', ['-l', mount]);
          rmSync(mount, { recursive: true, force: true });
        });
      },
      async begin(ctx) {
        const fd = openSync(disk!.filler, 'w');
        const block = Buffer.alloc(1024 * 1024);
        let written = 0;
        try {
          for (;;) written += writeSync(fd, block);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        }
        // The last partial block: fill to the very end.
        try {
          for (;;) written += writeSync(fd, block, 0, 4096);
        } catch {
          // full
        }
        closeSync(fd);
        ctx.note(`filled the data disk with ${(written / 1024 / 1024).toFixed(1)} MB`);
      },
      async end() {
        rmSync(disk!.filler, { force: true });
      },
    },
  ];
}
