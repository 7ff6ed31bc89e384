/** Property-based checks of the text parsers that read what strangers write. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatMarker, parseMarker, withMarker, type ChainMark } from '../../src/loops/marker.js';
import {
  formatSubscription,
  parseSubscriptionCommand,
} from '../../src/routing/subscriptions/subscription-syntax.js';
import { FEATURES, type SubscriptionSpec } from '../../src/routing/subscriptions/subscription.js';
import { parseIdentityCommand } from '../../src/teams/identity/identity-commands.js';
import { fuzzParameters } from './fuzz-settings.js';

const KEY = 'fuzz-marker-key-0123456789abcdef';

describe('fuzz: subscription syntax', () => {
  const word = fc.constantFrom(
    'subscribe',
    'unsubscribe',
    'subscriptions',
    'list',
    '/subscribe',
    'SUBSCRIBE',
    '',
  );
  const piece = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.constantFrom(
      ...FEATURES,
      '+label:',
      '-label:',
      'branch:',
      'author:',
      'priority:P1',
      '"',
      '\\',
      '\\"',
      'octo-org/hello-world',
      'https://github.com/a/b.git/',
    ),
  );
  const command = fc
    .tuple(word, fc.array(piece, { maxLength: 8 }))
    .map(([w, parts]) => [w, ...parts].join(' '));

  it('never throws and always gives a command or a non-empty error', () => {
    fc.assert(
      fc.property(fc.oneof(command, fc.string({ unit: 'binary', maxLength: 200 })), (input) => {
        const result = parseSubscriptionCommand(input);
        if (!result.ok) assert.ok(result.error.length > 0);
      }),
      fuzzParameters(3000),
    );
  });

  const login = fc.stringMatching(/^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,19}$/);
  const repo = fc
    .stringMatching(/^[A-Za-z0-9._-]{1,30}$/)
    .filter((r) => r !== '.' && r !== '..' && !r.endsWith('.git'));
  const label = fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 25 })
    .filter((l) => l.trim() !== '');
  const branch = fc
    .stringMatching(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,20}$/)
    .filter(
      (b) =>
        !b.includes('..') &&
        !b.includes('//') &&
        !b.endsWith('/') &&
        !b.endsWith('.') &&
        !b.endsWith('.lock'),
    );
  const distinct = <T>(items: T[], key: (t: T) => string) =>
    items.filter((t, i) => items.findIndex((u) => key(u) === key(t)) === i);
  const spec: fc.Arbitrary<SubscriptionSpec> = fc
    .record({
      owner: login,
      repo: fc.option(repo, { nil: undefined }),
      features: fc.subarray([...FEATURES], { minLength: 1 }),
      include: fc.array(label, { maxLength: 3 }),
      exclude: fc.array(label, { maxLength: 3 }),
      branches: fc.array(branch, { maxLength: 3 }),
      authors: fc.array(login, { maxLength: 3 }),
      minPriority: fc.option(fc.constantFrom('P0', 'P1', 'P2', 'P3' as const), { nil: undefined }),
    })
    .map((r) => {
      const include = distinct(r.include, (l) => l.toLowerCase());
      const exclude = distinct(r.exclude, (l) => l.toLowerCase()).filter(
        (l) => !include.some((i) => i.toLowerCase() === l.toLowerCase()),
      );
      const filters: SubscriptionSpec['filters'] = {};
      if (include.length + exclude.length > 0) filters.labels = { include, exclude };
      if (r.branches.length > 0) filters.branches = distinct(r.branches, (b) => b);
      if (r.authors.length > 0) filters.authors = distinct(r.authors, (a) => a.toLowerCase());
      if (r.minPriority) filters.minPriority = r.minPriority;
      return {
        scope: r.repo === undefined ? { owner: r.owner } : { owner: r.owner, repo: r.repo },
        features: r.features,
        filters,
      };
    });

  it('parses what formatSubscription prints back to the same subscription', () => {
    fc.assert(
      fc.property(spec, (s) => {
        const printed = formatSubscription(s);
        const parsed = parseSubscriptionCommand(printed);
        assert.ok(parsed.ok, `${printed} → ${parsed.ok ? '' : parsed.error}`);
        assert.equal(parsed.command.kind, 'subscribe');
        const { kind: _kind, ...back } = parsed.command as { kind: 'subscribe' } & SubscriptionSpec;
        assert.deepEqual(back.scope, s.scope);
        assert.deepEqual([...back.features].sort(), [...s.features].sort());
        assert.deepEqual(back.filters, s.filters, printed);
        assert.equal(formatSubscription(back), printed);
      }),
      fuzzParameters(2000),
    );
  });
});

describe('fuzz: chain marker parser', () => {
  const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
  const mark: fc.Arbitrary<ChainMark> = fc
    .record({ chainId: id, depth: fc.integer({ min: 0, max: 9999 }), actId: id })
    .map((m) => ({ ...m }));
  const text = fc.string({ unit: 'grapheme', maxLength: 300 });

  it('never throws on any body', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          text,
          fc.string({ unit: 'binary', maxLength: 2000 }),
          fc.tuple(text, mark, text).map(([a, m, b]) => `${a}${formatMarker(m, KEY)}${b}`),
        ),
        (body) => {
          parseMarker(body, KEY);
        },
      ),
      fuzzParameters(3000),
    );
  });

  it('finds a marker Reynolds appended to any prose body that does not leave code or a quote open', () => {
    const prose = text.filter(
      (t) =>
        !t.includes('`') &&
        !t.includes('~~~') &&
        !/(^|\n)\s*>/.test(t.split('\n').pop() ?? '') &&
        !/(^|\n)( {4}|\t)\s*$/.test(t),
    );
    fc.assert(
      fc.property(prose, mark, (body, m) => {
        assert.deepEqual(parseMarker(withMarker(body, m, KEY), KEY), { ...m });
      }),
      fuzzParameters(2000),
    );
  });

  it('never verifies a forged, altered or misplaced marker', () => {
    fc.assert(
      fc.property(
        text,
        mark,
        mark,
        text.filter((t) => t.trim() !== ''),
        fc.integer({ min: 0, max: 1000 }),
        (body, m, other, after, flip) => {
          const genuine = formatMarker(m, KEY);
          // Signed with another key.
          assert.equal(
            parseMarker(`${body}\n${formatMarker(m, 'another-key-0123456789abcdef')}`, KEY),
            undefined,
          );
          // Another mark's signature on this mark's fields.
          const sig = /sig=([A-Za-z0-9_-]{22})/.exec(formatMarker(other, KEY))![1]!;
          const transplanted = genuine.replace(/sig=[A-Za-z0-9_-]{22}/, `sig=${sig}`);
          if (JSON.stringify(other) !== JSON.stringify(m))
            assert.equal(parseMarker(`${body}\n${transplanted}`, KEY), undefined);
          // One character of the marker changed.
          const at =
            genuine.indexOf('chain=') + (flip % (genuine.length - genuine.indexOf('chain=') - 4));
          const altered =
            genuine.slice(0, at) + (genuine[at] === 'A' ? 'B' : 'A') + genuine.slice(at + 1);
          assert.notEqual(altered, genuine);
          assert.equal(parseMarker(`${body}\n${altered}`, KEY), undefined, altered);
          // Not last, quoted, or inside code.
          assert.equal(parseMarker(`${body}\n${genuine}\n${after}`, KEY), undefined);
          assert.equal(parseMarker(`${body}\n> ${genuine}`, KEY), undefined);
          assert.equal(parseMarker(`${body}\n\`\`\`\n${genuine}`, KEY), undefined);
          assert.equal(parseMarker(`${body}\n\`${genuine}`, KEY), undefined);
        },
      ),
      fuzzParameters(2000),
    );
  });
});

describe('fuzz: treat <login> as bot|person', () => {
  const login = fc.stringMatching(/^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,19}(?:\[bot\])?$/);
  const piece = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.constantFrom('as', 'bot', 'person', 'a', 'human', '@', '[bot]', '-', '/'),
  );
  const command = fc
    .tuple(fc.constantFrom('treat', 'TREAT', 'treat @'), fc.array(piece, { maxLength: 6 }))
    .map(([w, parts]) => [w, ...parts].join(' '));

  it('never throws, and gives a command with a valid login or a non-empty error', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          command,
          fc.string({ unit: 'binary', maxLength: 120 }).map((t) => `treat ${t}`),
        ),
        (input) => {
          const result = parseIdentityCommand(input);
          if (!result.ok) assert.ok(result.error.length > 0);
          else if (result.command.kind === 'treat')
            assert.match(result.command.login, /^[A-Za-z0-9-]{1,39}(?:\[bot\])?$/);
        },
      ),
      fuzzParameters(3000),
    );
  });

  it('reads back what an admin would type', () => {
    fc.assert(
      fc.property(login, fc.constantFrom('bot', 'person'), fc.boolean(), (name, as, at) => {
        const result = parseIdentityCommand(`treat ${at ? '@' : ''}${name} as ${as}`);
        assert.ok(result.ok, !result.ok ? result.error : '');
        assert.deepEqual(result.command, { kind: 'treat', login: name, as });
      }),
      fuzzParameters(1000),
    );
  });
});
