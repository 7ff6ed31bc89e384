/**
 * The sign-in chat commands below Teams: their syntax, and what Reynolds answers to `sign in`,
 * `sign out` and `whoami` in each state (not set up, anonymous, GitHub down, approved, denied,
 * expired, self-asserted link from before sign-in), with a fake of the GitHubOAuth port and a real
 * in-memory store.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../../src/core/clock.js';
import { PersonLinks } from '../../../src/identity/person-links.js';
import { SignInService } from '../../../src/identity/sign-in-service.js';
import { TokenVault } from '../../../src/identity/token-vault.js';
import * as lines from '../../../src/persona/sign-in-replies.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { IdentityBook } from '../../../src/teams/identity/identity-book.js';
import { runIdentityCommand } from '../../../src/teams/identity/identity-commands.js';
import {
  parseSignInCommand,
  runSignInCommand,
  type SignInCommandDeps,
  type SignInReply,
} from '../../../src/teams/identity/sign-in-commands.js';
import { cardProblems } from '../../support/adaptive-card-schema.js';
import { FakeGitHubOAuth } from '../../support/fake-github-oauth.js';
import { captureLogger } from '../../support/log-capture.js';

const TENANT = 'local';
const MEGAN = {
  aadObjectId: '22222222-2222-4222-8222-222222222222',
  teamsId: '29:megan',
  name: 'Megan Bowen',
};
const OCTO = { id: 583231, login: 'octocat' };

describe('sign-in commands', function () {
  it('syntax', function () {
    const cases: Array<[string, string | undefined]> = [
      ['sign in', 'sign_in'],
      ['Sign In!', 'sign_in'],
      ['signin', 'sign_in'],
      ['sign-in', 'sign_in'],
      ['  sign out ', 'sign_out'],
      ['signout.', 'sign_out'],
      ['whoami', 'whoami'],
      ['Who am I?', 'whoami'],
      ['sign in please now', undefined],
      ['design in', undefined],
      ['sign', undefined],
    ];
    for (const [text, expected] of cases) assert.equal(parseSignInCommand(text), expected, text);
  });

  describe('answers', function () {
    let store: SqliteStore;
    let oauth: FakeGitHubOAuth;
    let deps: SignInCommandDeps;
    const log = captureLogger([], 'warn');

    beforeEach(async () => {
      const clock = new ManualClock();
      store = new SqliteStore({ file: ':memory:', clock, deliveryTtlMs: 3600_000 });
      await store.init();
      oauth = new FakeGitHubOAuth();
      const signIn = new SignInService({
        oauth,
        vault: new TokenVault(randomBytes(32)),
        links: new PersonLinks(store),
        clock,
        sleep: async (ms) => clock.advance(ms),
      });
      deps = { signIn, identity: new IdentityBook(store, clock), logger: log.logger };
    });
    afterEach(() => store.close());

    const textOf = (reply: SignInReply) => reply.text;

    it('sign in: the card with the code, link and time left; then who you are, once GitHub says so', async function () {
      const reply = await runSignInCommand(deps, 'sign_in', TENANT, MEGAN, false);
      assert.ok('card' in reply);
      assert.equal(reply.text, lines.signInStartedLine(15));
      assert.deepEqual(cardProblems(reply.card), [], 'a valid Adaptive Card');
      const shown = JSON.stringify(reply.card);
      assert.match(shown, /FAKE-0001/);
      assert.match(shown, /https:\/\/github.com\/login\/device/);
      assert.match(shown, /15 minutes/);
      assert.doesNotMatch(
        shown,
        /Others here can see this code/,
        'a personal chat needs no warning',
      );
      oauth.decide('FAKE-0001', OCTO);
      assert.equal(await reply.followUp, lines.signedInLine('octocat', 'Megan Bowen'));
      assert.equal(
        textOf(await runSignInCommand(deps, 'whoami', TENANT, MEGAN, false)),
        lines.whoamiLine({
          login: 'octocat',
          githubId: OCTO.id,
          verifiedAt: new ManualClock().now() + 5000,
        }),
      );
    });

    it('in a channel the card warns that others can see the code', async function () {
      const reply = await runSignInCommand(deps, 'sign_in', TENANT, MEGAN, true);
      assert.ok('card' in reply);
      assert.match(JSON.stringify(reply.card), /Others here can see this code/);
    });

    it('denied and expired codes get their own lines', async function () {
      const denied = await runSignInCommand(deps, 'sign_in', TENANT, MEGAN, false);
      oauth.decide('FAKE-0001', 'denied');
      assert.equal('followUp' in denied && (await denied.followUp), lines.signInDeniedLine());
      const expired = await runSignInCommand(deps, 'sign_in', TENANT, MEGAN, false);
      oauth.decide('FAKE-0002', 'expired');
      assert.equal('followUp' in expired && (await expired.followUp), lines.signInExpiredLine());
    });

    it('GitHub down: no code, an in-voice line, a warning logged', async function () {
      oauth.down = true;
      assert.equal(
        textOf(await runSignInCommand(deps, 'sign_in', TENANT, MEGAN, false)),
        lines.signInUnavailableLine('unreachable'),
      );
      assert.ok(log.lines.some((l) => l.includes('GitHub gave no device code')));
    });

    it('not set up, and anonymous users', async function () {
      assert.equal(
        textOf(
          await runSignInCommand({ ...deps, signIn: undefined }, 'sign_in', TENANT, MEGAN, false),
        ),
        lines.signInNotConfiguredLine(),
      );
      for (const command of ['sign_in', 'sign_out', 'whoami'] as const)
        assert.equal(
          textOf(await runSignInCommand(deps, command, TENANT, { teamsId: '29:anon' }, false)),
          lines.anonymousSignInLine(),
          command,
        );
    });

    it('whoami: nobody yet, and a self-asserted link from before is named unverified; link github points to sign in', async function () {
      assert.equal(
        textOf(await runSignInCommand(deps, 'whoami', TENANT, MEGAN, false)),
        lines.whoamiNobodyLine(),
      );
      await deps.identity.link(TENANT, MEGAN.aadObjectId, 'megan-gh');
      assert.equal(
        textOf(await runSignInCommand(deps, 'whoami', TENANT, MEGAN, false)),
        lines.whoamiUnverifiedLine('megan-gh'),
      );
      assert.equal(
        await runIdentityCommand(deps.identity, TENANT, 'conv', MEGAN, {
          kind: 'link',
          login: 'megan-gh',
        }),
        lines.linkReplacedLine(),
      );
      assert.equal(
        await deps.identity
          .mayWrite(TENANT, MEGAN, 'conv', 'octo/app', 'close')
          .then((d) => d.allowed),
        false,
        'an unverified link cannot act',
      );
      assert.equal(
        textOf(await runSignInCommand(deps, 'sign_out', TENANT, MEGAN, false)),
        lines.legacyLinkForgottenLine(),
        'sign out forgets it too',
      );
      assert.equal(await deps.identity.linkOf(TENANT, MEGAN.aadObjectId), undefined);
    });

    it('sign out: revoked and forgotten; GitHub down: forgotten and told; nobody: nothing to do', async function () {
      const started = await runSignInCommand(deps, 'sign_in', TENANT, MEGAN, false);
      oauth.decide('FAKE-0001', OCTO);
      assert.ok('followUp' in started && (await started.followUp));
      assert.equal(
        textOf(await runSignInCommand(deps, 'sign_out', TENANT, MEGAN, false)),
        lines.signedOutLine('octocat'),
      );
      assert.deepEqual(oauth.revoked, ['gho_fake_octocat_dc-1']);
      assert.equal(
        textOf(await runSignInCommand(deps, 'sign_out', TENANT, MEGAN, false)),
        lines.notSignedInLine(),
      );

      const again = await runSignInCommand(deps, 'sign_in', TENANT, MEGAN, false);
      oauth.decide('FAKE-0002', OCTO);
      assert.ok('followUp' in again && (await again.followUp));
      oauth.down = true;
      assert.equal(
        textOf(await runSignInCommand(deps, 'sign_out', TENANT, MEGAN, false)),
        lines.signedOutLocallyLine('octocat'),
      );
      assert.equal(
        textOf(await runSignInCommand(deps, 'whoami', TENANT, MEGAN, false)),
        lines.whoamiNobodyLine(),
      );
    });
  });
});
