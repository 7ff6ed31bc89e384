/**
 * Every environment variable Reynolds reads, validated in one place.
 *
 * A bad or missing value stops start-up with one line that names the variable and says what is
 * expected (ConfigError). Values come from the process environment first, then from
 * `env/.env.<REYNOLDS_ENV>.user` (secrets, git-ignored) and `env/.env.<REYNOLDS_ENV>` (committed,
 * no secrets); REYNOLDS_ENV defaults to `local`, which is what makes `npm start` work on a fresh
 * clone with no set-up. Teams Toolkit writes the same files, so both tools agree.
 */
import { createHmac, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { MODEL_ROLES } from './core/model-roles.js';
import { parsePilotList } from './models/pilot.js';
import { deriveLocalKey, parseEncryptionKey } from './identity/encryption-key.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) =>
  z.coerce
    .number({ message: 'expected a whole number' })
    .int({ message: 'expected a whole number' })
    .min(min, { message: `expected a whole number >= ${min}` })
    .max(max, { message: `expected a whole number <= ${max}` });

const url = z.string().url({ message: 'expected an absolute URL such as https://host:port' });

/** Empty strings in env files mean "not set". */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const modelDeployment = z.object(
  {
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected a name of letters, digits, ".", "_" or "-"'),
    role: z.enum(MODEL_ROLES, { message: `expected one of ${MODEL_ROLES.join(', ')}` }),
    provider: z.enum(['azure', 'github', 'openai'], {
      message: 'expected azure, github or openai',
    }),
    /** GitHub Models defaults to https://models.github.ai/inference. */
    endpoint: url.optional(),
    model: z.string().min(1, 'expected the model name'),
    /** Azure deployment name; defaults to model. */
    deployment: z.string().min(1).optional(),
    apiVersion: z.string().min(1).optional(),
    weight: z
      .number({ message: 'expected a number > 0' })
      .positive({ message: 'expected a number > 0' })
      .default(1),
    promptPricePer1k: z
      .number({ message: 'expected US dollars per 1000 tokens (>= 0)' })
      .min(0)
      .default(0),
    completionPricePer1k: z
      .number({ message: 'expected US dollars per 1000 tokens (>= 0)' })
      .min(0)
      .default(0),
  },
  {
    message:
      'expected an object such as {"name":"review-1","role":"review","provider":"azure",...}',
  },
);

/**
 * A variable holding a JSON array of named entries (MODEL_DEPLOYMENTS, MCP_SERVERS): parsed, each
 * entry checked against its schema, names unique; errors name the entry's index and field.
 * `check` adds what one schema cannot say about an entry.
 */
function jsonArrayOf<T extends { name: string }>(
  entry: z.ZodType<T, z.ZodTypeDef, unknown>,
  what: { expected: string; duplicate: string },
  check?: (
    entry: T,
    index: number,
    issue: (path: (string | number)[], message: string) => void,
  ) => void,
) {
  return z.string().transform((text, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      issue([], what.expected);
      return z.NEVER;
    }
    const parsed = z.array(entry, { message: what.expected }).safeParse(json);
    if (!parsed.success) {
      for (const problem of parsed.error.issues) issue(problem.path, problem.message);
      return z.NEVER;
    }
    const seen = new Set<string>();
    parsed.data.forEach((item, index) => {
      if (seen.has(item.name)) issue([index, 'name'], `${what.duplicate} "${item.name}"`);
      seen.add(item.name);
      check?.(item, index, issue);
    });
    return parsed.data;
  });
}

/** MODEL_DEPLOYMENTS: a JSON array of deployments. */
const modelDeployments = jsonArrayOf(
  modelDeployment,
  {
    expected: 'expected a JSON array of deployments (see docs/model-pool.md)',
    duplicate: 'duplicate deployment name',
  },
  (entry, index, issue) => {
    if (entry.endpoint === undefined && entry.provider !== 'github')
      issue([index, 'endpoint'], `required for provider ${entry.provider}`);
  },
);

