/**
 * Regressions found by the fuzz suite on POST /api/messages: bodies the adapter cannot take
 * (no `type`, fields of the wrong type) used to throw inside botbuilder and answer 500; they are
 * 400s in the house format now. An invoke nobody handles keeps the protocol's 501, as JSON.
 */
import assert from 'node:assert/strict';
import { startTestReynolds, type TestReynolds } from '../support/reynolds.js';

describe('POST /api/messages: malformed activities', () => {
  let reynolds: TestReynolds;
  before(async () => {
    reynolds = await startTestReynolds();
  });
  after(async () => reynolds?.dispose());

  const post = async (body: unknown) => {
    const response = await fetch(`${reynolds.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      json: (await response.json()) as { error?: { code: string; message: string } },
    };
  };

  it('answers 400 naming the field for an activity without a type (was 500)', async () => {
    const { status, json } = await post({});
    assert.equal(status, 400);
    assert.equal(json.error?.code, 'malformed_activity');
    assert.match(json.error!.message, /type/);
  });

  it('answers 400 for fields of the wrong type', async () => {
    for (const body of [
      { type: 'message', conversation: 'not-an-object' },
      { type: 'message', text: 42 },
      { type: 7 },
      { type: 'conversationUpdate', membersAdded: 'x' },
    ]) {
      const { status, json } = await post(body);
      assert.equal(status, 400, JSON.stringify(body));
      assert.equal(json.error?.code, 'malformed_activity');
    }
  });

  it('answers an unhandled invoke with the protocol 501 as a JSON error', async () => {
    const { status, json } = await post({
      type: 'invoke',
      name: 'nobody/handles-this',
      conversation: { id: 'a:1' },
      from: { id: 'u' },
      recipient: { id: 'b' },
      serviceUrl: 'http://127.0.0.1:9',
    });
    assert.equal(status, 501);
    assert.equal(json.error?.code, 'not_implemented');
  });
});
