/**
 * The orchestration chat commands: each parsed, bad input answered with what to fix (never a
 * throw), and answers read from the stored graph, trains and portfolio.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  answerOrchestrationCommand,
  ORCHESTRATION_COMMAND,
  parseOrchestrationCommand,
} from '../../src/orchestration/orchestration-commands.js';
import { OrchestrationStage } from '../../src/orchestration/orchestration-stage.js';
import { contextOf, manualStore, pr, TENANT } from './orchestration-fixtures.js';

describe('orchestration commands', function () {
  it('parses the five commands', function () {
    assert.deepEqual(parseOrchestrationCommand("what's blocking acme/api#12?"), {
      ok: true,
      command: { kind: 'blocking', item: { repo: 'acme/api', number: 12 } },
    });
    assert.deepEqual(parseOrchestrationCommand('Dependencies of Acme/Web#5'), {
      ok: true,
      command: { kind: 'dependencies', item: { repo: 'Acme/Web', number: 5 } },
    });
    assert.deepEqual(parseOrchestrationCommand('train status v2.0'), {
      ok: true,
      command: { kind: 'train_status', train: 'v2.0' },
    });
    assert.deepEqual(parseOrchestrationCommand('portfolio org:acme 30d'), {
      ok: true,
      command: { kind: 'portfolio', scope: 'org:acme', days: 30 },
    });
    assert.deepEqual(parseOrchestrationCommand('portfolio platform'), {
      ok: true,
      command: { kind: 'portfolio', scope: 'platform', days: 7 },
    });
    assert.deepEqual(parseOrchestrationCommand('portfolio define platform acme/api, acme/web'), {
      ok: true,
      command: { kind: 'portfolio_define', name: 'platform', repos: ['acme/api', 'acme/web'] },
    });
    for (const text of [
      "what's blocking x",
      'dependencies of acme/api#1',
      'train status v2',
      'portfolio x',
      'portfolio define a b/c',
    ])
      assert.match(text, ORCHESTRATION_COMMAND);
  });

  it('says what to fix for bad input, and never throws (property)', function () {
    assert.match(
      (parseOrchestrationCommand("what's blocking #12") as { error: string }).error,
      /name the item as owner\/repo#N/,
    );
    assert.match(
      (parseOrchestrationCommand('portfolio org:acme 12d') as { error: string }).error,
      /7d, 30d or 90d, not "12d"/,
    );
    assert.match(
      (parseOrchestrationCommand('portfolio define platform') as { error: string }).error,
      /at least one repository/,
    );
    assert.match(
      (parseOrchestrationCommand('train status') as { error: string }).error,
      /name the train/,
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => void parseOrchestrationCommand(text)),
      { numRuns: 2_000 },
    );
  });

  it('answers from the stored graph, trains and portfolio', async function () {
    const { store, clock } = await manualStore();
    const stage = new OrchestrationStage({ store, clock });
    await stage.run(contextOf(pr('acme/web', 5, 'opened', { body: 'depends on acme/api#12' })));
    await stage.run(
      contextOf(
        pr('acme/api', 12, 'opened', { body: 'depends on acme/web#5', milestone: { title: 'v2' } }),
      ),
    );
    const answer = async (text: string) => {
      const parsed = parseOrchestrationCommand(text);
      assert.ok(parsed.ok);
      return answerOrchestrationCommand(stage, TENANT, parsed.command, clock.now());
    };
    assert.equal(
      await answer("what's blocking acme/web#5"),
      'acme/web#5 waits for 1 open item(s): acme/api#12\ncycle: acme/web#5 → acme/api#12 → acme/web#5',
    );
    assert.equal(
      await answer('dependencies of acme/api#12'),
      'acme/api#12 waits for: acme/web#5 (depends on)\nwaited for by: acme/web#5 (depends on)',
    );
    assert.match(
      await answer('train status v2'),
      /^train v2:\nacme\/api: 1 open PRs, 0 open issues, 1 blocked/,
    );
    assert.match(await answer('train status v9'), /No items on train v9 yet/);
    assert.match(
      await answer('portfolio org:acme'),
      /^org:acme, last 7 days:\nPRs opened 2, merged 0/,
    );
    assert.equal(
      await answer('portfolio define platform acme/api acme/web'),
      'portfolio platform: acme/api, acme/web (counted from now on)',
    );
    await assert.rejects(answer('portfolio define platform nope'), /not owner\/repo: nope/);
    await store.close();
  });
});