const repoList = z.string().transform((text, ctx) => {
  try {
    return parsePilotList(text);
  } catch (error) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `expected comma-separated owner or owner/repo: ${(error as Error).message}`,
    });
    return z.NEVER;
  }
});
// --- MCP (W2 4/7): Reynolds as an MCP server (/mcp) and the chat's MCP servers (docs/mcp.md).
const mcpServerEntry = z
  .object(
    {
      name: z
        .string()
        .regex(
          /^[a-z0-9][a-z0-9-]{0,23}$/,
          'expected a short lower-case name (letters, digits, dashes): people write `use <name>.<tool>`',
        ),
      url: url.refine(
        (u) => /^https?:\/\//.test(u),
        "expected an http(s) URL of the server's Streamable HTTP endpoint",
      ),
      headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/), z.string().max(8192)).default({}),
      /** Sent as Authorization: Bearer <token>. */
      token: z.string().min(1).optional(),
      /** Only these tools are offered; absent: all the server lists. */
      tools: z.array(z.string().min(1).max(128)).optional(),
    },
    {
      message:
        'expected an object such as {"name":"docs","url":"https://host/mcp","token":"...","tools":["search"]}',
    },
  )
  .strict();

/** MCP_SERVERS: a JSON array of MCP servers for the chat. */
const mcpServers = jsonArrayOf(mcpServerEntry, {
  expected: 'expected a JSON array of MCP servers (see docs/mcp.md)',
  duplicate: 'duplicate MCP server name',
});
// --- end MCP

/** A PEM private key that node:crypto can load; the value is returned with real newlines. */
function privateKeyPem() {
  return z
    .string()
    .transform((v) => v.replaceAll('\\n', '\n').trim())
    .refine(
      (pem) => {
        try {
          createPrivateKey(pem);
          return true;
        } catch {
          return false;
        }
      },
      {
        message:
          'expected the GitHub App private key in PEM (-----BEGIN RSA PRIVATE KEY----- ...), with real or \\n-escaped newlines; it does not parse',
      },
    );
}
/** What an Application Insights connection string looks like (at least its key); src/telemetry.ts checks it too. */
export const APPINSIGHTS_CONNECTION_STRING = /(^|;)\s*InstrumentationKey=[0-9a-fA-F-]{36}\s*(;|$)/;

