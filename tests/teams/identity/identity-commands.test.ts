/** The identity commands' syntax, and the configuration that turns card actions on. */
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../../src/config.js';
import {
  buildAlert,
  alertCardBuilder,
  cardActionsEnabled,
} from '../../../src/teams/cards/alert-card-builder.js';
import { parseIdentityCommand } from '../../../src/teams/identity/identity-commands.js';
import { normalise } from '../../../src/github/normalise.js';
import { classify } from '../../../src/routing/classification/classifier.js';
import { cardFamilyOf } from '../../../src/routing/subscriptions/router.js';
import { exampleOf } from '../../support/webhook-examples.js';

const megan = {
  type: 'mention',
  text: '<at>Megan Bowen</at>',
  mentioned: { id: '29:megan', name: 'Megan Bowen', aadObjectId: 'AAD-M' },
};

describe('identity commands: syntax', function () {
  const cases: Array<[string, unknown[], unknown]> = [
    ['link github octocat', [], { kind: 'link', login: 'octocat' }],
    ['Link GitHub @octocat', [], { kind: 'link', login: 'octocat' }],
    ['link github', [], { kind: 'link', login: '' }],
    ['link github two words', [], { kind: 'link', login: 'two words' }],
    ['unlink github', [], { kind: 'unlink' }],
    ['who can write', [], { kind: 'who' }],
    [
      'allow everyone',
      [],
      { kind: 'allow', principals: [{ keys: ['*'], label: 'everyone' }], repos: [] },
    ],
    [
      'allow <at>Megan Bowen</at> Octo/App octo',
      [megan],
      {
        kind: 'allow',
        principals: [{ keys: ['aad:aad-m', 'teams:29:megan'], label: '@Megan Bowen' }],
        repos: ['octo/app', 'octo'],
      },
    ],
    [
      'allow Megan@Contoso.com, octo/app',
      [],
      {
        kind: 'allow',
        principals: [{ keys: ['upn:megan@contoso.com'], label: 'megan@contoso.com' }],
        repos: ['octo/app'],
      },
    ],
    [
      'disallow <at>Megan Bowen</at>',
      [megan],
      {
        kind: 'disallow',
        principals: [{ keys: ['aad:aad-m', 'teams:29:megan'], label: '@Megan Bowen' }],
      },
    ],
    [
      'treat release-automation as bot',
      [],
      { kind: 'treat', login: 'release-automation', as: 'bot' },
    ],
    ['Treat @k8s-ci-robot as a bot.', [], { kind: 'treat', login: 'k8s-ci-robot', as: 'bot' }],
    [
      'treat dependabot[bot] as person',
      [],
      { kind: 'treat', login: 'dependabot[bot]', as: 'person' },
    ],
    ['treat alice as human', [], { kind: 'treat', login: 'alice', as: 'person' }],
  ];
  for (const [text, mentions, expected] of cases) {
    it(`"${text}"`, function () {
      const parsed = parseIdentityCommand(text, mentions as never);
      assert.ok(parsed.ok, !parsed.ok ? parsed.error : '');
      assert.deepEqual(parsed.command, expected);
    });
  }

  const bad: Array<[string, RegExp]> = [
    ['allow', /Say who/],
    ['allow octo/app', /Say who/],
    ['disallow octo/app', /don't know what "octo\/app"/],
    ['allow everyone ../../etc', /don't know what/],
    ['treat', /treat <login> as bot/],
    ['treat alice', /treat <login> as bot/],
    ['treat alice as robot', /treat <login> as bot/],
    ['treat -alice- as bot', /is not a GitHub login/],
    ['treat a/b as bot', /is not a GitHub login/],
  ];
  for (const [text, message] of bad) {
    it(`"${text}" gets a clear error`, function () {
      const parsed = parseIdentityCommand(text);
      assert.equal(parsed.ok, false);
      assert.match(!parsed.ok ? parsed.error : '', message);
    });
  }
});

describe('card actions: configuration', function () {
  const base = { GITHUB_WEBHOOK_SECRET: 'a-long-enough-secret' };

  it('buttons only with GitHub sign-in configured (people act with their own tokens), and not when switched off', function () {
    assert.equal(cardActionsEnabled(parseConfig(base)), false);
    assert.equal(
      cardActionsEnabled(parseConfig({ ...base, GITHUB_TOKEN: 'ghp_x' })),
      false,
      "Reynolds's own token is not enough: nobody could act",
    );
    assert.equal(
      cardActionsEnabled(parseConfig({ ...base, GITHUB_OAUTH_CLIENT_ID: 'Iv23liExampleClient' })),
      true,
    );
    assert.equal(
      cardActionsEnabled(
        parseConfig({
          ...base,
          GITHUB_OAUTH_CLIENT_ID: 'Iv23liExampleClient',
          CARD_ACTIONS: 'off',
        }),
      ),
      false,
    );
  });

  it('GITHUB_TOKEN is a secret, GITHUB_API_URL has GitHub’s default, ADMIN_AAD_IDS is a list of GUIDs', function () {
    const config = parseConfig({
      ...base,
      GITHUB_TOKEN: 'ghp_secret_value',
      ADMIN_AAD_IDS: ' 11111111-1111-4111-8111-111111111111 ,22222222-2222-4222-8222-222222222222',
    });
    assert.ok(config.secretValues.includes('ghp_secret_value'));
    assert.equal(config.GITHUB_API_URL, 'https://api.github.com');
    assert.deepEqual(config.ADMIN_AAD_IDS, [
      '11111111-1111-4111-8111-111111111111',
      '22222222-2222-4222-8222-222222222222',
    ]);
    for (const [env, name] of [
      [{ ADMIN_AAD_IDS: 'megan' }, 'ADMIN_AAD_IDS'],
      [{ CARD_ACTIONS: 'maybe' }, 'CARD_ACTIONS'],
      [{ GITHUB_API_URL: 'not a url' }, 'GITHUB_API_URL'],
    ] as const) {
      assert.throws(
        () => parseConfig({ ...base, ...env }),
        (error: unknown) =>
          error instanceof ConfigError && new RegExp(`^${name}(\\[\\d+\\])?:`).test(error.message),
      );
    }
  });

  it('the alert builder puts write buttons on issue and PR cards only when enabled', function () {
    const event = normalise({
      tenantId: 't',
      deliveryId: 'd',
      event: 'issues',
      payload: exampleOf('issues', 'opened').payload as never,
      receivedAt: 0,
    });
    const input = {
      event,
      classification: classify(event),
      family: cardFamilyOf(event),
      chain: { chainId: 'c', nodeId: 'n' },
    };
    const titles = (card: Record<string, unknown>) =>
      (card['actions'] as Array<{ title: string }>).map((a) => a.title);
    assert.deepEqual(titles(buildAlert(input).card), ['Open on GitHub']);
    assert.deepEqual(titles(alertCardBuilder(true)(input).card), [
      'Open on GitHub',
      'Comment',
      'Close',
    ]);
  });
});
