import type { AddressInfo } from 'node:net';
import { createHttpsServer } from '@vercel/cosmosdb-server';

/**
 * The Cosmos DB emulator's published master key. The in-process server never checks signatures,
 * but using the real format keeps the SDK's HMAC signing path exercised exactly as in production.
 */
export const EMULATOR_KEY =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface CosmosTestServer {
  endpoint: string;
  key: string;
  stop(): Promise<void>;
}

/**
 * Starts `@vercel/cosmosdb-server` in this process on a random loopback port. It speaks HTTPS with
 * a self-signed certificate, so clients need `allowInsecureTls`. Everything lives in memory and is
 * gone on `stop()`.
 *
 * What it does like real Cosmos (checked against @azure/cosmos 4.9): 409 on a duplicate create,
 * a fresh `_etag` on every write with If-Match answered by 412, partition-scoped point reads,
 * cross-partition queries with ORDER BY, TOP and VALUE COUNT (it runs them whole, so the SDK never
 * needs a query plan), and it keeps `ttl` and `defaultTtl` as written. What it does not: it never
 * expires anything, has no GROUP BY or OFFSET/LIMIT, never throttles, and ignores the key.
 */
export async function startCosmosServer(): Promise<CosmosTestServer> {
  const server = createHttpsServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `https://127.0.0.1:${port}/`,
    key: EMULATOR_KEY,
    stop() {
      stopped ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets from SDK clients would otherwise hold close() open indefinitely.
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
