/**
 * Every environment variable Reynolds reads, validated in one place.
 *
 * A bad or missing value stops start-up with one line that names the variable and says what is
 * expected (ConfigError). Values come from the process environment first, then from
 * `env/.env.<REYNOLDS_ENV>.user` (secrets, git-ignored) and `env/.env.<REYNOLDS_ENV>` (committed,
 * no secrets); REYNOLDS_ENV defaults to `local`, which is what makes `npm start` work on a fresh
 * clone with no set-up. Teams Toolkit writes the same files, so both tools agree.
 */
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';

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

const schema = z.object({
  REYNOLDS_ENV: z.string().regex(/^[a-z0-9-]+$/, 'expected a lower-case name such as local or dev').default('local'),
  PORT: int(0, 65535).default(3978),
  /** Defaults to loopback in local mode (no BOT_ID) and to all interfaces otherwise. */
  HOST: optional(z.string().min(1)),
  /** How people reach Reynolds (for links in cards); defaults to the address it listens on. */
  PUBLIC_BASE_URL: optional(url),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  BOT_ID: optional(z.string().uuid({ message: 'expected the bot app registration id (a GUID)' })),
  BOT_PASSWORD: optional(z.string().min(1)),
  BOT_TENANT_ID: optional(z.string().min(1)),
  BOT_TYPE: z.enum(['SingleTenant', 'UserAssignedMSI']).default('SingleTenant'),

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
  GITHUB_APP_SLUG: optional(z.string().regex(/^[a-z0-9][a-z0-9-]{0,38}$/, 'expected a GitHub App slug such as reynolds-coordinator')),
  GITHUB_APP_ID: optional(int(1, Number.MAX_SAFE_INTEGER)),
  /** Key of the HMAC in chain markers; defaults to one derived from GITHUB_WEBHOOK_SECRET. */
  LOOP_MARKER_SECRET: optional(z.string().min(16, { message: 'expected at least 16 characters' })),
  LOOP_TTL_SECONDS: int(60, 30 * 24 * 3600).default(24 * 3600),
  LOOP_DAMPEN_SCORE: z.coerce.number({ message: 'expected a number between 0 and 1' }).min(0).max(1).default(0.5),
  LOOP_BREAK_SCORE: z.coerce.number({ message: 'expected a number between 0 and 1' }).min(0).max(1).default(0.9),
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
  /** Noise control (docs/noise-control.md). 0 turns burst collapse off. */
  BURST_WINDOW_SECONDS: int(0, 3600).default(60),
  /** Local hour of the daily digest for conversations that did not pick one (`digest at 08:30`). */
  DIGEST_HOUR: int(0, 23).default(9),
  DIGEST_REVIEW_WAIT_HOURS: int(1, 24 * 30).default(24),
  DIGEST_STALE_DAYS: int(1, 365).default(14),
  /** Outbox entries per tenant beyond which P3 alerts fold into summaries (P2 beyond twice it); 0: never fold. */
  FOLD_BACKLOG: int(0, 250).default(250),
});

export type RawConfig = z.infer<typeof schema>;

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
}

const SECRET_NAMES = ['BOT_PASSWORD', 'GITHUB_WEBHOOK_SECRET', 'COSMOS_KEY', 'LOOP_MARKER_SECRET'] as const;

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
      const shown = got === undefined ? 'it is not set' : SECRET_NAMES.includes(name as never) ? 'got a value' : `got ${JSON.stringify(got)}`;
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
    if (raw.BOT_TENANT_ID === undefined) problems.push('BOT_TENANT_ID: required when BOT_ID is set (Azure no longer creates multi-tenant bots)');
    if (raw.GITHUB_WEBHOOK_SECRET === undefined)
      problems.push('GITHUB_WEBHOOK_SECRET: required outside local mode (set the same secret on the GitHub webhook)');
  }
  if (raw.GITHUB_WEBHOOK_SECRET === undefined && localMode)
    problems.push('GITHUB_WEBHOOK_SECRET: required (env/.env.local sets a development one)');
  if (raw.STORE === 'cosmos') {
    if (raw.COSMOS_ENDPOINT === undefined) problems.push('COSMOS_ENDPOINT: required when STORE=cosmos');
    if (raw.COSMOS_KEY === undefined) problems.push('COSMOS_KEY: required when STORE=cosmos');
  }
  if (raw.LOOP_DAMPEN_SCORE > raw.LOOP_BREAK_SCORE) problems.push('LOOP_DAMPEN_SCORE: must not be above LOOP_BREAK_SCORE');
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));

  const markerKey = raw.LOOP_MARKER_SECRET ?? createHmac('sha256', raw.GITHUB_WEBHOOK_SECRET!).update('reynolds-chain-marker').digest('base64url');
  return {
    ...raw,
    localMode,
    host: raw.HOST ?? (localMode ? '127.0.0.1' : '0.0.0.0'),
    tenantId: raw.BOT_TENANT_ID ?? 'local',
    dataDir: path.resolve(raw.DATA_DIR),
    markerKey,
    secretNames: SECRET_NAMES,
    secretValues: [...new Set([...SECRET_NAMES.map((name) => raw[name]), markerKey])].filter((v): v is string => typeof v === 'string' && v.length > 0),
  };
}

/** The configuration of this process: env files under the process environment, validated. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, root = process.cwd()): Config {
  const envName = env.REYNOLDS_ENV && env.REYNOLDS_ENV !== '' ? env.REYNOLDS_ENV : 'local';
  const fromFiles = readEnvFiles(envName, root);
  return parseConfig({ ...fromFiles, ...definedOnly(env) });
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
