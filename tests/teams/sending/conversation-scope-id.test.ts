/** conversationScopeId: a channel thread's id names its channel; every other id stays as it is. */
import assert from 'node:assert/strict';
import { conversationScopeId } from '../../../src/teams/sending/conversation-scope-id.js';

describe('conversationScopeId', function () {
  it('drops the thread suffix of a reply in a channel thread', function () {
    assert.equal(
      conversationScopeId('19:general@thread.tacv2;messageid=1712345678901'),
      '19:general@thread.tacv2',
    );
  });

  it('keeps a channel, group chat or personal conversation id as it is', function () {
    for (const id of [
      '19:general@thread.tacv2',
      '19:meeting_abc@thread.v2',
      'a:1xYz-personal',
      'personal-1',
    ]) {
      assert.equal(conversationScopeId(id), id);
    }
  });

  it('cuts at the first suffix only, and leaves a lookalike without the separator alone', function () {
    assert.equal(
      conversationScopeId('19:c@thread.tacv2;messageid=1;messageid=2'),
      '19:c@thread.tacv2',
    );
    assert.equal(
      conversationScopeId('19:c@thread.tacv2;messageId=1'),
      '19:c@thread.tacv2;messageId=1',
      'Bot Framework writes it in lower case',
    );
  });

  it('passes an absent or empty id through, so callers can still refuse it', function () {
    assert.equal(conversationScopeId(undefined), undefined);
    assert.equal(conversationScopeId(''), '');
  });
});
