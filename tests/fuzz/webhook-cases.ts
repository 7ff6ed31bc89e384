/**
 * Generated webhook requests (bodies, content types, header sets, signatures) and a raw HTTP
 * client that sends headers in the generated order and letter case. Shared by the webhook fuzz
 * and the memory check.
 */
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import fc from 'fast-check';
import { TEST_SECRET } from '../support/reynolds.js';
import { exampleOf } from '../support/webhook-examples.js';
import { headerText, jsonText } from './fuzz-settings.js';

export interface RawResponse {
  status: number;
  text: string;
}

/** A raw HTTP request, so header order and letter case reach the server as generated. */
export function rawPost(
  url: string,
  path: string,
  headers: [string, string][],
  body: Buffer,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    // An object keeps insertion order and letter case on the wire.
    const ordered: Record<string, string> = {};
    for (const [name, value] of headers) ordered[name] = value;
    ordered['content-length'] = String(body.length);
    const req = request(`${url}${path}`, { method: 'POST', headers: ordered }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const EVENTS = [
  'issues',
  'pull_request',
  'push',
  'ping',
  'installation',
  'check_run',
  'workflow_run',
  'issue_comment',
];

/** A generated webhook request: body bytes and headers (signature decided once the body is known). */
export const webhookRequest = () => {
  const example = exampleOf('issues', 'opened').payload;
  const body = fc.oneof(
    fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
    jsonText().map((t) => Buffer.from(t)),
    jsonText().map((t) => Buffer.from(new URLSearchParams({ payload: t }).toString())),
    fc.string({ maxLength: 60 }).map((t) => Buffer.from(`payload=${t}`)),
    fc
      .dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }))
      .map((d) => Buffer.from(new URLSearchParams(d).toString())),
    fc.constant(Buffer.from(JSON.stringify(example))),
    fc.object({ maxDepth: 3 }).map((o) => Buffer.from(JSON.stringify(o))),
    fc
      .object({ maxDepth: 3 })
      .map((o) => Buffer.from(new URLSearchParams({ payload: JSON.stringify(o) }).toString())),
    fc.constant(Buffer.alloc(0)),
  );
  const contentType = fc.oneof(
    {
      arbitrary: fc.constantFrom(
        'application/json',
        'application/x-www-form-urlencoded',
        'APPLICATION/JSON',
        'application/json; charset=utf-8',
      ),
      weight: 6,
    },
    {
      arbitrary: fc.constantFrom(
        'text/plain',
        'multipart/form-data; boundary=x',
        'application/json;charset=latin1',
        '',
      ),
      weight: 1,
    },
    { arbitrary: headerText(), weight: 1 },
  );
  const signature = fc.constantFrom(
    'valid',
    'valid',
    'valid',
    'wrong-secret',
    'random',
    'sha1',
    'missing',
    'empty',
  );
  const optionalHeader = (values: fc.Arbitrary<string>) =>
    fc.option(values, { nil: undefined, freq: 8 });
  return fc.record({
    body,
    contentType: optionalHeader(contentType),
    event: optionalHeader(
      fc.oneof(
        { arbitrary: fc.constantFrom(...EVENTS), weight: 5 },
        { arbitrary: headerText(30), weight: 1 },
      ),
    ),
    delivery: optionalHeader(
      fc.oneof({ arbitrary: fc.uuid(), weight: 5 }, { arbitrary: headerText(140), weight: 1 }),
    ),
    hookId: optionalHeader(fc.oneof(fc.integer({ min: 1, max: 1e9 }).map(String), headerText(12))),
    targetType: optionalHeader(
      fc.oneof(fc.constantFrom('repository', 'organization', 'integration'), headerText(12)),
    ),
    signature,
    randomSignature: headerText(80),
    upperCase: fc.boolean(),
    order: fc.integer({ min: 0, max: 1000 }),
    extra: fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), headerText(20)), {
      maxLength: 3,
    }),
  });
};

export type WebhookCase =
  ReturnType<typeof webhookRequest> extends fc.Arbitrary<infer T> ? T : never;

/** GitHub's X-Hub-Signature-256 over the bytes as sent (also over an empty body). */
function hmac(secret: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export async function headersFor(c: WebhookCase): Promise<[string, string][]> {
  const signatures: Record<string, string | undefined> = {
    valid: hmac(TEST_SECRET, c.body),
    'wrong-secret': hmac('not-the-secret-at-all', c.body),
    random: c.randomSignature,
    sha1: `sha1=${'0'.repeat(40)}`,
    missing: undefined,
    empty: '',
  };
  const pairs: [string, string | undefined][] = [
    ['Content-Type', c.contentType],
    ['X-GitHub-Event', c.event],
    ['X-GitHub-Delivery', c.delivery],
    ['X-GitHub-Hook-ID', c.hookId],
    ['X-GitHub-Hook-Installation-Target-Type', c.targetType],
    ['X-Hub-Signature-256', signatures[c.signature]],
    ['User-Agent', 'GitHub-Hookshot/fuzz'],
    ...c.extra.map(([k, v]) => [`x-fuzz-${k}`, v] as [string, string]),
  ];
  const present = pairs
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([k, v]): [string, string] => [c.upperCase ? k.toUpperCase() : k.toLowerCase(), v]);
  // A rotation is enough to vary the order without losing any header.
  const shift = c.order % Math.max(1, present.length);
  return [...present.slice(shift), ...present.slice(0, shift)];
}
