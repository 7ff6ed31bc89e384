/**
 * Picks the store the configuration names. The Cosmos SDK is only loaded when STORE=cosmos, so
 * the embedded default starts without it.
 */
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Config } from '../config.js';
import { SQLITE_FILE_NAME, SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';

export async function openStore(config: Config, clock: Clock): Promise<Store> {
  const deliveryTtlMs = config.DELIVERY_TTL_SECONDS * 1000;
  if (config.STORE === 'cosmos') {
    const { CosmosStore } = await import('../store/cosmos/cosmos-store.js');
    return new CosmosStore({
      endpoint: config.COSMOS_ENDPOINT!,
      key: config.COSMOS_KEY!,
      databaseId: config.COSMOS_DATABASE,
      clock,
      deliveryTtlMs,
      allowInsecureTls: config.COSMOS_ALLOW_INSECURE_TLS,
    });
  }
  return new SqliteStore({
    file: path.join(config.dataDir, SQLITE_FILE_NAME),
    clock,
    deliveryTtlMs,
    synchronous: config.SQLITE_SYNCHRONOUS,
  });
}
