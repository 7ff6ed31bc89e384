/**
 * The tab in Chromium against a running Reynolds fed with recorded GitHub events: the chains list
 * (live), a chain's picture, the model pool (the real pool against the model stand-in, after real
 * enrichments went through it), and a channel configuration saved from the configuration page that
 * changes where the next alert is posted.
 * Run with `npm run test:browser` (it builds the tab first).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '../../src/core/clock.js';
import { ConversationBook } from '../../src/teams/sending/conversation-book.js';
import { startConnectorStub, type ConnectorStub } from '../support/connector-stub.js';
import {
  BREAKER_FAILURES,
  POOL_REPO,
  startEnrichedPool,
  type EnrichedPool,
} from '../support/enriched-pool.js';
import {
  eventually,
  postDelivery,
  startTestReynolds,
  type TestReynolds,
} from '../support/reynolds.js';
import { exampleOf } from '../support/webhook-examples.js';
import { openBrowser, type Browser } from './browser.js';

const TAB_DIR = path.resolve('dist/tab');
const CHANNEL = '19:browser-builds@thread.tacv2';

describe('tab in Chromium', function () {
  this.timeout(120_000);
  let reynolds: TestReynolds;
  let connector: ConnectorStub;
  let browser: Browser;
  let pool: EnrichedPool;
  const issueSample = exampleOf('issues', 'opened').payload as any;

  function comment(login: string, body: string, number: number) {
    const payload = structuredClone(exampleOf('issue_comment', 'created').payload) as any;
    payload.issue = { ...payload.issue, number, labels: [], pull_request: undefined };
    payload.sender = { ...payload.sender, login, type: login.endsWith('[bot]') ? 'Bot' : 'User' };
    payload.comment = { ...payload.comment, body, user: payload.sender };
    return payload;
  }
  async function deliver(event: string, payload: unknown) {
    const result = await postDelivery(reynolds.url, { event, payload });
    assert.equal(result.status, 202);
    await eventually(
      async () =>
        (await reynolds.store.getDelivery(`hook-1001:${result.deliveryId}`))?.status === 'done',
      `${event} processed`,
    );
  }
  const url = (hash: string) => `${reynolds.url}/tab/${hash}`;

  before(async function () {
    if (!existsSync(path.join(TAB_DIR, 'index.html')))
      throw new Error(
        'dist/tab is not built: run npm run build:tab (npm run test:browser does it first)',
      );
    connector = await startConnectorStub();
    pool = await startEnrichedPool();
    reynolds = await startTestReynolds({ TAB_DIST_DIR: TAB_DIR, ...pool.env });
    await new ConversationBook(reynolds.store, systemClock).remember(
      'local',
      {
        channelId: 'msteams',
        serviceUrl: connector.url,
        conversation: { id: CHANNEL, name: 'builds', conversationType: 'channel', isGroup: true },
        bot: { id: 'bot', name: 'Reynolds' },
      },
      { scope: 'channel', name: 'builds' },
    );
    // Two bots in ping-pong (a loop Reynolds breaks) and a person opening an issue.
    for (let i = 0; i < 5; i += 1)
      await deliver(
        'issue_comment',
        comment(i % 2 === 0 ? 'ping[bot]' : 'pong[bot]', `turn ${i}`, 77),
      );
    await deliver('issues', issueSample);
    browser = await openBrowser();
  });
  after(async function () {
    await browser?.close();
    await reynolds?.dispose();
    await connector?.stop();
    await pool?.stop();
  });
  afterEach(function () {
    assert.deepEqual(browser.problems.splice(0), [], 'the page logged no errors');
  });

  it('lists recent chains in local mode, filters them, and shows new ones without a reload', async function () {
    const { page } = browser;
    await page.goto(url('#/chains'));
    await page.getByTestId('local-mode').waitFor();
    await eventually(
      async () => (await page.getByTestId('chain-row').count()) === 2,
      'two chains listed',
    );
    await browser.shot('chains-light');
    await page.getByTestId('filter-verdict').selectOption('break');
    await eventually(
      async () => (await page.getByTestId('chain-row').count()) === 1,
      'one broken chain',
    );
    assert.match(await page.getByTestId('chain-row').innerText(), /break/);
    await page.getByTestId('filter-verdict').selectOption('');
    await eventually(
      async () => (await page.getByTestId('chain-row').count()) === 2,
      'filter cleared',
    );
    const pr = structuredClone(exampleOf('pull_request', 'opened').payload);
    await deliver('pull_request', pr);
    await eventually(
      async () => (await page.getByTestId('chain-row').count()) === 3,
      'the new chain appears without a reload',
      15_000,
    );
  });

  it('opens a chain to its picture, signals and audit trail', async function () {
    const { page } = browser;
    await page.goto(url('#/chains'));
    await page.getByTestId('filter-verdict').selectOption('break');
    await eventually(
      async () => (await page.getByTestId('chain-row').count()) === 1,
      'the broken chain',
    );
    await page.getByTestId('chain-row').getByRole('link').click();
    await page.getByTestId('chain-picture').waitFor();
    assert.equal(await page.getByTestId('chain-node').count(), 5);
    assert.equal(
      (await page.locator('[data-testid=chain-node][data-verdict=break]').count()) >= 1,
      true,
    );
    assert.equal(await page.locator('[data-testid=chain-picture] line').count(), 4);
    assert.match(await page.getByTestId('signals').innerText(), /ping_pong/);
    assert.match(await page.getByTestId('audit').innerText(), /admin_alert/);
    assert.equal(await page.getByTestId('chain-verdict').innerText(), 'break');
    await browser.shot('chain-detail-light');
    await page.goto(`${page.url().replace('#/chains/', '#/chains/').split('?')[0]}?theme=dark`);
    await page.getByTestId('chain-picture').waitFor();
    assert.equal(await page.locator('[data-theme=dark]').count(), 1);
    await browser.shot('chain-detail-dark');
  });

  it('shows the real model pool per role and deployment after real enrichments, and a clear state with no models', async function () {
    // Here rather than in before(): the PRs it delivers would be chains in the chains tests' counts.
    await pool.enrich(reynolds, 4);
    const { page } = browser;
    await page.goto(url('#/pool'));
    await page.getByTestId('pool-role').first().waitFor();
    const served = page.locator('[data-testid=pool-role]:has([data-testid=deployment])');
    assert.deepEqual(
      await served.evaluateAll((els) => els.map((e) => e.getAttribute('data-role'))),
      ['review', 'security'],
    );
    assert.equal(
      await page.getByTestId('pool-role').count(),
      5,
      'every role is shown, served or not',
    );
    assert.match(
      await page.locator('[data-role=codegen]').innerText(),
      /No deployment serves this role/,
    );
    assert.deepEqual(await page.getByTestId('breaker').allInnerTexts(), ['closed', 'open']);
    assert.equal(
      await page.locator('[data-role=review] [data-testid=latency-chart] polyline').count(),
      2,
      'p50 and p95 lines',
    );
    assert.match(await page.locator('[data-role=security]').innerText(), /No answers yet/);
    assert.match(
      await page.getByTestId('pilot').innerText(),
      new RegExp(`15%[\\s\\S]*${POOL_REPO.toLowerCase()}[\\s\\S]*contoso/secret`),
    );
    // Deployment, model, in flight, p50, p95, requests, errors, breaker, tokens, cost: as the pool measured them.
    assert.match(
      await page.locator('[data-role=review] [data-testid=deployment]').innerText(),
      /review-east[\s\S]*openai[\s\S]*gpt-4o\s+0\s+\d+ ms\s+\d+ ms\s+4\s+0\s+closed\s+480 \/ 160\s+\$0\.0028/,
    );
    assert.match(
      await page.locator('[data-role=security] [data-testid=deployment]').innerText(),
      new RegExp(
        `security-west[\\s\\S]*azure[\\s\\S]*gpt-4o-mini\\s+0\\s+-\\s+-\\s+${BREAKER_FAILURES}\\s+${BREAKER_FAILURES}\\s+open`,
      ),
    );
    await page.screenshot({ path: path.resolve('.artifacts/pool-page.png'), fullPage: true });
    await page.goto(url('#/pool?theme=contrast'));
    await page.getByTestId('pool-role').first().waitFor();
    await browser.shot('pool-contrast');

    // No MODEL_DEPLOYMENTS: a Reynolds of its own, as an operator would run it without models.
    const bare = await startTestReynolds({ TAB_DIST_DIR: TAB_DIR });
    try {
      await page.goto(`${bare.url}/tab/#/pool`);
      await page.getByTestId('empty').waitFor();
      assert.match(await page.getByTestId('empty').innerText(), /No models configured/);
      await browser.shot('pool-empty');
    } finally {
      await bare.dispose();
    }
  });

  it('saves a channel configuration that routes the next matching event to that channel', async function () {
    const { page } = browser;
    await page.goto(url('#/config?theme=default'));
    await page.getByTestId('conversation-picker').selectOption(CHANNEL);
    await page.getByTestId('no-subscriptions').waitFor();
    assert.equal(await page.getByTestId('save').isDisabled(), true, 'nothing to save yet');
    // A server-side refusal is shown as the server words it.
    await page.getByTestId('repos').fill(issueSample.repository.full_name);
    await page.getByTestId('branches').fill('a..b');
    await page.getByTestId('save').click();
    assert.match(await page.getByTestId('save-error').innerText(), /is not a branch name/);
    const refused = browser.problems.splice(0);
    assert.ok(
      refused.length > 0 && refused.every((p) => /400/.test(p)),
      `only the expected 400: ${refused.join('; ')}`,
    );
    await page.getByTestId('branches').fill('');
    await page.getByTestId('feature-pulls').uncheck();
    await page.getByTestId('min-priority').selectOption('P3');
    await page.getByTestId('save').click();
    assert.match(
      await page.getByTestId('saved').innerText(),
      /created: subscribe .* issues reviews releases deployments workflows security priority:P3/,
    );
    await page.getByTestId('subscription-row').waitFor();
    await browser.shot('config-saved');

    const payload = structuredClone(issueSample);
    payload.issue = { ...payload.issue, number: 9090, title: 'Routed by the tab', labels: [] };
    await deliver('issues', payload);
    await eventually(
      () =>
        connector.posts.some(
          (p) => p.conversationId === CHANNEL && /#9090/.test(String(p.activity.summary)),
        ),
      'the alert is posted to the configured channel',
      15_000,
    );

    await page.goto(url(`#/channel?conversationId=${encodeURIComponent(CHANNEL)}`));
    await page.getByTestId('alert-threads').waitFor({ timeout: 15_000 });
    assert.match(await page.getByTestId('alert-threads').innerText(), /9090/);
    assert.match(await page.getByTestId('subscriptions').innerText(), /priority:P3/);
    await browser.shot('channel-content');
  });
});