const schema = z.object({
  REYNOLDS_ENV: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'expected a lower-case name such as local or dev')
    .default('local'),
  PORT: int(0, 65535).default(3978),
  /** Defaults to loopback in local mode (no BOT_ID) and to all interfaces otherwise. */
  HOST: optional(z.string().min(1)),
  /** How people reach Reynolds (for links in cards); defaults to the address it listens on. */
  PUBLIC_BASE_URL: optional(url),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  BOT_ID: optional(z.string().uuid({ message: 'expected the bot app registration id (a GUID)' })),
  BOT_PASSWORD: optional(z.string().min(1)),
  BOT_TENANT_ID: optional(z.string().min(1)),
  BOT_TYPE: z
    .enum(['SingleTenant', 'UserAssignedMSI'], {
      message:
        'expected SingleTenant or UserAssignedMSI (Azure no longer creates MultiTenant bots)',
    })
    .default('SingleTenant'),

  GITHUB_WEBHOOK_SECRET: optional(z.string().min(8, { message: 'expected at least 8 characters' })),
  /** GitHub caps a delivery at 25 MB; larger bodies get 413. */
  WEBHOOK_MAX_BODY_BYTES: int(1024, 100 * 1024 * 1024).default(25 * 1024 * 1024),

  STORE: z.enum(['sqlite', 'cosmos']).default('sqlite'),
  DATA_DIR: z.string().min(1).default('./.data'),
  /** `normal` survives a process crash (kill -9); `full` also survives power loss, at a cost per write. */
  SQLITE_SYNCHRONOUS: z.enum(['normal', 'full']).default('normal'),
  COSMOS_ENDPOINT: optional(url),
  COSMOS_KEY: optional(z.string().min(1)),
  COSMOS_DATABASE: z.string().min(1).default('reynolds'),
  /** Only for local Cosmos-compatible servers with self-signed certificates. */
  COSMOS_ALLOW_INSECURE_TLS: bool.default('false'),

  DELIVERY_TTL_SECONDS: int(60, 90 * 24 * 3600).default(7 * 24 * 3600),

  /** Who Reynolds is on GitHub: `<slug>[bot]` is its login; the app id marks acts done for users. */
  GITHUB_APP_SLUG: optional(
    z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]{0,38}$/,
        'expected a GitHub App slug such as reynolds-coordinator',
      ),
  ),
  GITHUB_APP_ID: optional(int(1, Number.MAX_SAFE_INTEGER)),
  /** Key of the HMAC in chain markers; defaults to one derived from GITHUB_WEBHOOK_SECRET. */
  LOOP_MARKER_SECRET: optional(z.string().min(16, { message: 'expected at least 16 characters' })),
  LOOP_TTL_SECONDS: int(60, 30 * 24 * 3600).default(24 * 3600),
  LOOP_DAMPEN_SCORE: z.coerce
    .number({ message: 'expected a number between 0 and 1' })
    .min(0)
    .max(1)
    .default(0.5),
  LOOP_BREAK_SCORE: z.coerce
    .number({ message: 'expected a number between 0 and 1' })
    .min(0)
    .max(1)
    .default(0.9),
  LOOP_REPLY_WINDOW_SECONDS: int(1, 3600).default(120),
  LOOP_PINGPONG_GAP_SECONDS: int(1, 3600).default(60),
  LOOP_WORKING_SET_MAX: int(100, 10_000_000).default(50_000),
  ECHO_TTL_SECONDS: int(10, 3600).default(300),
  AUDIT_TTL_DAYS: int(1, 365).default(30),

  INBOX_CONCURRENCY: int(1, 256).default(8),
  INBOX_BATCH_SIZE: int(1, 1000).default(64),
  INBOX_MAX_ATTEMPTS: int(1, 100).default(5),
  INBOX_RETRY_BASE_MS: int(1, 3_600_000).default(1000),
  INBOX_LEASE_MS: int(1000, 3_600_000).default(60_000),
  INBOX_POLL_MS: int(5, 60_000).default(250),
  SHUTDOWN_GRACE_MS: int(0, 600_000).default(10_000),

  /** Write buttons on alert cards: `on` (the default) shows them when GitHub credentials exist; `off` never. */
  CARD_ACTIONS: z.enum(['on', 'off'], { message: 'expected on or off' }).default('on'),
  /** Tenant-wide admins (comma-separated Entra object ids): may write everywhere and manage allow-lists. */
  ADMIN_AAD_IDS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== ''),
    )
    .pipe(
      z.array(z.string().uuid({ message: 'expected comma-separated Entra object ids (GUIDs)' })),
    ),
  /** Where the tab API fetches the keys that sign Teams SSO tokens (tests point it at loopback). */
  TAB_SSO_JWKS_URL: url.default('https://login.microsoftonline.com/common/discovery/v2.0/keys'),
  /** Accepted `aud` values of tab SSO tokens, comma-separated; default BOT_ID and api://<PUBLIC_BASE_URL host>/<BOT_ID>. */
  TAB_SSO_AUDIENCE: optional(
    z
      .string()
      .regex(
        /^[^,\s]+(,[^,\s]+)*$/,
        'expected audiences separated by commas, e.g. api://host/<BOT_ID>,<BOT_ID>',
      ),
  ),
  /** The built tab (vite output) served under /tab/. */
  TAB_DIST_DIR: z.string().min(1).default('./dist/tab'),
  /** The model pool (docs/model-pool.md): none configured means no enrichment and the offline planner. */
  MODEL_DEPLOYMENTS: z.preprocess(
    (v) => (v === '' || v === undefined ? '[]' : v),
    modelDeployments,
  ),
  AZURE_OPENAI_API_KEY: optional(z.string().min(1)),
  AZURE_OPENAI_API_VERSION: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'expected an api-version such as 2024-10-21')
    .default('2024-10-21'),
  GITHUB_MODELS_TOKEN: optional(z.string().min(1)),
  OPENAI_API_KEY: optional(z.string().min(1)),
  MODEL_POOL_CONCURRENCY: int(1, 1000).default(10),
  MODEL_TIMEOUT_MS: int(100, 600_000).default(30_000),
  MODEL_RETRIES: int(0, 10).default(3),
  MODEL_BREAKER_FAILURES: int(1, 1000).default(5),
  MODEL_BREAKER_COOLDOWN_MS: int(100, 3_600_000).default(30_000),
  ENRICH_DEADLINE_MS: int(100, 600_000).default(20_000),
  PILOT_STAGE: z
    .enum(['0', '5', '15', '50', '100'], {
      message: 'expected 0, 5, 15, 50 or 100 (percent of repos)',
    })
    .default('100')
    .transform((v) => Number(v) as 0 | 5 | 15 | 50 | 100),
  PILOT_ALLOW: repoList.default(''),
  PILOT_DENY: repoList.default(''),
  /** GitHub reads and writes (message extension, link unfurling, chat, card actions): a token, or the App's key below. */
  GITHUB_TOKEN: optional(z.string().min(1)),
  /** The App's private key (PEM); `\n`-escaped one-line values from Key Vault or env files work too. */
  GITHUB_APP_PRIVATE_KEY: optional(privateKeyPem()),
  /** One fixed installation; without it, the installation is looked up per repository. */
  GITHUB_APP_INSTALLATION_ID: optional(int(1, Number.MAX_SAFE_INTEGER)),
  /** REST API root: https://api.github.com, or a GitHub Enterprise Server's https://host/api/v3. */
  GITHUB_API_URL: url.default('https://api.github.com'),
  /** How long GitHub reads are reused (a search followed by a select, a pasted link twice). */
  GITHUB_CACHE_TTL_SECONDS: int(0, 3600).default(45),
  /** Chat's model-backed planner (docs/chat.md); unset: the offline planner answers. */
  CHAT_MODEL_PROVIDER: optional(
    z.enum(['azure', 'openai'], {
      message: 'expected azure or openai (any OpenAI-compatible endpoint)',
    }),
  ),
  CHAT_MODEL_ENDPOINT: optional(url),
  CHAT_MODEL_API_KEY: optional(z.string().min(1)),
  /** Model name, or the deployment name on Azure. */
  CHAT_MODEL: optional(z.string().min(1)),
  CHAT_MODEL_API_VERSION: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(?:-preview)?$/, 'expected an API version such as 2024-10-21')
    .default('2024-10-21'),
  CHAT_MODEL_TIMEOUT_MS: int(1000, 600_000).default(30_000),
  /** Reused when CHAT_MODEL_* is not set: the Azure OpenAI resource, or GitHub Models. */
  AZURE_OPENAI_ENDPOINT: optional(url),
  AZURE_OPENAI_CHAT_DEPLOYMENT: optional(z.string().min(1)),
  GITHUB_MODELS_CHAT_MODEL: z.string().min(1).default('openai/gpt-4o-mini'),
  /** Sovereign clouds and tests only: where the Bot Framework's OpenID metadata (signing keys) lives. */
  BOT_OPENID_METADATA_URL: optional(url),
  /** Sovereign clouds and tests only: the issuer of Bot Framework channel tokens. */
  BOT_TOKEN_ISSUER: optional(z.string().min(1)),
  /** Missed-delivery recovery (GitHub App mode): how often, how far back, how many per run. */
  RECOVERY_INTERVAL_MINUTES: int(1, 24 * 60).default(15),
  RECOVERY_LOOKBACK_HOURS: int(1, 72).default(6),
  RECOVERY_MAX_PER_RUN: int(1, 1000).default(50),
  /** OpenTelemetry to Application Insights when set (src/telemetry.ts). */
  APPLICATIONINSIGHTS_CONNECTION_STRING: optional(
    z
      .string()
      .regex(
        APPINSIGHTS_CONNECTION_STRING,
        'expected an Application Insights connection string (InstrumentationKey=<guid>;IngestionEndpoint=...)',
      ),
  ),
  // --- Verified GitHub sign-in (docs/admin-sign-in.md) ---
  /** The GitHub App's or OAuth App's client id (device flow enabled); unset: `sign in` is not offered. */
  GITHUB_OAUTH_CLIENT_ID: optional(
    z
      .string()
      .regex(
        /^[A-Za-z0-9._-]{8,64}$/,
        'expected the client id of a GitHub App (Iv1.… / Iv23…) or OAuth App (Ov23…)',
      ),
  ),
  /** Refreshes expiring GitHub App user tokens and revokes tokens at sign-out. */
  GITHUB_OAUTH_CLIENT_SECRET: optional(
    z
      .string()
      .min(20, { message: 'expected the client secret GitHub generated (40 characters or more)' }),
  ),
  /** Where /login/device/code and /login/oauth/access_token live: https://github.com, or a GHES https://host. */
  GITHUB_WEB_URL: url.default('https://github.com'),
  /** Seals people's GitHub tokens at rest (AES-256-GCM): 32 bytes as base64 or hex. */
  TOKEN_ENCRYPTION_KEY: optional(
    z.string().refine(
      (v) => {
        try {
          parseEncryptionKey(v);
          return true;
        } catch {
          return false;
        }
      },
      {
        message:
          'expected 32 random bytes as 44 base64 characters or 64 hex digits (make one with: openssl rand -base64 32)',
      },
    ),
  ),
  // --- end of verified GitHub sign-in ---
  /** Noise control (docs/noise-control.md). 0 turns burst collapse off. */
  BURST_WINDOW_SECONDS: int(0, 3600).default(60),
  /** Local hour of the daily digest for conversations that did not pick one (`digest at 08:30`). */
  DIGEST_HOUR: int(0, 23).default(9),
  DIGEST_REVIEW_WAIT_HOURS: int(1, 24 * 30).default(24),
  DIGEST_STALE_DAYS: int(1, 365).default(14),
  /** Outbox entries per tenant beyond which P3 alerts fold into summaries (P2 beyond twice it); 0: never fold. */
  FOLD_BACKLOG: int(0, 250).default(250),
  // --- MCP (W2 4/7)
  /** Reynolds's MCP server at /mcp: `on` (the default) or `off`. */
  MCP_SERVER: z.enum(['on', 'off'], { message: 'expected on or off' }).default('on'),
  /** Accepted `aud` values of Entra tokens for /mcp, comma-separated; default as TAB_SSO_AUDIENCE's default. */
  MCP_AUDIENCE: optional(
    z
      .string()
      .regex(
        /^[^,\s]+(,[^,\s]+)*$/,
        'expected audiences separated by commas, e.g. api://host/<BOT_ID>,<BOT_ID>',
      ),
  ),
  /** Where /mcp fetches the keys that sign Entra tokens (tests point it at loopback). */
  MCP_JWKS_URL: url.default('https://login.microsoftonline.com/common/discovery/v2.0/keys'),
  /** Scopes advertised in /.well-known/oauth-protected-resource, comma-separated; default <first api:// audience>/access_as_user. */
  MCP_SCOPES: optional(
    z.string().regex(/^[^,\s]+(,[^,\s]+)*$/, 'expected scopes separated by commas'),
  ),
  /** Other MCP servers the chat may use (docs/mcp.md). */
  MCP_SERVERS: z.preprocess((v) => (v === '' || v === undefined ? '[]' : v), mcpServers),
  MCP_TOOL_TIMEOUT_MS: int(100, 600_000).default(15_000),
  MCP_MAX_TOOL_CALLS_PER_TURN: int(1, 20).default(3),
  MCP_RECONNECT_SECONDS: int(1, 3600).default(30),
  // --- end MCP
});

