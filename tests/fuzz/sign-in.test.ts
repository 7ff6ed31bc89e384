/**
 * Fuzzing the sign-in commands: random text, random people (with and without an Entra id), GitHub
 * up or down, codes approved, denied or left to expire, in random order. Parsing and answering
 * never throw, every answer is a non-empty line, and every follow-up settles with a line.
 * (The same words also go through /api/messages in tests/fuzz/chat.test.ts.)
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { ManualClock } from '../../src/core/clock.js';
import { PersonLinks } from '../../src/identity/person-links.js';
import { SignInService } from '../../src/identity/sign-in-service.js';
import { TokenVault } from '../../src/identity/token-vault.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { IdentityBook } from '../../src/teams/identity/identity-book.js';
import {
  parseIdentityCommand,
  runIdentityCommand,
} from '../../src/teams/identity/identity-commands.js';
import { parseSignInCommand, runSignInCommand } from '../../src/teams/identity/sign-in-commands.js';
import { FakeGitHubOAuth } from '../support/fake-github-oauth.js';
import { captureLogger } from '../support/log-capture.js';
import { fuzzParameters, runs } from './fuzz-settings.js';

const WORDS = [
  'sign in',
  'sign out',
  'signin',
  'sign-in',
  'whoami',
  'who am i',
  'link github',
  'unlink github',
  'sign',
  'in',
  'out',
  '?',
  '!',
];

const text = () =>
  fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc
      .array(fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 8 })), { maxLength: 4 })
      .map((parts) => parts.join(' ')),
    fc
      .tuple(fc.constantFrom(...WORDS), fc.constantFrom('', ' ', '  ', '\t', '\n', '.', '!!'))
      .map(([w, tail]) => `${tail}${w}${tail}`),
  );

const step = () =>
  fc.record({
    text: text(),
    person: fc.constantFrom('megan', 'ada', 'anonymous'),
    down: fc.boolean(),
    fate: fc.constantFrom('approve', 'denied', 'expired', 'none'),
    shared: fc.boolean(),
  });

describe('fuzz: sign-in commands never throw', function () {
  this.timeout(runs(60_000));

  it('random commands, people and GitHub states get a line, and follow-ups settle', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step(), { minLength: 1, maxLength: 8 }), async (steps) => {
        const clock = new ManualClock();
        const store = new SqliteStore({ file: ':memory:', clock, deliveryTtlMs: 3600_000 });
        await store.init();
        const oauth = new FakeGitHubOAuth();
        const log = captureLogger([], 'error');
        const identity = new IdentityBook(store, clock);
        const deps = {
          signIn: new SignInService({
            oauth,
            vault: new TokenVault(randomBytes(32)),
            links: new PersonLinks(store),
            clock,
            sleep: async (ms: number) => clock.advance(ms),
          }),
          identity,
          logger: log.logger,
        };
        const followUps: Promise<string>[] = [];
        try {
          for (const s of steps) {
            oauth.down = s.down;
            const user =
              s.person === 'anonymous'
                ? { teamsId: '29:anon' }
                : {
                    aadObjectId: s.person === 'megan' ? 'aad-megan' : 'aad-ada',
                    teamsId: `29:${s.person}`,
                    name: s.person,
                  };
            const command = parseSignInCommand(s.text);
            if (command) {
              const reply = await runSignInCommand(deps, command, 'local', user, s.shared);
              assert.ok(reply.text.length > 0);
              if ('followUp' in reply) {
                const code = JSON.stringify(reply.card).match(/FAKE-\d{4}/)?.[0];
                assert.ok(code, 'the card shows the code');
                if (s.fate !== 'none')
                  oauth.decide(code, s.fate === 'approve' ? { id: 1, login: s.person } : s.fate);
                followUps.push(reply.followUp);
              }
            }
            const identityCommand = parseIdentityCommand(s.text);
            if (
              identityCommand.ok &&
              (identityCommand.command.kind === 'link' ||
                identityCommand.command.kind === 'unlink' ||
                identityCommand.command.kind === 'who')
            ) {
              assert.ok(
                (await runIdentityCommand(identity, 'local', 'conv', user, identityCommand.command))
                  .length > 0,
              );
            }
          }
          deps.signIn.stop(); // undecided codes end as cancelled
          for (const line of await Promise.all(followUps))
            assert.ok(typeof line === 'string' && line.length > 0);
          assert.deepEqual(log.lines, [], 'nothing failed unexpectedly');
        } finally {
          await store.close();
        }
      }),
      fuzzParameters(200),
    );
  });
});
