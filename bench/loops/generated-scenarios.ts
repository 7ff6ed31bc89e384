/**
 * The scenario generator of the loop accuracy benchmark: seeded random GitHub traffic with its
 * ground truth set by construction. Each scenario is a runaway loop (one to four automated
 * actors: apps, accounts acting through personal tokens, merge queues, dependency and CI bots;
 * fast and slow) or busy legitimate traffic (people, CI, dependency bots, merge queues, release
 * scripts on tokens).
 *
 * Deliberately independent of the detector: nothing here imports src/loops. Whether a scenario is
 * a loop, and where it starts, is decided by the script that writes it, never by asking the
 * detector what it sees. The onset of a loop is the first event that does again what an actor of
 * the loop already did in it (the first moment the traffic repeats itself: before that, a bot
 * answering a bot is a chain, not yet a loop); for a single actor storm that is its second post.
 *
 * Shapes of real incidents:
 *   - Mergify in caffeinelabs/motoko (#3763: "adding and removing the merge label", >14,000 tries
 *     in #3559): `merge-label-flap`, and the retry comment storm `merge-bot-storm`.
 *   - all-contributors (#266, #270, #271): the bot's reply contains its own command, so it answers
 *     itself, seconds apart: `self-answering-bot`.
 *   - renovate with pre-commit.ci (renovate #20966, #17528): the two push to one PR branch in
 *     turn, a minute or two apart: `rebase-loop`. (renovate #6690 named in the brief could not be
 *     found in the reference corpus; this is the renovate loop whose shape is on record.)
 */
import { mulberry32 } from '../support/bench-kit.js';

export type TargetKind = 'issue' | 'pull_request' | 'commit' | 'ref';

export interface GenEvent {
  /** Milliseconds from the scenario's start. */
  at: number;
  kind: string;
  action?: string;
  repo: string;
  /** `#12` for issues and PRs, the sha for statuses and checks, `refs/heads/x` for pushes. */
  target: string;
  targetKind: TargetKind;
  actor: string;
  /** What GitHub says the sender is: `Bot` for apps, `User` for people and token-driven automation. */
  actorType: 'Bot' | 'User';
  body?: string;
  title?: string;
  label?: string;
  sha?: string;
  url?: string;
  /** Part of the runaway traffic. */
  loop?: boolean;
}

export interface GenScenario {
  id: number;
  kind: string;
  loop: boolean;
  /** Index in `events` of the loop's onset (loops only). */
  onset?: number;
  events: GenEvent[];
}

type Rng = () => number;

class Script {
  readonly events: GenEvent[] = [];
  onset?: number;
  private seen = new Set<string>();
  private comments = 1000;

  constructor(
    readonly r: Rng,
    readonly repo: string,
  ) {}

  between(min: number, max: number): number {
    return Math.round(min + this.r() * (max - min));
  }

  int(min: number, max: number): number {
    return Math.floor(min + this.r() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.r() * items.length)]!;
  }

  sha(): string {
    let s = '';
    for (let i = 0; i < 40; i += 1) s += '0123456789abcdef'[Math.floor(this.r() * 16)];
    return s;
  }

  comment(
    at: number,
    target: string,
    actor: string,
    actorType: 'Bot' | 'User',
    body: string,
    extra: Partial<GenEvent> = {},
  ): void {
    this.comments += 1;
    const number = target.slice(1);
    this.push({
      at,
      kind: 'issue_comment',
      action: 'created',
      repo: this.repo,
      target,
      targetKind: 'issue',
      actor,
      actorType,
      body,
      url: `https://github.com/${this.repo}/issues/${number}#issuecomment-${this.comments}`,
      ...extra,
    });
  }

  push(event: GenEvent): void {
    this.events.push(event);
  }

  /**
   * A loop step: `step` names what the actor does (actor and template); the first step that was
   * already done in this loop is the onset.
   */
  loopStep(step: string, event: GenEvent): void {
    if (this.onset === undefined && this.seen.has(step)) this.onset = this.events.length;
    this.seen.add(step);
    this.push({ ...event, loop: true });
  }
}