export type RawConfig = z.infer<typeof schema>;

/**
 * The name of every environment variable the schema reads, in schema order. Derived from the
 * schema itself so that whatever checks names against it (tests/readme/readme.test.ts holds the
 * README's configuration table to it) follows the code instead of a copied list.
 */
export const CONFIG_VARIABLES = Object.keys(schema.shape) as readonly (keyof RawConfig)[];

export interface Config extends RawConfig {
  /** No BOT_ID: the bot accepts unauthenticated activities, from loopback only. */
  localMode: boolean;
  host: string;
  /** Tenant that webhook deliveries belong to: the bot's tenant, or `local`. */
  tenantId: string;
  /** Absolute path of DATA_DIR. */
  dataDir: string;
  /** Key of chain-marker HMACs (LOOP_MARKER_SECRET, or derived from the webhook secret). */
  markerKey: string;
  /** Names of variables whose values must never be logged. */
  secretNames: readonly string[];
  /** The secret values themselves, for redaction of free text. */
  secretValues: readonly string[];
  /** Key that seals GitHub tokens (TOKEN_ENCRYPTION_KEY; in local mode derived when unset); undefined without sign-in. */
  tokenKey?: Buffer;
}

const SECRET_NAMES = [
  'BOT_PASSWORD',
  'GITHUB_WEBHOOK_SECRET',
  'COSMOS_KEY',
  'LOOP_MARKER_SECRET',
  'GITHUB_TOKEN',
  'GITHUB_APP_PRIVATE_KEY',
  'AZURE_OPENAI_API_KEY',
  'GITHUB_MODELS_TOKEN',
  'OPENAI_API_KEY',
  'CHAT_MODEL_API_KEY',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'GITHUB_OAUTH_CLIENT_SECRET',
  'TOKEN_ENCRYPTION_KEY',
] as const;
/** Outside local mode the webhook secret is what keeps forged deliveries out; short ones can be guessed. */
const MIN_PRODUCTION_WEBHOOK_SECRET = 16;

