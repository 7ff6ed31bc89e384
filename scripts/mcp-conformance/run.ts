/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, `server` mode) against
 * /mcp of a running Reynolds: starts one in local mode (a temp SQLite store, a random loopback
 * port), runs each scenario that applies to Reynolds's server, and exits non-zero if any check
 * fails. Run: `npx tsx scripts/mcp-conformance/run.ts` (add `--verbose` for the CLI's details).
 *
 * Scenarios run, and why:
 * - server-initialize, ping, tools-list: every MCP server must pass them.
 * - logging-set-level: Reynolds declares the logging capability.
 * - resources-list: Reynolds lists resources (recent chains and repositories).
 * - dns-rebinding-protection: Reynolds is a localhost server without auth in local mode.
 * Not run: the tools-call-*, resources-read-*, resources-templates-read, prompts-*,
 * completion-complete, json-schema-2020-12 and elicitation-* scenarios call fixtures of the SDK's
 * "everything" test server by name (test_simple_text, test://static-text, ...) that a real server
 * does not have; resources-subscribe/unsubscribe and server-sse-* need subscriptions and SSE
 * streams, which a stateless JSON-answering server does not offer (src/mcp/server/mount-mcp.ts).
 * Reynolds's own tool errors and JSON-RPC errors are covered by tests/mcp/mcp-server.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/config.js';
import { startReynolds } from '../../src/composition/start-reynolds.js';

export const SCENARIOS = [
  'server-initialize',
  'ping',
  'tools-list',
  'logging-set-level',
  'resources-list',
  'dns-rebinding-protection',
];

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = createRequire(import.meta.url).resolve(
  '@modelcontextprotocol/conformance/dist/index.js',
);

function runScenario(
  url: string,
  scenario: string,
  cwd: string,
  verbose: boolean,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const args = [
      '--import',
      path.join(here, 'register-node20-fs.mjs'),
      cli,
      'server',
      '--url',
      url,
      '--scenario',
      scenario,
      ...(verbose ? ['--verbose'] : []),
    ];
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

export async function runConformance(
  verbose = false,
): Promise<{ failed: string[]; outputs: Record<string, string> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'reynolds-conformance-'));
  const config = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    GITHUB_WEBHOOK_SECRET: 'conformance-webhook-secret-0123',
    DATA_DIR: dataDir,
  });
  const reynolds = await startReynolds(config, { worker: false });
  const failed: string[] = [];
  const outputs: Record<string, string> = {};
  try {
    // The suite checks the Host header against localhost names, so the URL says localhost.
    const url = `http://localhost:${reynolds.port}/mcp`;
    for (const scenario of SCENARIOS) {
      const { code, output } = await runScenario(url, scenario, dataDir, verbose);
      outputs[scenario] = output;
      if (code !== 0) failed.push(scenario);
    }
  } finally {
    await reynolds.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { failed, outputs };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const verbose = process.argv.includes('--verbose');
  runConformance(verbose).then(
    ({ failed, outputs }) => {
      for (const [scenario, output] of Object.entries(outputs))
        console.log(
          `=== ${scenario}: ${failed.includes(scenario) ? 'FAILED' : 'passed'}\n${output.trim()}\n`,
        );
      console.log(
        failed.length === 0
          ? `MCP conformance: all ${SCENARIOS.length} scenarios passed.`
          : `MCP conformance: ${failed.length} of ${SCENARIOS.length} failed: ${failed.join(', ')}`,
      );
      process.exit(failed.length === 0 ? 0 : 1);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