const PEOPLE = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'oscar',
];
const APPS = [
  'mergify[bot]',
  'kodiak[bot]',
  'bors[bot]',
  'all-contributors[bot]',
  'renovate[bot]',
  'pre-commit-ci[bot]',
  'dependabot[bot]',
  'codecov[bot]',
  'netlify[bot]',
  'github-actions[bot]',
  'stale[bot]',
  'welcome[bot]',
  'triage-bot[bot]',
  'echo-bot[bot]',
  'linear[bot]',
  'vercel[bot]',
];
const TOKEN_ACCOUNTS = [
  'ci-robot',
  'release-automation',
  'deploy-svc',
  'k8s-ci-robot',
  'buildkite-agent',
  'infra-automation',
];
const HUMAN_LINES = [
  'Can you add a test for the empty case?',
  'Good catch, fixing.',
  'I think this breaks the Windows build.',
  'Thanks!',
  '+1',
  'Rebased on main.',
  'Looks good to me.',
  'Could we split this into two PRs?',
  'Done, PTAL.',
  'Why not reuse the helper from utils?',
  'Ship it',
  'Nit: typo in the docstring.',
  'This is still failing for me on 3.12.',
  'Ah, my bad. Updated.',
];

/** Bot templates: numbers, hashes and times change from post to post, the words do not. */
function botText(s: Script, actor: string, turn: number): string {
  const templates = [
    () =>
      `⚠️ The pull request could not be merged: the base branch moved. Retrying (attempt ${turn + 1}) at 2026-03-02T09:${String(turn % 60).padStart(2, '0')}:00Z`,
    () =>
      `Build ${1000 + turn * 7} for ${s.sha().slice(0, 7)} finished: 3 failed, ${40 + turn} passed.`,
    () => `@${actor.replace('[bot]', '')} please add @all-contributors for docs`,
    () => `I've put up a pull request to add @all-contributors! 🎉 (#${200 + turn})`,
    () =>
      `Deploy preview for ${s.sha().slice(0, 7)} ready at https://deploy-preview-${300 + turn}--site.netlify.app`,
    () =>
      `This issue has been automatically marked as stale. It will be closed in ${7 + (turn % 3)} days.`,
  ];
  return templates[Math.abs(hash(actor)) % templates.length]!();
}

function hash(text: string): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return h;
}

/** Each generator writes one scenario into `s`. */
type Writer = (s: Script) => void;

function prNumber(s: Script): string {
  return `#${s.int(1, 5000)}`;
}

// ----------------------------------------------------------------------------------------- loops

/** One actor posting the same comment again and again (the Mergify retry storm). */
function singleStorm(actorType: 'Bot' | 'User', gap: [number, number]): Writer {
  return (s) => {
    const target = prNumber(s);
    const actor =
      actorType === 'Bot'
        ? s.pick(['mergify[bot]', 'kodiak[bot]', 'bors[bot]', 'merge-queue[bot]'])
        : s.pick(TOKEN_ACCOUNTS);
    let at = 0;
    s.comment(at, target, s.pick(PEOPLE), 'User', '/merge');
    at += s.between(1_000, 20_000);
    const n = s.int(6, 40);
    for (let i = 0; i < n; i += 1) {
      s.loopStep('post', {
        at,
        kind: 'issue_comment',
        action: 'created',
        repo: s.repo,
        target,
        targetKind: 'issue',
        actor,
        actorType,
        body: botText(s, 'mergify[bot]', i),
        url: `https://github.com/${s.repo}/pull/${target.slice(1)}#issuecomment-${9000 + i}`,
      });
      at += s.between(gap[0], gap[1]);
    }
  };
}

/** Mergify in motoko: the merge label added and removed by the same bot, over and over. */
const mergeLabelFlap: Writer = (s) => {
  const target = prNumber(s);
  const actor = s.pick(['mergify[bot]', 'kodiak[bot]']);
  let at = 0;
  const n = s.int(8, 30);
  for (let i = 0; i < n; i += 1) {
    const action = i % 2 === 0 ? 'labeled' : 'unlabeled';
    s.loopStep(action, {
      at,
      kind: 'pull_request',
      action,
      repo: s.repo,
      target,
      targetKind: 'pull_request',
      actor,
      actorType: 'Bot',
      label: 'automerge',
      title: 'Bump compiler to 0.8',
    });
    at += s.between(500, 8_000);
  }
};

