/**
 * Reading GitHub webhook JSON without trusting its shape: single fields, timestamps, repository
 * and sender. The objects GitHub reuses across events (issue/PR, comment, run, alert, deployment)
 * are read in payload-subjects.ts.
 *
 * @octokit/webhooks-types describes what GitHub means to send, but a delivery is only JSON that
 * passed a signature check: fields go missing, arrive null, or change type between API versions.
 * Every reader here answers `undefined` (or an empty list) instead of throwing or passing a wrong
 * type along, so normalise.ts can stay a flat table of "take this if it is there".
 */
import { type BrokerActor, type BrokerRepo } from '../core/broker-event.js';

export type Json = Record<string, unknown>;

export function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

/**
 * One own property: `field(payload, 'action')`. Own properties only, so a key such as
 * `constructor` can never reach Object.prototype. Intake reads with this rather than `at`: `at`'s
 * rest parameter builds an array per call, and intake's hot path is benchmarked allocation-free.
 */
export function field(value: unknown, key: string): unknown {
  const object = record(value);
  return object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined;
}

/** `at(payload, 'pull_request', 'head', 'ref')`: `field` along a path. */
export function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    current = field(current, key);
    if (current === undefined) return undefined;
  }
  return current;
}

/** A non-empty string: GitHub sends '' for "none" in places (empty target_url, commit_oid). */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Strictly a number: a numeric string is a wrong type, not an id. */
export function integer(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

export function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : undefined;
}

/** `prefix:id` for ids that are numbers or strings (GHSA ids, node ids, paths). */
export function idKey(prefix: string, id: unknown): string | undefined {
  const value = integer(id) ?? text(id);
  return value === undefined ? undefined : `${prefix}:${value}`;
}

export function firstLine(value: unknown): string | undefined {
  return text(text(value)?.split('\n', 1)[0]?.trim());
}

export function capText(value: unknown, limit: number): string | undefined {
  const full = text(value);
  if (full === undefined || full.length <= limit) return full;
  const cut = full.slice(0, limit);
  // Cutting between the halves of a surrogate pair would leave invalid UTF-16 behind.
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** Characters kept from the end of a long body: signatures and chain markers live there. */
export const BODY_TAIL = 512;
export const ELISION = '\n…\n';

/**
 * Caps a body at `limit` characters keeping both ends: the start says what it is about, the end
 * carries the marker that links an event to the act that caused it.
 */
export function capBody(value: unknown, limit: number): string | undefined {
  const full = text(value);
  if (full === undefined || full.length <= limit) return full;
  const head = capText(full, limit - BODY_TAIL - ELISION.length) ?? '';
  let tail = full.slice(-BODY_TAIL);
  const first = tail.charCodeAt(0);
  if (first >= 0xdc00 && first <= 0xdfff) tail = tail.slice(1); // do not start on half a pair
  return head + ELISION + tail;
}

export function labelNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const names: string[] = [];
  for (const label of value) {
    const name = text(at(label, 'name'));
    if (name !== undefined) names.push(name);
  }
  return names;
}

const BRANCH_PREFIX = 'refs/heads/';

/** The branch of a full ref; tags and other refs (refs/pull/1/merge) have none. */
export function branchFromRef(ref: unknown): string | undefined {
  const full = text(ref);
  return full?.startsWith(BRANCH_PREFIX) ? text(full.slice(BRANCH_PREFIX.length)) : undefined;
}

/** Date-time with an explicit zone: without one, Date.parse would read it in the host's zone. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** Beyond this toISOString switches to six-digit years, which nothing downstream expects. */
const LAST_MS = Date.UTC(10_000, 0, 1) - 1;

export function isoFromMs(ms: number): string | undefined {
  return Number.isFinite(ms) && ms >= 0 && ms <= LAST_MS ? new Date(ms).toISOString() : undefined;
}

/** GitHub timestamps are ISO strings, except a few repository/installation fields in unix seconds. */
export function isoTimestamp(value: unknown): string | undefined {
  if (typeof value === 'number') return isoFromMs(value * 1000);
  if (typeof value === 'string' && ISO_DATE_TIME.test(value)) return isoFromMs(Date.parse(value));
  return undefined;
}

/**
 * The latest valid timestamp among the candidates. A subject's newest timestamp (closed_at,
 * fixed_at, updated_at...) is the best record of when the change being delivered happened.
 */
export function latestTimestamp(...values: unknown[]): string | undefined {
  let latest: string | undefined;
  for (const value of values) {
    const iso = isoTimestamp(value);
    // ISO strings in Z with four-digit years sort as their instants do.
    if (iso !== undefined && (latest === undefined || iso > latest)) latest = iso;
  }
  return latest;
}

/**
 * Fields that record a change to the object carrying them. Dates about the future (due_on,
 * next_billing_date, effective_date) and about other things (pushed_at on a repository being
 * renamed) are deliberately absent.
 */
const CHANGE_TIMESTAMPS = [
  'created_at',
  'updated_at',
  'closed_at',
  'merged_at',
  'submitted_at',
  'published_at',
  'started_at',
  'run_started_at',
  'completed_at',
  'answer_chosen_at',
  'fixed_at',
  'dismissed_at',
  'auto_dismissed_at',
  'resolved_at',
  'archived_at',
  'withdrawn_at',
  'suspended_at',
];

/** When the subject last changed, which for the subject of a delivery is (nearly always) the delivered change. */
export function changedAt(subject: unknown): string | undefined {
  return latestTimestamp(...CHANGE_TIMESTAMPS.map((field) => at(subject, field)));
}

/**
 * owner and name come from full_name when it has that shape, so the three always agree: some of
 * GitHub's own recorded payloads pair `Codertocat/Hello-World` with `owner.login: 'Octocoders'`.
 */
export function repositoryOf(value: unknown): BrokerRepo | undefined {
  const repo = record(value);
  if (!repo) return undefined;
  const parts = text(repo['full_name'])?.split('/');
  const [ownerPart, namePart] = parts?.length === 2 ? parts.map(text) : [];
  const fromFullName = ownerPart !== undefined && namePart !== undefined;
  const owner = fromFullName ? ownerPart : text(at(repo, 'owner', 'login'));
  const name = fromFullName ? namePart : text(repo['name']);
  if (owner === undefined || name === undefined) return undefined;
  const isPrivate = repo['private'];
  const defaultBranch = text(repo['default_branch']);
  return {
    owner,
    name,
    fullName: `${owner}/${name}`,
    ...(typeof isPrivate === 'boolean' && { private: isPrivate }),
    ...(defaultBranch !== undefined && { defaultBranch }),
  };
}

export function actorOf(value: unknown): BrokerActor | undefined {
  const login = text(at(value, 'login'));
  if (login === undefined) return undefined;
  const id = integer(at(value, 'id'));
  const type = text(at(value, 'type'));
  return {
    login,
    ...(id !== undefined && { id }),
    ...(type !== undefined && { type }),
    isBot: type === 'Bot' || login.endsWith('[bot]'),
  };
}

/**
 * What the repository's visibility is after the event. `private` comes first: GitHub's own
 * recorded `privatized` payload still says `visibility: 'public'` next to `private: true`.
 */
export function repositoryVisibility(value: unknown): string | undefined {
  const visibility = text(at(value, 'visibility'));
  const isPrivate = at(value, 'private');
  if (isPrivate === true) return visibility === 'internal' ? 'internal' : 'private';
  if (isPrivate === false) return 'public';
  return visibility;
}
