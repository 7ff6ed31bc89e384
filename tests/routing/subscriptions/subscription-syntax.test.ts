import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { BrokerEvent } from '../../../src/core/broker-event.js';
import { normalise } from '../../../src/github/normalise.js';
import { PRIORITIES } from '../../../src/core/classification.js';
import {
  DEFAULT_FEATURES,
  FEATURES,
  type Feature,
  type Subscription,
  type SubscriptionSpec,
  featureOf,
  withoutFeatures,
} from '../../../src/routing/subscriptions/subscription.js';
import {
  type ParseResult,
  type SubscriptionCommand,
  formatSubscription,
  formatSubscriptionList,
  parseSubscriptionCommand,
} from '../../../src/routing/subscriptions/subscription-syntax.js';
import { exampleOf, loadWebhookExamples } from '../../support/webhook-examples.js';

function parsed(input: string): SubscriptionCommand {
  const result = parseSubscriptionCommand(input);
  assert.ok(result.ok, `expected "${input}" to parse, got: ${result.ok ? '' : result.error}`);
  return result.command;
}

function errorOf(input: string): string {
  const result = parseSubscriptionCommand(input);
  assert.ok(!result.ok, `expected "${input}" to be refused`);
  return result.error;
}

describe('subscription syntax', () => {
  describe('subscribe', () => {
    it('owner/repo alone gives the default features and no filters', () => {
      assert.deepEqual(parsed('subscribe octo-org/octo-repo'), {
        kind: 'subscribe',
        scope: { owner: 'octo-org', repo: 'octo-repo' },
        features: [
          'issues',
          'pulls',
          'reviews',
          'releases',
          'deployments',
          'workflows',
          'security',
        ],
        filters: {},
      });
    });

    it('the defaults leave out comments and commits', () => {
      assert.ok(!DEFAULT_FEATURES.includes('comments'));
      assert.ok(!DEFAULT_FEATURES.includes('commits'));
    });

    it('owner alone subscribes a whole organization', () => {
      const command = parsed('subscribe octo-org');
      assert.equal(command.kind, 'subscribe');
      assert.deepEqual(command.kind === 'subscribe' && command.scope, { owner: 'octo-org' });
    });

    it('reads features in any case and order, in canonical order, with every filter', () => {
      assert.deepEqual(
        parsed(
          'Subscribe octo-org/octo-repo Security comments +label:bug -label:"won\'t fix" branch:main branch:release author:@octocat priority:p1',
        ),
        {
          kind: 'subscribe',
          scope: { owner: 'octo-org', repo: 'octo-repo' },
          features: ['comments', 'security'],
          filters: {
            labels: { include: ['bug'], exclude: ["won't fix"] },
            branches: ['main', 'release'],
            authors: ['octocat'],
            minPriority: 'P1',
          },
        },
      );
    });

    it('accepts a pasted GitHub link, a leading slash and extra spaces', () => {
      const command = parsed('  /subscribe   https://github.com/octo-org/octo-repo.git   pulls ');
      assert.deepEqual(command.kind === 'subscribe' && [command.scope, command.features], [
        { owner: 'octo-org', repo: 'octo-repo' },
        ['pulls'],
      ]);
    });

    it('quoted label names keep spaces, quotes and backslashes', () => {
      const command = parsed(
        'subscribe o/r +label:"good first issue" +label:"say \\"hi\\"" +label:"back\\\\slash"',
      );
      assert.deepEqual(command.kind === 'subscribe' && command.filters.labels?.include, [
        'good first issue',
        'say "hi"',
        'back\\slash',
      ]);
    });

    it('an author filter may name a bot account', () => {
      const command = parsed('subscribe o/r author:dependabot[bot]');
      assert.deepEqual(command.kind === 'subscribe' && command.filters.authors, [
        'dependabot[bot]',
      ]);
    });
  });

  describe('unsubscribe and list', () => {
    it('unsubscribe with features removes those; without, the whole subscription', () => {
      assert.deepEqual(parsed('unsubscribe octo-org/octo-repo comments commits'), {
        kind: 'unsubscribe',
        scope: { owner: 'octo-org', repo: 'octo-repo' },
        features: ['comments', 'commits'],
      });
      assert.deepEqual(parsed('unsubscribe octo-org'), {
        kind: 'unsubscribe',
        scope: { owner: 'octo-org' },
        features: [],
      });
    });

    it('subscriptions and list ask for the list', () => {
      assert.deepEqual(parsed('subscriptions'), { kind: 'list' });
      assert.deepEqual(parsed('LIST'), { kind: 'list' });
    });

    it('withoutFeatures keeps what is left, or nothing', () => {
      const subscription: Subscription = {
        id: 's1',
        tenantId: 't',
        conversationId: 'c',
        scope: { owner: 'o', repo: 'r' },
        features: ['issues', 'pulls'],
        filters: {},
        createdBy: 'u',
        createdAt: '2030-01-01T00:00:00.000Z',
      };
      assert.deepEqual(withoutFeatures(subscription, ['issues'])?.features, ['pulls']);
      assert.equal(withoutFeatures(subscription, ['issues', 'pulls']), undefined);
      assert.equal(withoutFeatures(subscription, []), undefined);
    });
  });

  describe('errors say what is wrong and show the syntax', () => {
    const cases: Array<[input: string, mustMention: RegExp[]]> = [
      ['', [/subscribe owner\/repo/]],
      ['hello there', [/don't know "hello"/, /subscribe owner\/repo/]],
      ['subscribe', [/Which repository/, /owner\/repo/]],
      ['subscribe octo-org/octo-repo/extra', [/not a repository/, /owner\/repo/]],
      ['subscribe -bad-owner-/repo', [/not a repository/, /owner\/repo/]],
      ['subscribe o/..', [/not a repository/]],
      ['subscribe o/r issuez', [/Unknown feature "issuez"/, new RegExp(FEATURES.join(', '))]],
      ['subscribe o/r issues issues', [/"issues" is given twice/]],
      ['subscribe o/r label:bug', [/\+label:bug/, /-label:bug/]],
      ['subscribe o/r +label:', [/needs a label name/]],
      ['subscribe o/r +label:bug +label:BUG', [/given twice/]],
      [
        'subscribe o/r +label:bug -label:bug',
        [/both required \(\+label\) and excluded \(-label\)/],
      ],
      ['subscribe o/r +branch:main', [/Only labels take \+ or -/]],
      ['subscribe o/r branch:main branch:main', [/branch:main is given twice/]],
      ['subscribe o/r branch:"has space"', [/not a branch name/]],
      ['subscribe o/r author:not_a_login!', [/not a GitHub login/]],
      ['subscribe o/r author:a author:A', [/author:A is given twice/]],
      ['subscribe o/r priority:P5', [/P0, P1, P2 or P3/]],
      [
        'subscribe o/r priority:P1 priority:P2',
        [/priority is given twice \(priority:P1 and priority:P2\)/],
      ],
      ['subscribe o/r colour:red', [/Unknown filter "colour:"/, /\+label:x/]],
      ['subscribe o/r +label:"unclosed', [/quote \("\) is not closed/]],
      [
        'unsubscribe o/r +label:bug',
        [/unsubscribe takes features only/, /unsubscribe owner\/repo/],
      ],
      ['subscriptions now', [/takes nothing after it/]],
    ];
    for (const [input, mustMention] of cases) {
      it(`"${input}"`, () => {
        const error = errorOf(input);
        for (const pattern of mustMention) assert.match(error, pattern);
      });
    }

    it('every filter and feature error ends with the syntax to use', () => {
      assert.match(
        errorOf('subscribe o/r nope'),
        /Syntax: subscribe owner\/repo \[features\.\.\.\]/,
      );
    });
  });

  describe('formatting', () => {
    it('prints a command, leaving default features implicit', () => {
      const spec: SubscriptionSpec = {
        scope: { owner: 'octo-org', repo: 'octo-repo' },
        features: [...DEFAULT_FEATURES],
        filters: { labels: { include: ['good first issue'], exclude: ['wip'] }, minPriority: 'P2' },
      };
      assert.equal(
        formatSubscription(spec),
        'subscribe octo-org/octo-repo +label:"good first issue" -label:wip priority:P2',
      );
      assert.equal(
        formatSubscription({
          scope: { owner: 'o' },
          features: ['security', 'issues'],
          filters: {},
        }),
        'subscribe o issues security',
      );
    });

    it('lists subscriptions one a line, or says there are none', () => {
      const spec: SubscriptionSpec = {
        scope: { owner: 'o', repo: 'r' },
        features: ['pulls'],
        filters: {},
      };
      assert.equal(
        formatSubscriptionList([spec, { ...spec, scope: { owner: 'p' } }]),
        '- subscribe o/r pulls\n- subscribe p pulls',
      );
      assert.match(formatSubscriptionList([]), /no subscriptions yet/);
    });
  });

  describe('properties', () => {
    const words = [
      'subscribe',
      'unsubscribe',
      'subscriptions',
      'list',
      'o/r',
      'o',
      '/',
      'issues',
      'pulls',
      '+label:',
      '-label:',
      'label:',
      'branch:',
      'author:',
      'priority:',
      'P1',
      '"',
      '\\',
      '\\"',
      '@',
      ' ',
      '\n',
      '\t',
    ];

    function assertAnswered(result: ParseResult): void {
      if (result.ok) assert.ok(['subscribe', 'unsubscribe', 'list'].includes(result.command.kind));
      else assert.ok(result.error.length > 0);
    }

    it('never throws on arbitrary strings', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (input) =>
          assertAnswered(parseSubscriptionCommand(input)),
        ),
        { numRuns: 2_000 },
      );
    });

    it('never throws on strings made of its own syntax', () => {
      const soup = fc
        .array(fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 8 })), { maxLength: 20 })
        .map((parts) => parts.join(''));
      fc.assert(
        fc.property(soup, (input) => assertAnswered(parseSubscriptionCommand(input))),
        { numRuns: 3_000 },
      );
    });

    // Alphanumeric runs joined by single hyphens, at most 39 characters: GitHub's login rule.
    const login = fc
      .array(fc.stringMatching(/^[A-Za-z0-9]{1,8}$/), { minLength: 1, maxLength: 4 })
      .map((parts) => parts.join('-'))
      .filter((value) => value.length <= 39);
    const repo = fc
      .stringMatching(/^[A-Za-z0-9._-]{1,100}$/)
      .filter((value) => value !== '.' && value !== '..' && !value.endsWith('.git'));
    // Includes a quote, which the formatter must quote for the tokenizer to read it back.
    const branch = fc
      .stringMatching(
        /^[A-Za-z0-9][A-Za-z0-9_.#"'é+-]{0,10}(?:\/[A-Za-z0-9][A-Za-z0-9_.#"'é+-]{0,10}){0,2}$/,
      )
      .filter((value) => !value.includes('..') && !value.endsWith('.') && !value.endsWith('.lock'));
    const label = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 50 })
      .filter((value) => value.trim() !== '');
    const features = fc.subarray([...FEATURES], { minLength: 1 }) as fc.Arbitrary<Feature[]>;
    const spec: fc.Arbitrary<SubscriptionSpec> = fc
      .record({
        owner: login,
        repo: fc.option(repo, { nil: undefined }),
        features,
        labels: fc.uniqueArray(label, { selector: (value) => value.toLowerCase(), maxLength: 6 }),
        split: fc.nat(6),
        branches: fc.uniqueArray(branch, { maxLength: 3 }),
        authors: fc.uniqueArray(login, { selector: (value) => value.toLowerCase(), maxLength: 3 }),
        minPriority: fc.option(fc.constantFrom(...PRIORITIES), { nil: undefined }),
      })
      .map(
        ({
          owner,
          repo: name,
          features: chosen,
          labels,
          split,
          branches,
          authors,
          minPriority,
        }) => ({
          scope: name === undefined ? { owner } : { owner, repo: name },
          features: chosen,
          filters: {
            ...(labels.length > 0 && {
              labels: { include: labels.slice(0, split), exclude: labels.slice(split) },
            }),
            ...(branches.length > 0 && { branches }),
            ...(authors.length > 0 && { authors }),
            ...(minPriority !== undefined && { minPriority }),
          },
        }),
      );

    it('format then parse gives the same subscription back', () => {
      fc.assert(
        fc.property(spec, (original) => {
          const text = formatSubscription(original);
          const result = parseSubscriptionCommand(text);
          assert.ok(result.ok, `${text}: ${result.ok ? '' : result.error}`);
          assert.deepEqual(result.command, { kind: 'subscribe', ...original });
        }),
        { numRuns: 1_000 },
      );
    });
  });
});