/** all-contributors: its reply contains its own command, so it answers itself. */
const selfAnsweringBot: Writer = (s) => {
  const target = prNumber(s);
  const actor = 'all-contributors[bot]';
  let at = 0;
  s.comment(
    at,
    target,
    s.pick(PEOPLE),
    'User',
    '@all-contributors please add @all-contributors for docs',
  );
  at += s.between(2_000, 10_000);
  const n = s.int(6, 30);
  for (let i = 0; i < n; i += 1) {
    const step = i % 2 === 0 ? 'echo' : 'answer';
    s.loopStep(step, {
      at,
      kind: 'issue_comment',
      action: 'created',
      repo: s.repo,
      target,
      targetKind: 'issue',
      actor,
      actorType: 'Bot',
      body:
        step === 'echo'
          ? '@all-contributors please add @all-contributors for docs'
          : `I've put up a pull request to add @all-contributors! 🎉 (#${300 + i})`,
      url: `https://github.com/${s.repo}/pull/${target.slice(1)}#issuecomment-${7000 + i}`,
    });
    at += s.between(2_000, 15_000);
  }
};

/** renovate and pre-commit.ci pushing to one PR branch in turn. */
const rebaseLoop: Writer = (s) => {
  const target = prNumber(s);
  let at = 0;
  const n = s.int(6, 20);
  for (let i = 0; i < n; i += 1) {
    const actor = i % 2 === 0 ? 'renovate[bot]' : 'pre-commit-ci[bot]';
    s.loopStep(actor, {
      at,
      kind: 'pull_request',
      action: 'synchronize',
      repo: s.repo,
      target,
      targetKind: 'pull_request',
      actor,
      actorType: 'Bot',
      title: 'Update dependency sqlalchemy to v2',
      sha: s.sha(),
    });
    at += s.between(20_000, 110_000);
  }
};

/** Two to four automated actors answering each other in a circle, on one issue or PR. */
function ring(size: number, gap: [number, number], tokenShare: number): Writer {
  return (s) => {
    const target = prNumber(s);
    const actors: { login: string; type: 'Bot' | 'User' }[] = [];
    while (actors.length < size) {
      const token = s.r() < tokenShare;
      const login = token ? s.pick(TOKEN_ACCOUNTS) : s.pick(APPS);
      if (!actors.some((a) => a.login === login))
        actors.push({ login, type: token ? 'User' : 'Bot' });
    }
    let at = 0;
    s.comment(at, target, s.pick(PEOPLE), 'User', s.pick(HUMAN_LINES));
    at += s.between(gap[0], gap[1]);
    const n = s.int(size * 3, size * 8);
    for (let i = 0; i < n; i += 1) {
      const actor = actors[i % size]!;
      s.loopStep(actor.login, {
        at,
        kind: 'issue_comment',
        action: 'created',
        repo: s.repo,
        target,
        targetKind: 'issue',
        actor: actor.login,
        actorType: actor.type,
        body: botText(s, actor.login, Math.floor(i / size)),
        url: `https://github.com/${s.repo}/issues/${target.slice(1)}#issuecomment-${5000 + i}`,
      });
      at += s.between(gap[0], gap[1]);
    }
  };
}

// ------------------------------------------------------------------------------------ legitimate

/** A person pastes "/retest" a few times; the CI bot answers each. */
const retestPerson: Writer = (s) => {
  const target = prNumber(s);
  const person = s.pick(PEOPLE);
  let at = 0;
  const n = s.int(2, 4);
  for (let i = 0; i < n; i += 1) {
    s.comment(at, target, person, 'User', '/retest');
    s.comment(
      at + s.between(1_000, 6_000),
      target,
      'ci-bot[bot]',
      'Bot',
      `Retesting the failed jobs of ${s.sha().slice(0, 7)}…`,
    );
    at += s.between(8_000, 90_000);
  }
};

