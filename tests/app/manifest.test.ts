/**
 * The Teams app package: the manifest is valid against the official JSON schema of its
 * manifestVersion (the copy @microsoft/app-manifest ships; no network), both as written (with
 * test values for its placeholders) and as `npm run package` zips it; the icons have the sizes and
 * transparency Teams requires; and the ids the manifest promises are the ones the code serves.
 */
import assert from 'node:assert/strict';
import { SEARCH_COMMAND } from '../../src/teams/message-extension/message-extension.js';
import { execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  mkdirSync,
  copyFileSync,
  existsSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { PNG } from 'pngjs';
import { colorIcon, outlineIcon } from '../../scripts/make-icons.js';
import {
  buildAppPackage,
  fillPlaceholders,
  filledManifest,
  PackageError,
  placeholdersIn,
} from '../../scripts/package-app.js';

const require = createRequire(import.meta.url);
// CommonJS packages: their classes are on `.default` (they set module.exports.default too).
const AjvDraft04 = ajvDraft04.default;
const addFormats = ajvFormats.default;
const ROOT = process.cwd();
const RAW = readFileSync(path.join(ROOT, 'appPackage/manifest.json'), 'utf8');

const TEST_VALUES: Record<string, string> = {
  TEAMS_APP_ID: '0d3f6f44-5b1d-4b8e-9f1e-2b7a0c7e5a11',
  BOT_ID: '7b1c4d2e-8f3a-4c5b-9d6e-0a1b2c3d4e5f',
  TAB_DOMAIN: 'reynolds-dev.example.azurecontainerapps.io',
  BOT_DOMAIN: 'reynolds-dev.example.azurecontainerapps.io',
  APP_NAME_SUFFIX: '-dev',
};

/** The schema file of a manifestVersion, resolved inside the installed package. */
function schemaFor(version: string): Record<string, unknown> {
  const packageDir = path.dirname(require.resolve('@microsoft/app-manifest/package.json'));
  const file = path.join(
    packageDir,
    'build/json-schemas/teams',
    `v${version}`,
    'MicrosoftTeams.schema.json',
  );
  assert.ok(
    existsSync(file),
    `@microsoft/app-manifest ships no schema for manifestVersion ${version}`,
  );
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function validate(manifest: Record<string, any>): string[] {
  const ajv = new AjvDraft04({ allErrors: true, strict: false });
  addFormats(ajv);
  const check = ajv.compile(schemaFor(manifest.manifestVersion));
  return check(manifest)
    ? []
    : (check.errors ?? []).map(
        (e: { instancePath: string; message?: string; params: unknown }) =>
          `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
      );
}

/** Reads the zip back with Info-ZIP's unzip (no zip reader is installed in node_modules). */
function readZip(file: string): Map<string, Buffer> {
  const names = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  return new Map(
    names.map((name) => [name, execFileSync('unzip', ['-p', file, name], { maxBuffer: 16 << 20 })]),
  );
}

describe('Teams app package', function () {
  const manifest = JSON.parse(fillPlaceholders(RAW, TEST_VALUES)) as Record<string, any>;

  it('uses a manifestVersion whose official schema is installed, and its own $schema points at it', function () {
    assert.match(manifest.manifestVersion, /^1\.(19|[2-9]\d)$/);
    assert.equal(
      manifest.$schema,
      `https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`,
    );
    schemaFor(manifest.manifestVersion);
  });

  it('is valid against that schema with its placeholders filled', function () {
    assert.deepEqual(validate(manifest), []);
  });

  it('the validation can fail: a broken manifest is reported', function () {
    const broken = structuredClone(manifest);
    broken.bots[0].botId = 'not-a-guid';
    broken.name.short = 'x'.repeat(31);
    const errors = validate(broken);
    assert.ok(
      errors.some((e) => e.startsWith('/bots/0/botId')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.startsWith('/name/short')),
      errors.join('\n'),
    );
  });

  it('names only the placeholders the Toolkit environments provide', function () {
    assert.deepEqual(placeholdersIn(RAW).sort(), [
      'APP_NAME_SUFFIX',
      'BOT_ID',
      'TAB_DOMAIN',
      'TEAMS_APP_ID',
    ]);
  });

  it('declares the bot in every scope with the command list, the search command and link unfurling for GitHub', function () {
    const bot = manifest.bots[0];
    assert.deepEqual([...bot.scopes].sort(), ['groupChat', 'personal', 'team']);
    const titles = bot.commandLists.flatMap((l: any) => l.commands.map((c: any) => c.title));
    assert.deepEqual(titles, [
      'help',
      'status',
      'subscribe',
      'unsubscribe',
      'subscriptions',
      'chains',
      'lookup',
      'summarise',
      'reviewers',
      'digest',
      'pilot',
      'sign in',
    ]);
    const extension = manifest.composeExtensions[0];
    assert.equal(extension.botId, TEST_VALUES.BOT_ID);
    const search = extension.commands.find((c: any) => c.id === SEARCH_COMMAND);
    assert.ok(search, `${SEARCH_COMMAND}, the command the message extension handles, is declared`);
    assert.equal(search.type, 'query');
    assert.equal(search.initialRun, true);
    assert.deepEqual(
      search.parameters.map((p: any) => p.name),
      ['query'],
    );
    assert.deepEqual(extension.messageHandlers[0].value.domains, ['github.com', '*.github.com']);
  });

  it('points the tabs at the routes the tab app serves, on the valid domain, with SSO for the bot app', function () {
    const base = `https://${TEST_VALUES.TAB_DOMAIN}/tab/#`;
    const routes = Object.fromEntries(
      manifest.staticTabs.filter((t: any) => t.contentUrl).map((t: any) => [t.name, t.contentUrl]),
    );
    assert.deepEqual(routes, { 'Event chains': `${base}/chains`, 'Model pool': `${base}/pool` });
    assert.equal(manifest.configurableTabs[0].configurationUrl, `${base}/config`);
    assert.equal(manifest.configurableTabs[0].canUpdateConfiguration, true);
    assert.deepEqual(manifest.validDomains, [TEST_VALUES.TAB_DOMAIN]);
    assert.deepEqual(manifest.webApplicationInfo, {
      id: TEST_VALUES.BOT_ID,
      resource: `api://${TEST_VALUES.TAB_DOMAIN}/${TEST_VALUES.BOT_ID}`,
    });
  });

  it('has a 192x192 colour icon and a 32x32 white-on-transparent outline icon', function () {
    const color = PNG.sync.read(readFileSync(path.join(ROOT, 'appPackage', manifest.icons.color)));
    assert.deepEqual([color.width, color.height], [192, 192]);
    const outline = PNG.sync.read(
      readFileSync(path.join(ROOT, 'appPackage', manifest.icons.outline)),
    );
    assert.deepEqual([outline.width, outline.height], [32, 32]);
    let transparent = 0;
    let opaque = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = [
        outline.data[i]!,
        outline.data[i + 1]!,
        outline.data[i + 2]!,
        outline.data[i + 3]!,
      ];
      if (a === 0) transparent += 1;
      else {
        opaque += 1;
        assert.deepEqual([r, g, b], [255, 255, 255], 'every visible outline pixel is white');
      }
    }
    assert.ok(
      transparent > 32 * 32 * 0.3 && opaque > 32,
      `a transparent background with a shape on it (${transparent} transparent, ${opaque} drawn)`,
    );
  });

  it('has the icons `npm run icons` draws (the committed PNGs are reproducible)', function () {
    for (const [file, drawn] of [
      [manifest.icons.color, colorIcon()],
      [manifest.icons.outline, outlineIcon()],
    ] as const) {
      const committed = PNG.sync.read(readFileSync(path.join(ROOT, 'appPackage', file)));
      assert.ok(
        committed.data.equals(PNG.sync.read(drawn).data),
        `${file} matches the generator's pixels`,
      );
    }
  });

  describe('npm run package', function () {
    let root: string;
    before(function () {
      // A copy of the project's package files, so the test writes nothing into the worktree.
      root = mkdtempSync(path.join(tmpdir(), 'reynolds-package-'));
      mkdirSync(path.join(root, 'appPackage'));
      for (const file of ['manifest.json', 'color.png', 'outline.png'])
        copyFileSync(path.join(ROOT, 'appPackage', file), path.join(root, 'appPackage', file));
      copyFileSync(path.join(ROOT, 'teamsapp.local.yml'), path.join(root, 'teamsapp.local.yml'));
      mkdirSync(path.join(root, 'env/teams'), { recursive: true });
      const envFile = (values: Record<string, string>) =>
        `${Object.entries(values)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n')}\n`;
      writeFileSync(path.join(root, 'env/.env.dev'), envFile(TEST_VALUES));
      writeFileSync(
        path.join(root, 'env/teams/.env.local'),
        envFile({ ...TEST_VALUES, APP_NAME_SUFFIX: '-local' }),
      );
      // What `npm start` reads: the packager must not take the local environment from here.
      writeFileSync(
        path.join(root, 'env/.env.local'),
        envFile({ ...TEST_VALUES, APP_NAME_SUFFIX: '-wrong-file' }),
      );
    });
    after(function () {
      rmSync(root, { recursive: true, force: true });
    });

    it('zips a valid manifest and both icons for the environment', async function () {
      const zip = await buildAppPackage({ envName: 'dev', root, processEnv: {} });
      assert.equal(path.basename(zip), 'appPackage.dev.zip');
      const entries = readZip(zip);
      assert.deepEqual([...entries.keys()].sort(), ['color.png', 'manifest.json', 'outline.png']);
      const zipped = JSON.parse(entries.get('manifest.json')!.toString('utf8'));
      assert.deepEqual(validate(zipped), []);
      assert.equal(zipped.name.short, 'Reynolds-dev');
      assert.deepEqual(
        entries.get('outline.png'),
        readFileSync(path.join(ROOT, 'appPackage/outline.png')),
      );
    });

    it('reads the local environment from the folder teamsapp.local.yml names (not env/.env.local)', async function () {
      const zip = await buildAppPackage({ envName: 'local', root, processEnv: {} });
      const zipped = JSON.parse(readZip(zip).get('manifest.json')!.toString('utf8'));
      assert.equal(zipped.name.short, 'Reynolds-local');
    });

    it('refuses to build with a placeholder that has no value, and names it', async function () {
      writeFileSync(
        path.join(root, 'env/.env.bare'),
        'TEAMS_APP_ID=0d3f6f44-5b1d-4b8e-9f1e-2b7a0c7e5a11\nBOT_ID=\n',
      );
      await assert.rejects(
        buildAppPackage({ envName: 'bare', root, processEnv: {} }),
        (error: Error) => {
          assert.ok(error instanceof PackageError);
          assert.match(
            error.message,
            /no value for TAB_DOMAIN, APP_NAME_SUFFIX, BOT_ID in env\/\.env\.bare/,
          );
          return true;
        },
      );
      await assert.rejects(
        buildAppPackage({ envName: 'nowhere', root, processEnv: {} }),
        /no environment file env\/\.env\.nowhere/,
      );
    });

    it('escapes values so they cannot break the JSON', function () {
      const values = { ...TEST_VALUES, APP_NAME_SUFFIX: ' "quoted"' };
      const filled = filledManifest(ROOT, values);
      assert.equal((filled.name as any).short, 'Reynolds "quoted"');
    });
  });
});