describe('featureOf', () => {
  const eventOf = (event: string, payload: unknown): BrokerEvent =>
    normalise({
      tenantId: 't',
      deliveryId: 'd',
      event,
      payload: payload as Record<string, unknown>,
      receivedAt: 0,
    });

  /** The feature of every recorded event type, written independently of the code; absent: none. */
  const EXPECTED: Record<string, Feature | undefined> = {
    check_run: 'workflows',
    check_suite: 'workflows',
    code_scanning_alert: 'security',
    commit_comment: 'comments',
    dependabot_alert: 'security',
    deployment: 'deployments',
    deployment_review: 'deployments',
    deployment_status: 'deployments',
    discussion: 'discussions',
    discussion_comment: 'comments',
    issue_comment: 'comments',
    issues: 'issues',
    merge_group: 'workflows',
    package: 'releases',
    page_build: 'workflows',
    public: 'security',
    pull_request: 'pulls',
    pull_request_review: 'reviews',
    pull_request_review_comment: 'comments',
    pull_request_review_thread: 'reviews',
    push: 'commits',
    release: 'releases',
    repository_vulnerability_alert: 'security',
    security_advisory: 'security',
    status: 'workflows',
    workflow_dispatch: 'workflows',
    workflow_job: 'workflows',
    workflow_run: 'workflows',
  };

  it('maps every recorded event type as expected, administration to nothing', () => {
    for (const example of loadWebhookExamples()) {
      const pr =
        example.event === 'issues' &&
        typeof (example.payload['issue'] as Record<string, unknown>)['pull_request'] === 'object';
      const publicized = example.event === 'repository' && example.action === 'publicized';
      const expected = pr ? 'pulls' : publicized ? 'security' : EXPECTED[example.event];
      assert.equal(
        featureOf(eventOf(example.event, example.payload)),
        expected,
        `${example.event}#${example.index}`,
      );
    }
  });

  it('an unknown event type has no feature', () => {
    assert.equal(featureOf(eventOf('brand_new_event', {})), undefined);
    assert.equal(featureOf(eventOf('star', exampleOf('star', 'created').payload)), undefined);
  });
});