/** Reads env/.env.<name> and its .user sibling; the process environment wins over both. */
export function readEnvFiles(envName: string, root = process.cwd()): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const file of [`env/.env.${envName}`, `env/.env.${envName}.user`]) {
    const full = path.resolve(root, file);
    if (!existsSync(full)) continue;
    Object.assign(merged, parseEnv(readFileSync(full, 'utf8')));
  }
  return merged;
}

/**
 * Validates `env` (already merged) and derives the rest. Throws ConfigError with one line per
 * problem: `CONFIG: <NAME> <what is wrong>`.
 */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      const got = env[name];
      const shown =
        got === undefined
          ? 'it is not set'
          : SECRET_NAMES.includes(name as never)
            ? 'got a value'
            : `got ${JSON.stringify(got)}`;
      // Inside a JSON variable (MODEL_DEPLOYMENTS[2].endpoint): name the entry and field, show only its value.
      // MCP_SERVERS' tokens and headers are secrets (API keys): their values are never shown.
      const secretField =
        name === 'MCP_SERVERS' && issue.path.some((p) => p === 'token' || p === 'headers');
      if (issue.path.length > 1)
        return `${name}${issue.path
          .slice(1)
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
          .join(
            '',
          )}: ${issue.message}${secretField ? ' (got a value)' : valueAt(got, issue.path.slice(1))}`;
      return `${name}: ${issue.message} (${shown})`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  const raw = result.data;
  const localMode = raw.BOT_ID === undefined;
  const problems: string[] = [];
  if (!localMode) {
    if (raw.BOT_TYPE === 'SingleTenant' && raw.BOT_PASSWORD === undefined)
      problems.push('BOT_PASSWORD: required when BOT_ID is set with BOT_TYPE=SingleTenant');
    if (raw.BOT_TENANT_ID === undefined)
      problems.push(
        'BOT_TENANT_ID: required when BOT_ID is set (Azure no longer creates multi-tenant bots)',
      );
    if (raw.GITHUB_WEBHOOK_SECRET === undefined)
      problems.push(
        'GITHUB_WEBHOOK_SECRET: required outside local mode (set the same secret on the GitHub webhook)',
      );
    else if (raw.GITHUB_WEBHOOK_SECRET.length < MIN_PRODUCTION_WEBHOOK_SECRET)
      problems.push(
        `GITHUB_WEBHOOK_SECRET: expected at least ${MIN_PRODUCTION_WEBHOOK_SECRET} characters outside local mode (got a shorter value)`,
      );
  }
  if (raw.GITHUB_WEBHOOK_SECRET === undefined && localMode)
    problems.push('GITHUB_WEBHOOK_SECRET: required (env/.env.local sets a development one)');
  if (raw.STORE === 'cosmos') {
    if (raw.COSMOS_ENDPOINT === undefined)
      problems.push('COSMOS_ENDPOINT: required when STORE=cosmos');
    if (raw.COSMOS_KEY === undefined) problems.push('COSMOS_KEY: required when STORE=cosmos');
  }
  const providers = new Set(raw.MODEL_DEPLOYMENTS.map((d) => d.provider));
  if (providers.has('azure') && raw.AZURE_OPENAI_API_KEY === undefined)
    problems.push('AZURE_OPENAI_API_KEY: required when MODEL_DEPLOYMENTS has an azure deployment');
  if (providers.has('github') && raw.GITHUB_MODELS_TOKEN === undefined)
    problems.push(
      'GITHUB_MODELS_TOKEN: required when MODEL_DEPLOYMENTS has a github deployment (a token with models:read)',
    );
  if (raw.GITHUB_APP_INSTALLATION_ID !== undefined && raw.GITHUB_APP_PRIVATE_KEY === undefined)
    problems.push('GITHUB_APP_PRIVATE_KEY: required when GITHUB_APP_INSTALLATION_ID is set');
  if (raw.CHAT_MODEL_ENDPOINT !== undefined && raw.CHAT_MODEL === undefined)
    problems.push(
      'CHAT_MODEL: required when CHAT_MODEL_ENDPOINT is set (the model or Azure deployment name)',
    );
  if (
    raw.CHAT_MODEL_PROVIDER === 'azure' &&
    raw.CHAT_MODEL_ENDPOINT !== undefined &&
    !raw.CHAT_MODEL_ENDPOINT.startsWith('https://')
  )
    problems.push('CHAT_MODEL_ENDPOINT: Azure OpenAI endpoints must be https://');
  if ((raw.GITHUB_APP_ID === undefined) !== (raw.GITHUB_APP_PRIVATE_KEY === undefined))
    problems.push(
      `${raw.GITHUB_APP_ID === undefined ? 'GITHUB_APP_ID' : 'GITHUB_APP_PRIVATE_KEY'}: required with ${raw.GITHUB_APP_ID === undefined ? 'GITHUB_APP_PRIVATE_KEY' : 'GITHUB_APP_ID'} (GitHub App mode needs both)`,
    );
  if (raw.LOOP_DAMPEN_SCORE > raw.LOOP_BREAK_SCORE)
    problems.push('LOOP_DAMPEN_SCORE: must not be above LOOP_BREAK_SCORE');
  // Sign-in: people's tokens are sealed with a key of our own outside local mode, and sign-out must be able to revoke them.
  if (raw.GITHUB_OAUTH_CLIENT_ID !== undefined && !localMode) {
    if (raw.TOKEN_ENCRYPTION_KEY === undefined)
      problems.push(
        "TOKEN_ENCRYPTION_KEY: required when GITHUB_OAUTH_CLIENT_ID is set outside local mode (32 random bytes, base64: openssl rand -base64 32); it seals people's GitHub tokens at rest",
      );
    if (raw.GITHUB_OAUTH_CLIENT_SECRET === undefined)
      problems.push(
        'GITHUB_OAUTH_CLIENT_SECRET: required when GITHUB_OAUTH_CLIENT_ID is set outside local mode (sign-out revokes tokens and expiring tokens are refreshed with it)',
      );
  }
  if (raw.GITHUB_OAUTH_CLIENT_SECRET !== undefined && raw.GITHUB_OAUTH_CLIENT_ID === undefined)
    problems.push(
      "GITHUB_OAUTH_CLIENT_ID: required with GITHUB_OAUTH_CLIENT_SECRET (the same app's client id)",
    );
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));

  const markerKey =
    raw.LOOP_MARKER_SECRET ??
    createHmac('sha256', raw.GITHUB_WEBHOOK_SECRET!)
      .update('reynolds-chain-marker')
      .digest('base64url');
  const tokenKey =
    raw.GITHUB_OAUTH_CLIENT_ID === undefined
      ? undefined
      : raw.TOKEN_ENCRYPTION_KEY !== undefined
        ? parseEncryptionKey(raw.TOKEN_ENCRYPTION_KEY)
        : deriveLocalKey(raw.GITHUB_WEBHOOK_SECRET!);
  return {
    ...raw,
    localMode,
    host: raw.HOST ?? (localMode ? '127.0.0.1' : '0.0.0.0'),
    tenantId: raw.BOT_TENANT_ID ?? 'local',
    dataDir: path.resolve(raw.DATA_DIR),
    markerKey,
    secretNames: SECRET_NAMES,
    secretValues: withEncodedForms([
      ...SECRET_NAMES.map((name) => raw[name]),
      markerKey,
      tokenKey?.toString('base64'),
      tokenKey?.toString('hex'),
      ...raw.MCP_SERVERS.flatMap((s) => [s.token, ...Object.values(s.headers)]),
    ]),
    ...(tokenKey && { tokenKey }),
  };
}

