/**
 * OpenTelemetry to Application Insights: with APPLICATIONINSIGHTS_CONNECTION_STRING set, a real
 * Reynolds process (a child, as `npm start` runs it) sends its request telemetry to the ingestion
 * endpoint the connection string names, here a stand-in on loopback that speaks the track API
 * (`POST /v2.1/track`, gzipped JSON lines). The exporter always uses HTTPS, so the stand-in serves
 * the self-signed certificate @vercel/cosmosdb-server ships and the child is told not to verify
 * it (test only). Without the variable nothing is sent.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  freePort,
  startChild,
  waitHealthy,
  type ChildReynolds,
} from '../support/child-reynolds.js';
import { eventually } from '../support/reynolds.js';

interface Envelope {
  name: string;
  iKey?: string;
  data?: { baseType?: string; baseData?: { name?: string; url?: string; responseCode?: string } };
}

const IKEY = '6a7c1f2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';

async function startIngestion(): Promise<{ url: string; envelopes: Envelope[]; server: Server }> {
  const envelopes: Envelope[] = [];
  const certDir = path.dirname(
    createRequire(import.meta.url).resolve('@vercel/cosmosdb-server/package.json'),
  );
  const tls = {
    cert: readFileSync(path.join(certDir, 'cert.pem')),
    key: readFileSync(path.join(certDir, 'key.pem')),
  };
  const server = createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (req.method === 'POST' && req.url?.endsWith('/track')) {
        const text = body.toString('utf8').trim();
        const items = text.startsWith('[')
          ? (JSON.parse(text) as Envelope[])
          : text
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l) as Envelope);
        envelopes.push(...items);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          itemsReceived: envelopes.length,
          itemsAccepted: envelopes.length,
          errors: [],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`, envelopes, server };
}

describe('telemetry to Application Insights', function () {
  this.timeout(90_000);
  let ingestion: Awaited<ReturnType<typeof startIngestion>>;
  const children: ChildReynolds[] = [];

  before(async function () {
    ingestion = await startIngestion();
  });
  after(async function () {
    await Promise.all(children.map((c) => c.stop()));
    await new Promise<void>((resolve) => ingestion.server.close(() => resolve()));
  });

  it('exports request telemetry to the ingestion endpoint of the connection string', async function () {
    const port = String(await freePort());
    const child = startChild({
      PORT: port,
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${IKEY};IngestionEndpoint=${ingestion.url};LiveEndpoint=${ingestion.url}`,
      // Every request sampled (the default limits traces per second), exported every 200 ms.
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      NODE_TLS_REJECT_UNAUTHORIZED: '0',
    });
    children.push(child);
    await waitHealthy(child.url);
    assert.equal((await fetch(`${child.url}/metrics`)).status, 200);
    await eventually(
      () =>
        ingestion.envelopes.some(
          (e) =>
            e.data?.baseType === 'RequestData' &&
            String(e.data.baseData?.url ?? e.data.baseData?.name).includes('/metrics'),
        ),
      'a request record for GET /metrics reaches the ingestion endpoint',
      30_000,
    );
    assert.ok(
      ingestion.envelopes.every((e) => !e.iKey || e.iKey === IKEY),
      'sent with the configured instrumentation key',
    );
  });

  it('sends nothing when the connection string is not set', async function () {
    const before = ingestion.envelopes.length;
    const child = startChild({
      PORT: String(await freePort()),
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      NODE_TLS_REJECT_UNAUTHORIZED: '0',
    });
    children.push(child);
    await waitHealthy(child.url);
    await fetch(`${child.url}/metrics`);
    // The run above shows export happens well within this; nothing may arrive from this process.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(ingestion.envelopes.length, before);
  });
});
