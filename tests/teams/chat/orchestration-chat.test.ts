/** The chat side of orchestration: answers, and bad input answered with what to fix in Reynolds's words. */
import assert from 'node:assert/strict';
import { OrchestrationStage } from '../../../src/orchestration/orchestration-stage.js';
import { OrchestrationChat } from '../../../src/teams/chat/orchestration-chat.js';
import { manualStore, TENANT } from '../../orchestration/orchestration-fixtures.js';

describe('orchestration chat', function () {
  it('answers a command, and says what to fix for a bad one or a bad scope', async function () {
    const { store, clock } = await manualStore();
    const chat = new OrchestrationChat(new OrchestrationStage({ store, clock }), clock);
    assert.ok(chat.pattern.test('portfolio define x a/b'));
    assert.equal(
      await chat.answer(TENANT, 'portfolio define platform acme/api'),
      'portfolio platform: acme/api (counted from now on)',
    );
    assert.equal(
      await chat.answer(TENANT, 'dependencies of acme/api#1'),
      'acme/api#1 waits for: nothing\nwaited for by: nothing',
    );
    assert.match(
      await chat.answer(TENANT, 'dependencies of #1'),
      /^I could not read that\. dependencies of owner\/repo#N: name the item as owner\/repo#N/,
    );
    assert.match(
      await chat.answer(TENANT, 'portfolio define bad! acme/api'),
      /^I could not read that\. a scope name is letters/,
    );
    await store.close();
  });
});