/** A review with many inline comments submitted at once, then the author answers some. */
const reviewBurst: Writer = (s) => {
  const target = prNumber(s);
  const [reviewer, author] = [s.pick(PEOPLE.slice(0, 6)), s.pick(PEOPLE.slice(6))];
  const at = 0;
  const n = s.int(3, 25);
  for (let i = 0; i < n; i += 1) {
    s.push({
      at,
      kind: 'pull_request_review_comment',
      action: 'created',
      repo: s.repo,
      target,
      targetKind: 'pull_request',
      actor: reviewer,
      actorType: 'User',
      body: s.pick(HUMAN_LINES),
      url: `https://github.com/${s.repo}/pull/${target.slice(1)}#discussion_r${100 + i}`,
    });
  }
  s.push({
    at,
    kind: 'pull_request_review',
    action: 'submitted',
    repo: s.repo,
    target,
    targetKind: 'pull_request',
    actor: reviewer,
    actorType: 'User',
    body: 'A few things, otherwise good.',
  });
  let t = at + s.between(20_000, 120_000);
  for (let i = 0; i < s.int(1, 6); i += 1) {
    s.push({
      at: t,
      kind: 'pull_request_review_comment',
      action: 'created',
      repo: s.repo,
      target,
      targetKind: 'pull_request',
      actor: author,
      actorType: 'User',
      body: s.pick(HUMAN_LINES),
      url: `https://github.com/${s.repo}/pull/${target.slice(1)}#discussion_r${200 + i}`,
    });
    t += s.between(5_000, 60_000);
  }
};

/** Two or three people talking fast on one issue, short answers included. */
const humanExchange: Writer = (s) => {
  const target = prNumber(s);
  const people = [
    s.pick(PEOPLE.slice(0, 4)),
    s.pick(PEOPLE.slice(4, 8)),
    s.pick(PEOPLE.slice(8)),
  ].slice(0, s.int(2, 3));
  let at = 0;
  for (let i = 0; i < s.int(6, 20); i += 1) {
    s.comment(at, target, people[i % people.length]!, 'User', s.pick(HUMAN_LINES));
    at += s.between(4_000, 40_000);
  }
};

/** The same "LGTM" (and an approval) on ten PRs, one after the other. */
const lgtmTenPrs: Writer = (s) => {
  const person = s.pick(PEOPLE);
  let at = 0;
  for (let i = 0; i < 10; i += 1) {
    const target = `#${100 + i}`;
    s.comment(at, target, person, 'User', 'LGTM');
    s.push({
      at: at + s.between(500, 3_000),
      kind: 'pull_request_review',
      action: 'submitted',
      repo: s.repo,
      target,
      targetKind: 'pull_request',
      actor: person,
      actorType: 'User',
      body: '',
    });
    at += s.between(3_000, 20_000);
  }
};

/** Dependabot opens a batch of PRs; CI and a labeller act on each. */
const dependabotBatch: Writer = (s) => {
  let at = 0;
  const packages = [
    'lodash',
    'react',
    'axios',
    'express',
    'typescript',
    'eslint',
    'vite',
    'jest',
    'zod',
    'pino',
    'undici',
    'yaml',
  ];
  for (let i = 0; i < s.int(4, 15); i += 1) {
    const target = `#${400 + i}`;
    const sha = s.sha();
    const pkg = packages[i % packages.length]!;
    s.push({
      at,
      kind: 'pull_request',
      action: 'opened',
      repo: s.repo,
      target,
      targetKind: 'pull_request',
      actor: 'dependabot[bot]',
      actorType: 'Bot',
      title: `Bump ${pkg} from 1.${i}.0 to 1.${i + 1}.0`,
      body: `Bumps ${pkg} from 1.${i}.0 to 1.${i + 1}.0.`,
      sha,
    });
    s.push({
      at: at + s.between(1_000, 5_000),
      kind: 'pull_request',
      action: 'labeled',
      repo: s.repo,
      target,
      targetKind: 'pull_request',
      actor: 'github-actions[bot]',
      actorType: 'Bot',
      label: 'dependencies',
      title: `Bump ${pkg}`,
    });
    for (const check of ['build', 'test', 'lint']) {
      s.push({
        at: at + s.between(10_000, 240_000),
        kind: 'check_run',
        action: 'completed',
        repo: s.repo,
        target: sha,
        targetKind: 'commit',
        actor: 'github-actions[bot]',
        actorType: 'Bot',
        title: check,
        sha,
      });
    }
    s.comment(
      at + s.between(180_000, 360_000),
      target,
      'codecov[bot]',
      'Bot',
      `Coverage ${80 + (i % 10)}.${i}% (+0.0${i}%) for ${sha.slice(0, 7)}`,
    );
    at += s.between(500, 4_000);
  }
};