/**
 * The secret values plus the forms they travel in: base64 (Basic auth, JSON-in-base64) and, for
 * a PEM key, its base64 body and each of its lines, so a partial dump is still redacted.
 */
function withEncodedForms(values: readonly (string | undefined)[]): string[] {
  const raw = values.filter((v): v is string => v !== undefined && v.length > 0);
  const out = new Set<string>(raw); // the values themselves first, then their other forms
  for (const value of raw) {
    out.add(Buffer.from(value, 'utf8').toString('base64'));
    if (value.includes('-----BEGIN')) {
      const pem = value.replace(/\\n/g, '\n');
      out.add(pem);
      for (const line of pem.split('\n').map((l) => l.trim()))
        if (line.length >= 16 && !line.startsWith('-----')) out.add(line);
    }
  }
  return [...out];
}

/** The configuration of this process: env files under the process environment, validated. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, root = process.cwd()): Config {
  const envName = env.REYNOLDS_ENV && env.REYNOLDS_ENV !== '' ? env.REYNOLDS_ENV : 'local';
  const fromFiles = readEnvFiles(envName, root);
  return parseConfig({ ...fromFiles, ...definedOnly(env) });
}

function valueAt(json: string | undefined, path: PropertyKey[]): string {
  try {
    let value: unknown = JSON.parse(json ?? '');
    for (const key of path) value = (value as Record<PropertyKey, unknown>)?.[key];
    return value === undefined ? ' (it is not set)' : ` (got ${JSON.stringify(value)})`;
  } catch {
    return '';
  }
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
