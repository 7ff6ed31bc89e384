/**
 * Alert cards: every recorded GitHub payload becomes a valid Adaptive Card, and the cards say and
 * offer what they should.
 *
 * Validity is checked by tests/support/adaptive-card-schema.ts: the adaptivecards parser and a
 * structural validator for the Adaptive Card 1.5 schema.
 */
import assert from 'node:assert/strict';
import type { BrokerEvent } from '../../../src/core/broker-event.js';
import { normalise } from '../../../src/github/normalise.js';
import type { ChainSummary } from '../../../src/core/chain-records.js';
import { formatMarker, withMarker } from '../../../src/loops/marker.js';
import type { Classification, Priority } from '../../../src/core/classification.js';
import { classify } from '../../../src/routing/classification/classifier.js';
import { cardFamilyOf } from '../../../src/routing/subscriptions/router.js';
import {
  type AdaptiveCardJson,
  buildAlertCard,
  buildChainBrokenCard,
} from '../../../src/teams/cards/alert-card.js';
import { buildChainBroken } from '../../../src/teams/cards/alert-card-builder.js';
import { EXCERPT_LIMIT, cut, excerpt, safeUrl } from '../../../src/teams/cards/card-text.js';
import { parserErrors, schemaErrors } from '../../support/adaptive-card-schema.js';
import { exampleOf, loadWebhookExamples } from '../../support/webhook-examples.js';

type Json = Record<string, any>;

const CHAIN = { chainId: 'chain-7f3a', nodeId: 'node-42' };
const MARKER_KEY = 'marker-key-for-tests-0123456789';

function eventOf(event: string, payload: unknown, deliveryId = 'delivery-1'): BrokerEvent {
  return normalise({
    tenantId: 'tenant-1',
    deliveryId,
    event,
    payload: payload as Json,
    receivedAt: Date.UTC(2030, 0, 1),
  });
}

/** A writable copy of a recorded payload, for the variants the recordings lack. */
function copyOf(
  event: string,
  action: string | undefined,
  where?: (payload: Json) => boolean,
): Json {
  return structuredClone(exampleOf(event, action, where).payload) as Json;
}

function cardFor(
  event: BrokerEvent,
  canAct = true,
  classification: Classification = classify(event),
): AdaptiveCardJson {
  return buildAlertCard({ event, classification, chain: CHAIN, canAct });
}

// ---------------------------------------------------------------------------------------------
// Reading cards.

function allActions(card: Json): Json[] {
  const found: Json[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const object = node as Json;
    if (typeof object['type'] === 'string' && object['type'].startsWith('Action.'))
      found.push(object);
    Object.values(object).forEach(walk);
  };
  walk(card);
  return found;
}

const executes = (card: Json): Json[] =>
  allActions(card).filter((a) => a['type'] === 'Action.Execute');
const topTitles = (card: Json): string[] =>
  (card['actions'] as Json[]).map((a) => a['title'] as string);
const verbs = (card: Json): string[] =>
  executes(card)
    .map((a) => a['verb'] as string)
    .sort();

function texts(card: Json): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const object = node as Json;
    for (const key of ['text', 'value'])
      if (typeof object[key] === 'string') found.push(object[key]);
    Object.values(object).forEach(walk);
  };
  walk(card);
  return found;
}

function textBlock(card: Json, match: (text: string) => boolean): Json | undefined {
  let hit: Json | undefined;
  const walk = (node: unknown): void => {
    if (hit !== undefined || typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) return node.forEach(walk);
    const object = node as Json;
    if (
      object['type'] === 'TextBlock' &&
      typeof object['text'] === 'string' &&
      match(object['text'])
    )
      hit = object;
    else Object.values(object).forEach(walk);
  };
  walk(card);
  return hit;
}

/** The priority badge: the first column of the header row. */
function badgeOf(card: Json): { style: string; text: string; color: string } {
  const column = card['body'][0]['columns'][0];
  return {
    style: column['style'],
    text: column['items'][0]['text'],
    color: column['items'][0]['color'],
  };
}