/** A CI matrix: many check runs and statuses from several CI apps on one commit. */
const ciMatrix: Writer = (s) => {
  const sha = s.sha();
  for (let i = 0; i < s.int(10, 60); i += 1) {
    const actor = s.pick([
      'github-actions[bot]',
      'circleci[bot]',
      'buildkite[bot]',
      'codecov[bot]',
    ]);
    s.push({
      at: s.between(0, 480_000),
      kind: s.r() < 0.5 ? 'check_run' : 'status',
      action: s.r() < 0.5 ? 'created' : 'completed',
      repo: s.repo,
      target: sha,
      targetKind: 'commit',
      actor,
      actorType: 'Bot',
      title: `job ${i % 12}`,
      sha,
    });
  }
};

/** A merge queue: people ask to merge, the bot answers "queued" then "merged" on each PR. */
const mergeQueue: Writer = (s) => {
  const bot = s.pick(['mergify[bot]', 'kodiak[bot]', 'bors[bot]']);
  let at = 0;
  for (let i = 0; i < s.int(2, 8); i += 1) {
    const target = `#${600 + i}`;
    s.comment(
      at,
      target,
      s.pick(PEOPLE),
      'User',
      bot === 'bors[bot]' ? 'bors r+' : '@mergifyio queue',
    );
    s.comment(
      at + s.between(1_000, 5_000),
      target,
      bot,
      'Bot',
      `Pull request ${target} has been queued (position ${i + 1}).`,
    );
    s.push({
      at: at + s.between(60_000, 300_000),
      kind: 'pull_request',
      action: 'closed',
      repo: s.repo,
      target,
      targetKind: 'pull_request',
      actor: bot,
      actorType: 'Bot',
      title: `Change ${i}`,
    });
    at += s.between(5_000, 60_000);
  }
};

/** A release script on a personal token: "Released in vX" on every issue of the release, fast. */
const releaseScript: Writer = (s) => {
  const account = s.pick(TOKEN_ACCOUNTS);
  const version = `v${s.int(1, 9)}.${s.int(0, 30)}.${s.int(0, 9)}`;
  let at = 0;
  for (let i = 0; i < s.int(5, 20); i += 1) {
    s.comment(
      at,
      `#${700 + i}`,
      account,
      'User',
      `:tada: This issue has been resolved in version ${version} :tada:`,
    );
    at += s.between(300, 1_500);
  }
};

/** A person pushes to their PR now and then; a CI bot posts the same report after each push. */
const reportAfterPush: Writer = (s) => {
  const target = prNumber(s);
  const person = s.pick(PEOPLE);
  let at = 0;
  for (let i = 0; i < s.int(3, 10); i += 1) {
    s.push({
      at,
      kind: 'pull_request',
      action: 'synchronize',
      repo: s.repo,
      target,
      targetKind: 'pull_request',
      actor: person,
      actorType: 'User',
      title: 'Fix the crash on save',
      sha: s.sha(),
    });
    s.comment(
      at + s.between(30_000, 110_000),
      target,
      'github-actions[bot]',
      'Bot',
      'Build passed ✅ All 412 tests green.',
    );
    at += s.between(120_000, 600_000);
  }
};

