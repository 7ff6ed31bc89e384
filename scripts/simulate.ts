/**
 * The demo feed: posts a realistic, signed sequence of recorded GitHub deliveries to a running
 * Reynolds, the way GitHub would, so the Teams side has something to show without a real repo.
 *
 *   npm run simulate -- [--url <webhook url>] [--all] [--delay <ms>] [--repeat <n>] [--hook-id <n>]
 *
 * Default: a story on Codertocat/Hello-World (issue #1, PR #2) from opened to released, ~21
 * deliveries 150 ms apart. `--all` sends every recorded payload of @octokit/webhooks-examples.
 * Each delivery gets a fresh GUID, so a repeat is new work, not a duplicate; the story includes
 * one deliberate redelivery (same GUID) to show dedupe.
 *
 * URL: --url, else REYNOLDS_URL, else http://127.0.0.1:3978/api/github/webhook.
 * Secret: GITHUB_WEBHOOK_SECRET, else env/.env.<REYNOLDS_ENV> via loadConfig (the same one Reynolds reads).
 * Exit codes: 0 all accepted, 1 some were rejected or Reynolds did not answer, 2 bad arguments/config.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sign } from '@octokit/webhooks-methods';
import { ConfigError, loadConfig } from '../src/config.js';
import {
  exampleOf,
  loadWebhookExamples,
  type WebhookExample,
} from '../tests/support/webhook-examples.js';

const DEFAULT_URL = 'http://127.0.0.1:3978/api/github/webhook';
const WEBHOOK_PATH = '/api/github/webhook';
/** A plausible repository hook id; stable, so redeliveries dedupe against the same hook. */
const DEFAULT_HOOK_ID = '109948940';

interface Step {
  event: string;
  payload: Record<string, unknown>;
  /** Shown after the label, e.g. "(redelivery)". */
  note?: string;
  /** Resend the delivery of this earlier step with its GUID, as GitHub's "Redeliver" button does. */
  redeliveryOf?: number;
}

interface Sent {
  label: string;
  status: number | 'unreachable';
  outcome: string;
}

function usage(message?: string): never {
  if (message) console.error(`simulate: ${message}`);
  console.error(
    [
      'usage: npm run simulate -- [options]',
      '  --url <url>       webhook URL (env REYNOLDS_URL; default http://127.0.0.1:3978/api/github/webhook)',
      '  --all             send all recorded payloads of @octokit/webhooks-examples instead of the story',
      '  --delay <ms>      pause between deliveries (default 150 for the story, 0 for --all)',
      '  --repeat <n>      send the sequence n times, each with fresh delivery GUIDs (default 1)',
      '  --hook-id <n>     X-GitHub-Hook-ID to send (default 109948940)',
    ].join('\n'),
  );
  process.exit(2);
}

