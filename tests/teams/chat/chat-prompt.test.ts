/**
 * The model-backed planner's prompt folder and settings: actions.json describes exactly the chat
 * actions (names, and parameters the actions read), teams-ai's PromptManager loads the folder with
 * the tools augmentation, and the chat model comes from the right variables.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PromptManager } from '@microsoft/teams-ai';
import { parseConfig } from '../../../src/config.js';
import { CHAT_ACTIONS } from '../../../src/teams/actions/index.js';
import {
  GITHUB_MODELS_ENDPOINT,
  chatModelSettings,
} from '../../../src/composition/chat-model-config.js';
import { CHAT_PROMPT, promptsFolder } from '../../../src/teams/chat/model-planner.js';

type ActionSchema = {
  name: string;
  description: string;
  parameters: { type: 'object'; properties: Record<string, unknown>; required: string[] };
};

const BASE = { GITHUB_WEBHOOK_SECRET: 'test-webhook-secret-0123456789', LOG_LEVEL: 'silent' };

describe('the chat prompt', function () {
  const folder = promptsFolder();
  const actions = JSON.parse(
    readFileSync(path.join(folder, CHAT_PROMPT, 'actions.json'), 'utf8'),
  ) as ActionSchema[];

  it('is found in src/prompts when running from source', function () {
    assert.equal(folder, path.resolve('src/prompts'));
  });

  it('describes every chat action and nothing else, each with a description and an object schema', function () {
    assert.deepEqual(actions.map((a) => a.name).sort(), CHAT_ACTIONS.map((a) => a.name).sort());
    for (const action of actions) {
      assert.ok(action.description.length > 20, `${action.name} has a description`);
      assert.equal(action.parameters.type, 'object');
      for (const required of action.parameters.required)
        assert.ok(
          required in action.parameters.properties,
          `${action.name}.${required} is a property`,
        );
    }
  });

  it('offers the parameter names the actions read', function () {
    const props = (name: string) =>
      Object.keys(actions.find((a) => a.name === name)!.parameters.properties).sort();
    assert.deepEqual(props('lookup'), ['reference']);
    assert.deepEqual(props('why_stopped'), ['chainId']);
    assert.deepEqual(props('recent_chains'), ['limit', 'repo', 'verdict']);
    assert.deepEqual(props('subscribe'), ['features', 'filters', 'repo']);
  });

  it('loads in teams-ai with the tools augmentation, history on, and no model pinned', async function () {
    const template = await new PromptManager({ promptsFolder: folder }).getPrompt(CHAT_PROMPT);
    assert.equal(template.config.augmentation?.augmentation_type, 'tools');
    assert.equal(template.config.completion.include_history, true);
    assert.equal(
      template.config.completion.model,
      undefined,
      'the configured model or deployment is used',
    );
    assert.equal(template.actions?.length, CHAT_ACTIONS.length);
    assert.match(
      readFileSync(path.join(folder, CHAT_PROMPT, 'skprompt.txt'), 'utf8'),
      /Maximum Effort/,
    );
  });
});

describe('chat model settings', function () {
  it('none configured: the offline planner', function () {
    assert.equal(chatModelSettings(parseConfig(BASE)), undefined);
  });

  it('CHAT_MODEL_* first, provider guessed from the host', function () {
    const openai = chatModelSettings(
      parseConfig({
        ...BASE,
        CHAT_MODEL_ENDPOINT: 'http://127.0.0.1:9/v1',
        CHAT_MODEL: 'm',
        AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com',
        AZURE_OPENAI_API_KEY: 'k',
        AZURE_OPENAI_CHAT_DEPLOYMENT: 'd',
      }),
    );
    assert.deepEqual(
      [openai?.provider, openai?.endpoint, openai?.model, openai?.source],
      ['openai', 'http://127.0.0.1:9/v1', 'm', 'CHAT_MODEL'],
    );
    const azure = chatModelSettings(
      parseConfig({
        ...BASE,
        CHAT_MODEL_ENDPOINT: 'https://r.openai.azure.com',
        CHAT_MODEL: 'gpt-4o',
        CHAT_MODEL_API_KEY: 'k',
      }),
    );
    assert.equal(azure?.provider, 'azure');
    assert.equal(azure?.apiVersion, '2024-10-21');
  });

  it('then Azure OpenAI, then GitHub Models', function () {
    const azure = chatModelSettings(
      parseConfig({
        ...BASE,
        AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com',
        AZURE_OPENAI_API_KEY: 'k',
        AZURE_OPENAI_CHAT_DEPLOYMENT: 'chat',
      }),
    );
    assert.deepEqual(
      [azure?.provider, azure?.model, azure?.source],
      ['azure', 'chat', 'AZURE_OPENAI'],
    );
    const github = chatModelSettings(parseConfig({ ...BASE, GITHUB_MODELS_TOKEN: 'ghp_x' }));
    assert.deepEqual(
      [github?.provider, github?.endpoint, github?.model],
      ['openai', GITHUB_MODELS_ENDPOINT, 'openai/gpt-4o-mini'],
    );
  });

  it('refuses half a configuration with a line naming the variable, and keeps keys secret', function () {
    assert.throws(
      () => parseConfig({ ...BASE, CHAT_MODEL_ENDPOINT: 'http://127.0.0.1:9/v1' }),
      /CHAT_MODEL: required when CHAT_MODEL_ENDPOINT is set/,
    );
    assert.throws(
      () =>
        parseConfig({
          ...BASE,
          CHAT_MODEL_PROVIDER: 'azure',
          CHAT_MODEL_ENDPOINT: 'http://x',
          CHAT_MODEL: 'm',
        }),
      /CHAT_MODEL_ENDPOINT: Azure OpenAI endpoints must be https/,
    );
    assert.throws(
      () => parseConfig({ ...BASE, CHAT_MODEL_API_VERSION: 'latest' }),
      /CHAT_MODEL_API_VERSION: expected an API version/,
    );
    const config = parseConfig({
      ...BASE,
      CHAT_MODEL_API_KEY: 'sekrit-chat',
      GITHUB_MODELS_TOKEN: 'sekrit-gh',
      AZURE_OPENAI_API_KEY: 'sekrit-az',
    });
    for (const secret of ['sekrit-chat', 'sekrit-gh', 'sekrit-az'])
      assert.ok(config.secretValues.includes(secret));
  });
});