/** People open issues; a welcome bot greets first-timers and a triage bot labels. */
const welcomeAndTriage: Writer = (s) => {
  let at = 0;
  for (let i = 0; i < s.int(3, 12); i += 1) {
    const target = `#${800 + i}`;
    s.push({
      at,
      kind: 'issues',
      action: 'opened',
      repo: s.repo,
      target,
      targetKind: 'issue',
      actor: s.pick(PEOPLE),
      actorType: 'User',
      title: `Crash ${i}`,
      body: s.pick(HUMAN_LINES),
    });
    s.comment(
      at + s.between(1_000, 4_000),
      target,
      'welcome[bot]',
      'Bot',
      'Thanks for opening your first issue here! Be sure to follow the issue template.',
    );
    s.push({
      at: at + s.between(1_000, 6_000),
      kind: 'issues',
      action: 'labeled',
      repo: s.repo,
      target,
      targetKind: 'issue',
      actor: 'triage-bot[bot]',
      actorType: 'Bot',
      label: 'needs-triage',
      title: `Crash ${i}`,
    });
    at += s.between(10_000, 300_000);
  }
};

const LOOPS: [string, number, Writer][] = [
  ['merge-bot-storm', 10, singleStorm('Bot', [500, 5_000])],
  ['user-token-storm', 10, singleStorm('User', [200, 1_900])],
  ['slow-single-repeat', 6, singleStorm('Bot', [20_000, 110_000])],
  ['merge-label-flap', 8, mergeLabelFlap],
  ['self-answering-bot', 8, selfAnsweringBot],
  ['rebase-loop', 6, rebaseLoop],
  ['ping-pong', 10, ring(2, [500, 30_000], 0)],
  ['slow-ping-pong', 8, ring(2, [61_000, 115_000], 0)],
  ['ring-3', 8, ring(3, [500, 30_000], 0)],
  ['slow-ring-3', 6, ring(3, [61_000, 115_000], 0)],
  ['ring-4', 6, ring(4, [500, 30_000], 0)],
  ['slow-ring-4', 4, ring(4, [61_000, 115_000], 0)],
  // Automation on personal tokens in the loop: answering at machine speed, and at a person's pace.
  ['token-ping-pong', 6, ring(2, [300, 2_000], 0.5)],
  ['token-ring-3', 4, ring(3, [300, 2_000], 0.5)],
  ['token-ping-pong-human-pace', 3, ring(2, [5_000, 30_000], 0.5)],
];

const LEGIT: [string, number, Writer][] = [
  ['retest-person', 10, retestPerson],
  ['review-burst', 10, reviewBurst],
  ['human-exchange', 10, humanExchange],
  ['lgtm-ten-prs', 8, lgtmTenPrs],
  ['dependabot-batch', 8, dependabotBatch],
  ['ci-matrix', 8, ciMatrix],
  ['merge-queue', 8, mergeQueue],
  ['release-script', 8, releaseScript],
  ['report-after-push', 8, reportAfterPush],
  ['welcome-and-triage', 8, welcomeAndTriage],
];

export const LOOP_KINDS = LOOPS.map(([name]) => name);
export const LEGIT_KINDS = LEGIT.map(([name]) => name);

function weighted(r: Rng, table: [string, number, Writer][]): [string, Writer] {
  const total = table.reduce((sum, [, w]) => sum + w, 0);
  let x = r() * total;
  for (const [name, w, g] of table) {
    x -= w;
    if (x < 0) return [name, g];
  }
  const [name, , g] = table[table.length - 1]!;
  return [name, g];
}

/** `count` scenarios, half loops and half legitimate traffic, reproducible for a seed. */
export function* generateScenarios(count: number, seed: number): Generator<GenScenario> {
  const r = mulberry32(seed);
  for (let id = 0; id < count; id += 1) {
    const loop = id % 2 === 0;
    const [kind, generate] = weighted(r, loop ? LOOPS : LEGIT);
    const s = new Script(r, `org-${id % 97}/repo-${id}`);
    generate(s);
    const order = s.events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
    const onset = s.onset === undefined ? undefined : order.findIndex(({ i }) => i === s.onset);
    yield {
      id,
      kind,
      loop,
      ...(loop && onset !== undefined && { onset }),
      events: order.map(({ e }) => e),
    };
  }
}