function parseOptions() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        url: { type: 'string' },
        all: { type: 'boolean', default: false },
        delay: { type: 'string' },
        repeat: { type: 'string' },
        'hook-id': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (error) {
    usage((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) usage();
  const wholeNumber = (
    name: string,
    raw: string | undefined,
    fallback: number,
    min: number,
    max: number,
  ): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      usage(`--${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
    return n;
  };
  const hookId = values['hook-id'] ?? DEFAULT_HOOK_ID;
  if (!/^[0-9]{1,20}$/.test(hookId))
    usage(`--hook-id must be numeric (got ${JSON.stringify(hookId)})`);

  let url: URL;
  const rawUrl = values.url ?? process.env.REYNOLDS_URL ?? DEFAULT_URL;
  try {
    url = new URL(rawUrl);
  } catch {
    usage(`--url must be an absolute URL such as ${DEFAULT_URL} (got ${JSON.stringify(rawUrl)})`);
  }
  // Accept the server's base URL too: http://127.0.0.1:3978 means its webhook route.
  if (url.pathname === '/' || url.pathname === '') url.pathname = WEBHOOK_PATH;

  return {
    url: url.toString(),
    all: values.all,
    delay: wholeNumber('delay', values.delay, values.all ? 0 : 150, 0, 60_000),
    repeat: wholeNumber('repeat', values.repeat, 1, 1, 1000),
    hookId,
  };
}

function webhookSecret(): string {
  if (process.env.GITHUB_WEBHOOK_SECRET) return process.env.GITHUB_WEBHOOK_SECRET;
  try {
    const secret = loadConfig().GITHUB_WEBHOOK_SECRET;
    if (secret) return secret;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const line of error.message.split('\n')) console.error(`CONFIG: ${line}`);
    process.exit(2);
  }
  console.error(
    'simulate: GITHUB_WEBHOOK_SECRET is not set (env/.env.local sets a development one); it must equal the one Reynolds uses.',
  );
  process.exit(2);
}

/**
 * Issue #1 and PR #2 on Codertocat/Hello-World, in the order GitHub would send them. The payloads
 * are the recorded ones; the only edit is the merge, which no recording has (`merged: true`).
 */
function story(): Step[] {
  const step = (
    event: string,
    action: string | undefined,
    where?: (p: Record<string, unknown>) => boolean,
    note?: string,
  ): Step => ({
    event,
    payload: exampleOf(event, action, where).payload,
    ...(note && { note }),
  });
  const field = (p: Record<string, unknown>, a: string, b: string): unknown =>
    (p[a] as Record<string, unknown> | undefined)?.[b];

  const closed = structuredClone(exampleOf('pull_request', 'closed').payload);
  const pr = closed['pull_request'] as Record<string, unknown>;
  pr['merged'] = true;
  pr['merged_at'] = pr['closed_at'];
  pr['merged_by'] = closed['sender'];

  const steps: Step[] = [
    step('ping', undefined, undefined, '(hook created)'),
    step('issues', 'opened'),
    step('issues', 'labeled'),
    step('issue_comment', 'created'),
    step('pull_request', 'opened'),
    step('check_run', 'created'),
    step('pull_request', 'review_requested'),
    step(
      'workflow_job',
      'completed',
      (p) => field(p, 'workflow_job', 'conclusion') === 'failure',
      '(failure)',
    ),
    step(
      'check_run',
      'completed',
      (p) => field(p, 'check_run', 'conclusion') === 'failure',
      '(failure)',
    ),
    step('pull_request_review_comment', 'created'),
    step('pull_request_review', 'submitted'),
    step('pull_request', 'synchronize'),
    step(
      'check_run',
      'completed',
      (p) => field(p, 'check_run', 'conclusion') === 'success',
      '(success)',
    ),
    step(
      'check_suite',
      'completed',
      (p) => field(p, 'check_suite', 'conclusion') === 'success',
      '(success)',
    ),
  ];
  const approvedAt =
    steps.push(
      step('pull_request_review', 'submitted', (p) => field(p, 'installation', 'id') !== undefined),
    ) - 1;
  steps.push(
    { ...steps[approvedAt]!, note: '(redelivery: same GUID)', redeliveryOf: approvedAt },
    { event: 'pull_request', payload: closed, note: '(merged)' },
    step('push', undefined, (p) => p['ref'] === 'refs/heads/master'),
    step('create', undefined),
    step('release', 'published'),
    step(
      'deployment_status',
      'created',
      (p) => field(p, 'deployment_status', 'state') === 'success',
    ),
  );
  return steps;
}

function allRecorded(): Step[] {
  return loadWebhookExamples().map((e: WebhookExample) => ({ event: e.event, payload: e.payload }));
}

function label(step: Step): string {
  const p = step.payload;
  const action = typeof p['action'] === 'string' ? `.${p['action']}` : '';
  const repo =
    (p['repository'] as { full_name?: string } | undefined)?.full_name ??
    (p['organization'] as { login?: string } | undefined)?.login ??
    '';
  const number =
    (p['pull_request'] as { number?: number } | undefined)?.number ??
    (p['issue'] as { number?: number } | undefined)?.number ??
    p['number'];
  const release = (p['release'] as { tag_name?: string } | undefined)?.tag_name;
  const ref = typeof p['ref'] === 'string' ? p['ref'] : undefined;
  // Check and deployment events have no number; their name says which one it is.
  const named = ['check_run', 'check_suite', 'workflow_job', 'workflow_run', 'deployment_status']
    .map(
      (k) => p[k] as { name?: string; app?: { name?: string }; environment?: string } | undefined,
    )
    .find((o) => o !== undefined);
  const name =
    named?.name ??
    named?.app?.name ??
    (p['deployment'] as { environment?: string } | undefined)?.environment;
  const what =
    typeof number === 'number'
      ? `#${number}`
      : release
        ? ` ${release}`
        : ref
          ? ` ${ref}`
          : name
            ? ` "${name}"`
            : '';
  return `${step.event}${action}${repo ? ` ${repo}` : ''}${what}${step.note ? ` ${step.note}` : ''}`;
}

function targetHeaders(payload: Record<string, unknown>): Record<string, string> {
  const repo = payload['repository'] as { id?: number } | undefined;
  const org = payload['organization'] as { id?: number } | undefined;
  if (typeof repo?.id === 'number')
    return {
      'x-github-hook-installation-target-type': 'repository',
      'x-github-hook-installation-target-id': String(repo.id),
    };
  if (typeof org?.id === 'number')
    return {
      'x-github-hook-installation-target-type': 'organization',
      'x-github-hook-installation-target-id': String(org.id),
    };
  return {};
}

async function main(): Promise<number> {
  const options = parseOptions();
  const secret = webhookSecret();
  const sequence = options.all ? allRecorded() : story();
  const total = sequence.length * options.repeat;
  const width = String(total).length;
  const sent: Sent[] = [];
  const rejectedMessages = new Map<number, string>();

  console.log(
    `simulate: ${total} ${options.all ? 'recorded deliveries' : 'story deliveries'} to ${options.url}${options.delay ? `, ${options.delay} ms apart` : ''}`,
  );

  for (let round = 0; round < options.repeat; round++) {
    const guids: string[] = [];
    for (const [i, step] of sequence.entries()) {
      const n = round * sequence.length + i + 1;
      const deliveryId = step.redeliveryOf !== undefined ? guids[step.redeliveryOf]! : randomUUID();
      guids[i] = deliveryId;
      const body = JSON.stringify(step.payload);
      const text = label(step);
      let status: number;
      let outcome: string;
      try {
        const res = await fetch(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'GitHub-Hookshot/simulate',
            'x-github-event': step.event,
            'x-github-delivery': deliveryId,
            'x-github-hook-id': options.hookId,
            ...targetHeaders(step.payload),
            'x-hub-signature-256': await sign(secret, body),
          },
          body,
          signal: AbortSignal.timeout(15_000),
        });
        status = res.status;
        const answer = (await res.json().catch(() => ({}))) as {
          status?: string;
          error?: { code?: string; message?: string };
        };
        outcome = answer.status ?? answer.error?.code ?? '';
        if ((status < 200 || status >= 300) && !rejectedMessages.has(status))
          rejectedMessages.set(status, answer.error?.message ?? '');
      } catch (error) {
        const reason =
          (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
        console.log(`[${String(n).padStart(width)}/${total}] ${text} → no answer (${reason})`);
        sent.push({ label: text, status: 'unreachable', outcome: reason });
        console.error(`\nReynolds is not answering at ${options.url}: start it with npm start`);
        printSummary(sent, total, rejectedMessages);
        return 1;
      }
      console.log(
        `[${String(n).padStart(width)}/${total}] ${text} → ${status}${outcome ? ` ${outcome}` : ''}`,
      );
      sent.push({ label: text, status, outcome });
      if (status === 401) {
        // A secret mismatch refuses every delivery alike; sending the rest would only repeat it.
        console.error(
          `\nReynolds refused the signature: GITHUB_WEBHOOK_SECRET here must equal the one Reynolds uses (env/.env.local by default).`,
        );
        printSummary(sent, total, rejectedMessages);
        return 1;
      }
      if (options.delay > 0 && n < total)
        await new Promise((resolve) => setTimeout(resolve, options.delay));
    }
  }
  return printSummary(sent, total, rejectedMessages) ? 1 : 0;
}

/** Prints the tally; returns whether anything was rejected or unanswered. */
function printSummary(sent: Sent[], total: number, rejectedMessages: Map<number, string>): boolean {
  const count = (pred: (s: Sent) => boolean): number => sent.filter(pred).length;
  const accepted = count((s) => s.status === 202);
  const duplicate = count((s) => s.status === 200 && s.outcome === 'duplicate');
  const pong = count((s) => s.status === 200 && s.outcome === 'pong');
  const otherOk =
    count((s) => typeof s.status === 'number' && s.status >= 200 && s.status < 300) -
    accepted -
    duplicate -
    pong;
  const byStatus = new Map<string, number>();
  for (const s of sent) {
    if (typeof s.status === 'number' && s.status >= 200 && s.status < 300) continue;
    const key = String(s.status);
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
  }
  const rejected = [...byStatus.values()].reduce((a, b) => a + b, 0);
  console.log();
  console.log(
    `sent ${sent.length}/${total}: accepted ${accepted}, duplicate ${duplicate}, ping ${pong}${otherOk ? `, other 2xx ${otherOk}` : ''}, rejected ${rejected}` +
      (rejected
        ? ` (${[...byStatus.entries()].map(([status, n]) => `${status}: ${n}`).join(', ')})`
        : ''),
  );
  for (const [status, message] of rejectedMessages)
    if (message) console.log(`  ${status}: ${message}`);
  return rejected > 0 || sent.length < total;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`simulate: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
