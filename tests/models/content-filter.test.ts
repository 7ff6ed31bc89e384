/**
 * Azure OpenAI's content filter, through the real openai SDK against the loopback stand-in
 * speaking Azure's wire format: a blocked prompt (400 content_filter) or completion (200,
 * finish_reason content_filter) is a permanent ContentFilteredError naming the stage and the
 * categories, never retried nor failed over, never held against the breaker, and counted in
 * reynolds_model_content_filtered_total.
 */
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { ModelMetrics } from '../../src/http/model-metrics.js';
import { ContentFilteredError } from '../../src/models/model-errors.js';
import type { ScheduledModelPool } from '../../src/models/scheduled-model-pool.js';
import { startOpenAIStandin, type OpenAIStandin } from '../support/openai-standin.js';
import { ask, deploymentAt, poolOf } from './pool-helpers.js';

const azure = (url: string, name: string) =>
  deploymentAt(url, name, 'review', {
    provider: 'azure',
    deployment: `${name}-dep`,
    apiVersion: '2024-10-21',
  });

describe('content filter (Azure OpenAI wire format, through the openai SDK)', function () {
  let standin: OpenAIStandin;
  const pools: ScheduledModelPool[] = [];
  const track = (pool: ScheduledModelPool) => (pools.push(pool), pool);

  beforeEach(async () => {
    standin = await startOpenAIStandin();
  });
  afterEach(async () => {
    for (const pool of pools.splice(0)) await pool.close();
    await standin.close();
  });

  it('a blocked prompt is a ContentFilteredError naming the prompt and its categories, sent once: no retry, no failover', async function () {
    standin.script = () => ({
      contentFilter: { stage: 'prompt', categories: ['hate', 'jailbreak'] },
    });
    const filtered: string[] = [];
    const pool = track(
      poolOf(
        [azure(standin.url, 'az-1'), azure(standin.url, 'az-2')],
        { retries: 3 },
        {
          onContentFiltered: (role, d, stage, categories) =>
            filtered.push(`${role}/${d}/${stage}/${categories.join('+')}`),
        },
      ),
    );
    const error = await pool.complete('review', ask('something hateful')).catch((e: unknown) => e);
    assert.ok(
      error instanceof ContentFilteredError,
      `expected ContentFilteredError, got ${String(error)}`,
    );
    assert.equal(error.stage, 'prompt');
    assert.deepEqual(error.categories, ['hate', 'jailbreak']);
    assert.equal(error.status, 400);
    assert.match(error.message, /content filter blocked the prompt \(hate, jailbreak\)/);
    assert.match(error.message, /not retried/);
    assert.equal(
      standin.requests.length,
      1,
      'the same prompt would be filtered again: not retried, not sent to the sibling',
    );
    assert.equal(filtered.length, 1);
    assert.match(filtered[0]!, /^review\/az-[12]\/prompt\/hate\+jailbreak$/);
  });

  it('a blocked completion is a ContentFilteredError naming the completion, even with part of the text kept', async function () {
    standin.script = () => ({
      contentFilter: { stage: 'completion', categories: ['sexual', 'protected_material_text'] },
      text: 'Once upon',
    });
    const pool = track(poolOf([azure(standin.url, 'az')], { retries: 3 }));
    const error = await pool.complete('review', ask()).catch((e: unknown) => e);
    assert.ok(
      error instanceof ContentFilteredError,
      `expected ContentFilteredError, got ${String(error)}`,
    );
    assert.equal(error.stage, 'completion');
    assert.deepEqual(error.categories, ['sexual', 'protected_material_text']);
    assert.match(
      error.message,
      /^az: the content filter blocked the completion \(sexual, protected_material_text\)/,
    );
    assert.equal(standin.requests.length, 1);
  });

  it('finish_reason content_filter without Azure annotations (OpenAI, GitHub Models) is a blocked completion with no category named', async function () {
    standin.script = () => ({ contentFilter: { stage: 'completion', categories: [] } });
    const pool = track(poolOf([deploymentAt(standin.url, 'gh', 'review')]));
    const error = await pool.complete('review', ask()).catch((e: unknown) => e);
    assert.ok(error instanceof ContentFilteredError);
    assert.equal(error.stage, 'completion');
    assert.deepEqual(error.categories, []);
    assert.match(error.message, /no category named/);
  });

  it('annotations that filtered nothing are an ordinary answer', async function () {
    standin.script = () => ({ text: 'fine' });
    const pool = track(poolOf([azure(standin.url, 'az')]));
    const answer = await pool.complete('review', ask());
    assert.equal(answer.text, 'fine');
  });

  it('never opens the breaker: the deployment is healthy, the content was not', async function () {
    standin.script = () => ({ contentFilter: { stage: 'prompt', categories: ['violence'] } });
    const pool = track(
      poolOf([azure(standin.url, 'az')], {
        retries: 0,
        breaker: { failures: 2, halfOpenAfterMs: 60_000 },
      }),
    );
    for (let i = 0; i < 4; i++)
      assert.ok(
        (await pool.complete('review', ask()).catch((e: unknown) => e)) instanceof
          ContentFilteredError,
      );
    assert.equal(
      pool.snapshot().roles.find((r) => r.role === 'review')!.deployments[0]!.breaker,
      'closed',
    );
    assert.equal(standin.requests.length, 4);
  });

  it('counts reynolds_model_content_filtered_total by role, deployment and stage', async function () {
    const registry = new Registry();
    const pool = track(
      poolOf([azure(standin.url, 'az')], { retries: 0 }, new ModelMetrics(registry)),
    );
    standin.script = () => ({ contentFilter: { stage: 'prompt', categories: ['self_harm'] } });
    await pool.complete('review', ask()).catch(() => undefined);
    await pool.complete('review', ask()).catch(() => undefined);
    standin.script = () => ({ contentFilter: { stage: 'completion', categories: ['violence'] } });
    await pool.complete('review', ask()).catch(() => undefined);
    const text = await registry.metrics();
    assert.match(
      text,
      /reynolds_model_content_filtered_total\{role="review",deployment="az",stage="prompt"\} 2/,
    );
    assert.match(
      text,
      /reynolds_model_content_filtered_total\{role="review",deployment="az",stage="completion"\} 1/,
    );
    assert.match(
      text,
      /reynolds_model_calls_total\{role="review",deployment="az",outcome="error"\} 3/,
    );
  });
});