/** Problems every alert card must be free of, whatever its event. */
function problemsOf(card: Json, event: BrokerEvent, canAct: boolean): string[] {
  const json = JSON.stringify(card);
  const problems = [
    ...parserErrors(card).map((e) => `parser: ${e}`),
    ...schemaErrors(card).map((e) => `schema: ${e}`),
  ];
  const leftover = json.match(/\$\{[^}]*\}?/);
  if (leftover) problems.push(`template placeholder survived: ${leftover[0]}`);
  if (json.includes('<!--') || json.includes('reynolds:'))
    problems.push('an HTML comment or chain marker is shown');
  const first = (card['actions'] as Json[])[0];
  if (first?.['type'] !== 'Action.OpenUrl' || first['title'] !== 'Open on GitHub')
    problems.push('"Open on GitHub" is not the first action');
  const writes = allActions(card).filter(
    (a) => a['type'] === 'Action.Execute' || a['type'] === 'Action.ShowCard',
  );
  if (!canAct && writes.length > 0) problems.push('write actions without canAct');
  if (cardFamilyOf(event) === 'security' && writes.length > 0)
    problems.push('write actions on a security card');
  for (const execute of executes(card)) {
    const data = execute['data'] as Json;
    const expected = {
      verb: execute['verb'],
      repo: event.repo?.fullName,
      number: event.target?.number,
      ...CHAIN,
      deliveryId: event.deliveryId,
    };
    if (JSON.stringify(data) !== JSON.stringify(expected))
      problems.push(`Execute ${execute['verb']} data is ${JSON.stringify(data)}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------

describe('alert cards', function () {
  describe('every recorded webhook payload gives a valid card', function () {
    const examples = loadWebhookExamples();

    it('covers all the recordings and every card family', function () {
      assert.equal(examples.length, 329);
      const families = new Set(
        examples.map((example) => cardFamilyOf(eventOf(example.event, example.payload))),
      );
      assert.deepEqual(
        [...families].sort(),
        [
          'comment',
          'deployment',
          'discussion',
          'generic',
          'issue',
          'pull_request',
          'release',
          'review',
          'push',
          'security',
          'workflow',
        ].sort(),
      );
    });

    examples.forEach((example, i) => {
      it(`${example.event}${example.action ? `.${example.action}` : ''} #${example.index}`, function () {
        const event = eventOf(example.event, example.payload, `delivery-${i}`);
        const classification = classify(event);
        for (const canAct of [true, false]) {
          const card = cardFor(event, canAct, classification);
          assert.deepEqual(problemsOf(card, event, canAct), [], `canAct=${canAct}`);
          const expected = { P0: 'attention', P1: 'warning', P2: 'accent', P3: 'default' }[
            classification.priority
          ];
          assert.deepEqual(badgeOf(card), {
            style: expected,
            text: classification.priority,
            color: expected,
          });
        }
      });
    });
  });

  describe('pull requests', function () {
    const opened = eventOf(
      'pull_request',
      exampleOf('pull_request', 'opened').payload,
      'delivery-pr',
    );

    it('an open PR offers Approve, Request changes, Comment and Close when the conversation can act', function () {
      const card = cardFor(opened);
      assert.deepEqual(topTitles(card), [
        'Open on GitHub',
        'Approve',
        'Request changes',
        'Comment',
        'Close',
      ]);
      assert.deepEqual(verbs(card), ['approve', 'close', 'comment', 'request_changes']);
      const comment = (card['actions'] as Json[]).find((a) => a['title'] === 'Comment')!;
      assert.equal(comment['type'], 'Action.ShowCard');
      assert.equal(comment['card']['body'][0]['type'], 'Input.Text');
      assert.equal(comment['card']['actions'][0]['verb'], 'comment');
    });

    it('offers only "Open on GitHub" when the conversation cannot act', function () {
      const card = cardFor(opened, false);
      assert.deepEqual(topTitles(card), ['Open on GitHub']);
      assert.deepEqual(executes(card), []);
      assert.equal(card['actions']![0]!['url'], 'https://github.com/Codertocat/Hello-World/pull/2');
    });

    it('shows the repo (linked), the title (linked), the actor, the state, the branches and the why', function () {
      const card = cardFor(opened);
      const shown = texts(card).join('\n');
      assert.ok(
        shown.includes('[Codertocat/Hello-World](https://github.com/Codertocat/Hello-World)'),
      );
      assert.ok(
        shown.includes(
          '[Update the README with new information.](https://github.com/Codertocat/Hello-World/pull/2)',
        ),
      );
      assert.ok(shown.includes('Pull request #2 opened by Codertocat'));
      assert.ok(shown.includes('changes → master'));
      assert.ok(shown.includes('Why: A pull request was opened'));
      assert.equal(textBlock(card, (t) => t === 'Open')?.['color'], 'accent');
    });

    it('a merged PR shows Merged and offers no Close, Reopen or review', function () {
      const payload = copyOf('pull_request', 'closed');
      payload['pull_request'].merged = true;
      payload['pull_request'].merged_at = '2019-05-15T15:21:18Z';
      const card = cardFor(eventOf('pull_request', payload));
      assert.equal(textBlock(card, (t) => t === 'Merged')?.['color'], 'good');
      assert.deepEqual(topTitles(card), ['Open on GitHub', 'Comment']);
      assert.deepEqual(verbs(card), ['comment']);
    });

    it('a closed, unmerged PR offers Reopen instead of Close', function () {
      const card = cardFor(eventOf('pull_request', exampleOf('pull_request', 'closed').payload));
      assert.ok(textBlock(card, (t) => t === 'Closed'));
      assert.deepEqual(topTitles(card), ['Open on GitHub', 'Comment', 'Reopen']);
    });

    it('a PR converted to draft shows Draft and takes no review', function () {
      const card = cardFor(
        eventOf('pull_request', exampleOf('pull_request', 'converted_to_draft').payload),
      );
      assert.ok(textBlock(card, (t) => t === 'Draft'));
      assert.deepEqual(verbs(card), ['close', 'comment']);
    });
  });

  describe('issues and other families', function () {
    it('an open issue offers Comment and Close, and no review', function () {
      const card = cardFor(eventOf('issues', exampleOf('issues', 'opened').payload));
      assert.deepEqual(topTitles(card), ['Open on GitHub', 'Comment', 'Close']);
    });

    it('a deleted issue offers nothing to write to', function () {
      assert.deepEqual(
        topTitles(cardFor(eventOf('issues', exampleOf('issues', 'deleted').payload))),
        ['Open on GitHub'],
      );
    });

    it('comments, reviews and pushes carry no write actions even when the conversation can act', function () {
      for (const [event, action] of [
        ['issue_comment', 'created'],
        ['pull_request_review', 'submitted'],
        ['push', undefined],
      ] as const) {
        assert.deepEqual(
          topTitles(cardFor(eventOf(event, exampleOf(event, action).payload))),
          ['Open on GitHub'],
          event,
        );
      }
    });

    it('a failing check shows Failure in red', function () {
      const card = cardFor(
        eventOf(
          'check_run',
          exampleOf('check_run', 'completed', (p: Json) => p['check_run'].conclusion === 'failure')
            .payload,
        ),
      );
      assert.equal(textBlock(card, (t) => t === 'Failure')?.['color'], 'attention');
      assert.ok(texts(card).includes('changes'), 'the branch');
    });

    it('a deployment shows its environment and state', function () {
      const card = cardFor(
        eventOf(
          'deployment_status',
          exampleOf(
            'deployment_status',
            'created',
            (p: Json) => p['deployment_status'].state === 'success',
          ).payload,
        ),
      );
      assert.ok(textBlock(card, (t) => t === 'Success'));
      assert.ok(texts(card).includes('production'));
    });

    it('a critical Dependabot alert gets a P0 attention badge, its severity, and no write actions', function () {
      const payload = copyOf('dependabot_alert', 'created');
      payload['alert'].security_advisory.severity = 'critical';
      payload['alert'].security_vulnerability.severity = 'critical';
      const event = eventOf('dependabot_alert', payload);
      const card = cardFor(event, true);
      assert.equal(classify(event).priority, 'P0');
      assert.deepEqual(badgeOf(card), { style: 'attention', text: 'P0', color: 'attention' });
      assert.equal(textBlock(card, (t) => t === 'Severity: Critical')?.['color'], 'attention');
      assert.deepEqual(topTitles(card), ['Open on GitHub']);
      assert.deepEqual(allActions(card).length, 1);
    });

    it('the badge follows the priority: P0 attention, P1 warning, P2 accent, P3 default', function () {
      const event = eventOf('issues', exampleOf('issues', 'opened').payload);
      const expected: Record<Priority, string> = {
        P0: 'attention',
        P1: 'warning',
        P2: 'accent',
        P3: 'default',
      };
      for (const [priority, colour] of Object.entries(expected) as [Priority, string][]) {
        const card = cardFor(event, true, { ...classify(event), priority });
        assert.deepEqual(badgeOf(card), { style: colour, text: priority, color: colour });
      }
    });
  });

  describe('action data', function () {
    it('every Execute action carries verb, repo, number, chainId, nodeId and deliveryId', function () {
      const event = eventOf(
        'pull_request',
        exampleOf('pull_request', 'opened').payload,
        'delivery-abc',
      );
      const card = buildAlertCard({
        event,
        classification: classify(event),
        chain: { chainId: 'chain-xyz', nodeId: 'node-9' },
        canAct: true,
      });
      assert.equal(executes(card).length, 4);
      for (const execute of executes(card)) {
        assert.deepEqual(execute['data'], {
          verb: execute['verb'],
          repo: 'Codertocat/Hello-World',
          number: 2,
          chainId: 'chain-xyz',
          nodeId: 'node-9',
          deliveryId: 'delivery-abc',
        });
      }
    });
  });

  describe('text from GitHub', function () {
    function commentWithBody(body: string): BrokerEvent {
      const payload = copyOf('issue_comment', 'created');
      payload['comment'].body = body;
      return eventOf('issue_comment', payload);
    }

    it('never shows the hidden chain marker, at the end, cut off, or anywhere else', function () {
      const mark = { chainId: 'chain-7f3a', depth: 3, actId: 'act-1' };
      const bodies = [
        withMarker('Thanks, merging now.', mark, MARKER_KEY),
        `${formatMarker(mark, MARKER_KEY)}\nA reply that starts with a quoted marker.`,
        `${'x'.repeat(3_990)} ${formatMarker(mark, MARKER_KEY)}`, // cut by the excerpt's read window
      ];
      for (const body of bodies) {
        const json = JSON.stringify(cardFor(commentWithBody(body)));
        assert.ok(!json.includes('reynolds:') && !json.includes('<!--'), body.slice(0, 40));
      }
      assert.ok(texts(cardFor(commentWithBody(bodies[0]!))).includes('Thanks, merging now.'));
    });

    it('cuts a 1 MB body to the excerpt', function () {
      const event: BrokerEvent = {
        ...eventOf('issues', exampleOf('issues', 'opened').payload),
        body: 'lorem ipsum '.repeat(90_000),
      };
      assert.ok(event.body!.length > 1_000_000);
      const card = cardFor(event);
      const shown = texts(card).find((text) => text.startsWith('lorem ipsum'))!;
      assert.ok(shown.length <= EXCERPT_LIMIT + 1, `${shown.length} characters`);
      assert.ok(shown.endsWith('…'));
      assert.ok(JSON.stringify(card).length < 8_000);
      assert.deepEqual(schemaErrors(card), []);
    });

    it('escapes or strips what card markdown would mis-render, and keeps links safe', function () {
      const payload = copyOf('issues', 'opened');
      payload['issue'].title =
        'Fix *all* [the](https://evil.test) snake_case {{DATE(2024-01-01T00:00:00Z, SHORT)}} ${x}';
      payload['issue'].body =
        '## Steps\n<details><summary>Log</summary>\n\n```sh\necho ${HOME}\n```\n</details>\n\n' +
        '![screenshot](https://x.test/a.png) see [the docs](https://docs.test/a_(b))\n> quoted';
      payload['issue'].html_url = 'javascript:alert(1)';
      const card = cardFor(eventOf('issues', payload));
      const urls = allActions(card)
        .map((a) => a['url'])
        .filter((url) => url !== undefined);
      assert.deepEqual(
        urls,
        ['https://github.com/Codertocat/Hello-World'],
        'a javascript: URL falls back to the repository',
      );
      assert.ok(!JSON.stringify(card).includes('javascript:'));
      const title = textBlock(card, (t) => t.includes('Fix'))!['text'];
      assert.equal(
        title,
        '[Fix \\*all\\* \\[the\\](https://evil.test) snake\\_case {\\{DATE(2024-01-01T00:00:00Z, SHORT)}} $\\{x}](https://github.com/Codertocat/Hello-World)',
      );
      const body = textBlock(card, (t) => t.startsWith('Steps'))!['text'];
      assert.equal(body, 'Steps\nLog\n\necho $\\{HOME}\n\nscreenshot see the docs\nquoted');
    });

    it('shows the enrichment summary and notes, escaped', function () {
      const event = eventOf('issues', exampleOf('issues', 'opened').payload);
      const card = buildAlertCard({
        event,
        classification: classify(event),
        chain: CHAIN,
        canAct: false,
        enrichment: { summary: 'Same as #12, *probably*.', notes: ['Ask @octocat', 'see_also #3'] },
      });
      assert.ok(texts(card).includes('Same as #12, \\*probably\\*.'));
      assert.ok(texts(card).includes('- Ask @octocat\n- see\\_also #3'));
      assert.deepEqual(problemsOf(card, event, false), []);
    });

    it('excerpt, cut and safeUrl', function () {
      assert.equal(excerpt(undefined), undefined);
      assert.equal(excerpt('<!-- only a template comment -->\n\n'), undefined);
      assert.equal(cut('one two three four', 18), 'one two three four');
      assert.equal(cut('one two three four five', 16), 'one two three…', 'at a word boundary');
      assert.equal(cut('a'.repeat(20), 10), `${'a'.repeat(10)}…`);
      assert.equal(
        safeUrl('https://github.com/o/r/pull/1#x(y)'),
        'https://github.com/o/r/pull/1#x%28y%29',
      );
      assert.equal(safeUrl('javascript:alert(1)'), undefined);
      assert.equal(safeUrl('/relative'), undefined);
    });
  });

  describe('chain broken card', function () {
    const chain: ChainSummary = {
      chainId: 'chain-7f3a',
      tenantId: 'tenant-1',
      repo: 'octo/widgets',
      root: 'issue_comment.created on octo/widgets#7 by echo-bot[bot]',
      startedAt: Date.UTC(2030, 0, 1, 9, 0),
      updatedAt: Date.UTC(2030, 0, 1, 9, 4),
      depth: 9,
      nodes: 14,
      score: 0.934,
      verdict: 'break',
      reason: 'ping_pong between reynolds and echo-bot[bot] on #7',
      adminAlerted: false,
    };

    it('says what happened and links to the chain view', function () {
      const card = buildChainBrokenCard({
        chain,
        chainUrl: 'https://reynolds.example/tab/chains/chain-7f3a',
      });
      assert.deepEqual(parserErrors(card), []);
      assert.deepEqual(schemaErrors(card), []);
      assert.ok(!JSON.stringify(card).includes('${'));
      const shown = texts(card).join('\n');
      for (const part of [
        'Loop stopped on octo/widgets',
        '14 events',
        '9 deep',
        'over 4 minutes',
        '0.93',
        'ping\\_pong between reynolds and echo-bot\\[bot\\] on #7',
        '2030-01-01 09:00 UTC',
      ]) {
        assert.ok(shown.includes(part), part);
      }
      assert.deepEqual(card['actions'], [
        {
          type: 'Action.OpenUrl',
          title: 'Open chain view',
          url: 'https://reynolds.example/tab/chains/chain-7f3a',
        },
      ]);
    });

    it('gives a plain-text fallback: nothing escaped as card markdown is', function () {
      const card = buildChainBrokenCard({
        chain: {
          ...chain,
          reason:
            'auto-triage[bot] acts like a bot: posted the same text on octo/widgets#7 3 times in 1 s',
        },
        chainUrl: 'https://reynolds.example/c',
      });
      assert.equal(
        card['fallbackText'],
        'Loop stopped on octo/widgets: auto-triage[bot] acts like a bot: posted the same text on octo/widgets#7 3 times in 1 s',
      );
      assert.equal(
        buildChainBroken({ chain, chainUrl: 'https://reynolds.example/c' }).text,
        'Loop stopped on octo/widgets: ping_pong between reynolds and echo-bot[bot] on #7',
      );
    });

    it('copes with a chain without repository or reason', function () {
      const { repo: _repo, reason: _reason, ...bare } = chain;
      const card = buildChainBrokenCard({
        chain: { ...bare, verdict: 'dampen' },
        chainUrl: 'not a url',
      });
      assert.deepEqual(schemaErrors(card), []);
      assert.ok(!JSON.stringify(card).includes('${'));
      assert.ok(texts(card).some((text) => text.startsWith('Loop dampened on GitHub')));
    });
  });

  describe('the validators themselves', function () {
    const good = (): Json =>
      structuredClone(
        cardFor(eventOf('pull_request', exampleOf('pull_request', 'opened').payload)),
      );

    it('accept a good card', function () {
      assert.deepEqual(parserErrors(good()), []);
      assert.deepEqual(schemaErrors(good()), []);
    });

    it('reject unknown types, missing required properties, bad enums, stray properties and wrong types', function () {
      const cases: Array<[string, (card: Json) => void, boolean]> = [
        ['unknown element', (c) => c['body'].push({ type: 'Bogus' }), true],
        ['unknown action', (c) => c['actions'].push({ type: 'Action.Bogus', title: 'x' }), true],
        ['OpenUrl without url', (c) => delete c['actions'][0].url, true],
        ['Execute without verb', (c) => delete c['actions'][1].card.actions[0].verb, true],
        ['Input.Text without id', (c) => delete c['actions'][3].card.body[0].id, false],
        ['bad colour', (c) => (c['body'][0].columns[0].items[0].color = 'red'), false],
        ['bad container style', (c) => (c['body'][0].columns[0].style = 'danger'), false],
        ['a template key left over', (c) => (c['body'][1].$when = '${true}'), false],
        ['a number where a string belongs', (c) => (c['body'][1].text = 42), false],
        ['no version', (c) => delete c['version'], true],
        ['a fact without value', (c) => delete c['body'][4].facts[0].value, false],
        [
          'six actions',
          (c) =>
            c['actions'].push({ type: 'Action.OpenUrl', title: 'More', url: 'https://x.test' }),
          true,
        ],
      ];
      for (const [name, breakIt, parserSees] of cases) {
        const card = good();
        breakIt(card);
        const schema = schemaErrors(card);
        if (name !== 'six actions')
          assert.notDeepEqual(schema, [], `schema validator misses: ${name}`);
        if (parserSees) assert.notDeepEqual(parserErrors(card), [], `parser misses: ${name}`);
      }
    });
  });
});
