/**
 * A synthetic but realistic history for the interventions benchmark: several repositories of one
 * organisation over some weeks, with PRs (opened, reviewed, pushed, merged), CI on the default
 * branch, deployments waiting for approval, cross-repository dependencies written in PR bodies,
 * and a release train with a due date. Times follow skewed (log-normal) distributions like real
 * review and repair times; a share of each is pushed past its limit.
 *
 * Every trouble in the history is listed with its impact time: a first review after the SLA, a
 * default branch red past the limit, a deployment waiting past the limit, a PR not updated within
 * the limit after its dependency merged, a train item still open at the due date. Troubles are
 * read off the generated timeline itself (a naturally slow review counts too), not only the ones
 * planted on purpose. The generator shares no code with src/orchestration: it knows the limits as
 * numbers it is given, and it emits plain BrokerEvents (src/core).
 */
import type { BrokerEvent } from '../../src/core/broker-event.js';
import { mulberry32 } from '../../tests/support/prng.js';

export interface Limits {
  reviewSlaMs: number;
  redBranchMs: number;
  deploymentWaitMs: number;
  dependencyUpdateMs: number;
}

export type TroubleKind =
  'review_sla' | 'red_branch' | 'deployment_wait' | 'stale_dependent' | 'train_missed';

export interface Trouble {
  kind: TroubleKind;
  repo: string;
  /** PR or issue number; the branch for red_branch; the run key for deployment_wait. */
  subject: string;
  impactAt: number;
  /** Planted on purpose (true) or a natural tail of the distributions (false). */
  planted: boolean;
}

export interface History {
  events: Array<{ at: number; event: BrokerEvent }>;
  troubles: Trouble[];
  prs: number;
  repos: string[];
  start: number;
  end: number;
  train: { name: string; dueOn: number };
}

export interface HistoryOptions {
  seed: number;
  weeks: number;
  repos: number;
  /** PRs per repository per working day, on average. */
  prsPerDay: number;
  limits: Limits;
  tenantId?: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const REPO_NAMES = [
  'api',
  'web',
  'db',
  'mobile',
  'infra',
  'docs',
  'auth',
  'billing',
  'search',
  'ui',
];
const PEOPLE = [
  'ana',
  'ben',
  'chen',
  'dara',
  'eli',
  'femi',
  'gus',
  'hana',
  'ivo',
  'jun',
  'kai',
  'lea',
];

export function generateHistory(options: HistoryOptions): History {
  const random = mulberry32(options.seed);
  const { limits } = options;
  const tenantId = options.tenantId ?? 'bench-tenant';
  const start = Date.UTC(2026, 2, 2, 8, 0); // a Monday, 08:00 UTC
  const end = start + options.weeks * 7 * DAY;
  const repos = REPO_NAMES.slice(0, options.repos).map((name) => `acme/${name}`);
  const events: History['events'] = [];
  const troubles: Trouble[] = [];
  const numbers = new Map<string, number>(repos.map((repo) => [repo, 0]));
  const train = { name: 'v3.0', dueOn: start + (options.weeks - 1) * 7 * DAY + 4 * DAY + 9 * HOUR };
  let delivery = 0;

  /** Log-normal with the given median; sigma 1 spans roughly x/3..x*3 for most draws. */
  const logNormal = (medianMs: number, sigma: number) => {
    const u = Math.max(random(), 1e-12);
    const v = random();
    return medianMs * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  };
  const uniform = (low: number, high: number) => low + (high - low) * random();
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  /** A working-hours moment of the day that starts at `day`. */
  const workTime = (day: number) => day + uniform(0, 9 * HOUR);

  const emit = (
    at: number,
    repo: string,
    fields: Partial<BrokerEvent> & Pick<BrokerEvent, 'kind'>,
  ) => {
    if (at >= end) return;
    const [owner, name] = repo.split('/') as [string, string];
    delivery += 1;
    const iso = new Date(at).toISOString();
    events.push({
      at,
      event: {
        tenantId,
        deliveryId: `bench-${delivery}`,
        known: true,
        labels: [],
        occurredAt: iso,
        receivedAt: iso,
        repo: { owner, name, fullName: repo, defaultBranch: 'main' },
        actor: { login: pick(PEOPLE), isBot: false },
        ...fields,
      },
    });
  };

  interface Pr {
    repo: string;
    number: number;
    author: string;
    openedAt: number;
    mergedAt: number;
    train: boolean;
  }
  const prs: Pr[] = [];
  const redUntil = new Map<string, number>();
  const prEvent = (
    pr: Pr,
    action: string,
    fields: Partial<BrokerEvent> = {},
  ): Partial<BrokerEvent> & Pick<BrokerEvent, 'kind'> => ({
    kind: 'pull_request',
    action,
    target: { kind: 'pull_request', key: `#${pr.number}`, number: pr.number },
    author: pr.author,
    branch: `${pr.author}/change-${pr.number}`,
    state: 'open',
    url: `https://github.com/${pr.repo}/pull/${pr.number}`,
    ...(pr.train && {
      milestone: { title: train.name, dueOn: new Date(train.dueOn).toISOString() },
    }),
    ...fields,
  });

  // Pull requests: opened on working days, reviewed after a skewed delay, merged later.
  for (let day = start; day < end; day += DAY) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (const repo of repos) {
      let count = 0;
      while (random() < options.prsPerDay / (count + 1) && count < 6) count += 1;
      for (let i = 0; i < count; i += 1) {
        const number = numbers.get(repo)! + 1;
        numbers.set(repo, number);
        const author = pick(PEOPLE);
        const openedAt = workTime(day);
        // 4% are forgotten by reviewers on purpose; the rest take a log-normal time (median 2 h).
        const forgotten = random() < 0.04;
        const reviewDelay = forgotten
          ? limits.reviewSlaMs + uniform(1 * HOUR, 30 * HOUR)
          : logNormal(2 * HOUR, 0.9);
        const reviewedAt = openedAt + reviewDelay;
        const mergedAt = reviewedAt + logNormal(3 * HOUR, 0.8);
        const onTrain =
          repos.indexOf(repo) < 3 &&
          openedAt > train.dueOn - 14 * DAY &&
          openedAt < train.dueOn - 4 * DAY &&
          random() < 0.5;
        const pr: Pr = { repo, number, author, openedAt, mergedAt, train: onTrain };
        prs.push(pr);
        if (reviewDelay > limits.reviewSlaMs && openedAt + limits.reviewSlaMs < end)
          troubles.push({
            kind: 'review_sla',
            repo,
            subject: String(number),
            impactAt: openedAt + limits.reviewSlaMs,
            planted: forgotten,
          });
        emit(openedAt, repo, prEvent(pr, 'opened', { body: 'Small change.' }));
        const reviewer = pick(PEOPLE.filter((p) => p !== author));
        emit(reviewedAt, repo, {
          kind: 'pull_request_review',
          action: 'submitted',
          target: { kind: 'pull_request', key: `#${number}`, number },
          author,
          state: 'approved',
          actor: { login: reviewer, isBot: false },
        });
        emit(mergedAt, repo, prEvent(pr, 'closed', { state: 'merged' }));
        if (onTrain && mergedAt > train.dueOn)
          troubles.push({
            kind: 'train_missed',
            repo,
            subject: String(number),
            impactAt: train.dueOn,
            planted: false,
          });
        // CI on the default branch after the merge: mostly green; a red one is fixed after a while.
        // One red spell at a time per repository: the branch's state is its latest run's.
        const redAt = mergedAt + 10 * MINUTE;
        if (random() < 0.08 && redAt > (redUntil.get(repo) ?? 0)) {
          emit(mergedAt + 10 * MINUTE, repo, {
            kind: 'check_suite',
            action: 'completed',
            target: { kind: 'check', key: `suite-${delivery}` },
            branch: 'main',
            state: 'failure',
          });
          const long = random() < 0.25;
          const redFor = long
            ? limits.redBranchMs + uniform(HOUR, 6 * HOUR)
            : logNormal(35 * MINUTE, 0.6);
          redUntil.set(repo, redAt + redFor);
          emit(mergedAt + 10 * MINUTE + redFor, repo, {
            kind: 'check_suite',
            action: 'completed',
            target: { kind: 'check', key: `suite-${delivery}` },
            branch: 'main',
            state: 'success',
          });
          if (redFor > limits.redBranchMs)
            troubles.push({
              kind: 'red_branch',
              repo,
              subject: 'main',
              impactAt: mergedAt + 10 * MINUTE + limits.redBranchMs,
              planted: long,
            });
        }
      }
    }
  }

  // Cross-repository dependencies: some web/mobile PRs depend on an api/db PR opened before them;
  // after it merges they must be updated (a push) within the limit.
  const providers = prs.filter((pr) => /\/(api|db)$/.test(pr.repo));
  for (const dependent of prs.filter((pr) => /\/(web|mobile)$/.test(pr.repo))) {
    if (random() > 0.15) continue;
    const candidates = providers.filter(
      (p) =>
        p.openedAt < dependent.openedAt &&
        p.mergedAt > dependent.openedAt + HOUR &&
        p.mergedAt < dependent.mergedAt,
    );
    if (candidates.length === 0) continue;
    const dependency = pick(candidates);
    emit(
      dependent.openedAt + MINUTE,
      dependent.repo,
      prEvent(dependent, 'edited', { body: `Depends on ${dependency.repo}#${dependency.number}` }),
    );
    const stale = random() < 0.12;
    const updateAfter = stale
      ? limits.dependencyUpdateMs + uniform(4 * HOUR, 40 * HOUR)
      : logNormal(4 * HOUR, 0.8);
    const pushedAt = dependency.mergedAt + updateAfter;
    // The dependent merges after its update, whatever it had planned.
    dependent.mergedAt = Math.max(dependent.mergedAt, pushedAt + HOUR);
    events.splice(
      events.findIndex(
        (e) =>
          e.event.kind === 'pull_request' &&
          e.event.action === 'closed' &&
          e.event.repo?.fullName === dependent.repo &&
          e.event.target?.number === dependent.number,
      ) >>> 0,
      1,
    );
    emit(pushedAt, dependent.repo, prEvent(dependent, 'synchronize'));
    emit(dependent.mergedAt, dependent.repo, prEvent(dependent, 'closed', { state: 'merged' }));
    if (
      updateAfter > limits.dependencyUpdateMs &&
      dependency.mergedAt + limits.dependencyUpdateMs < end
    )
      troubles.push({
        kind: 'stale_dependent',
        repo: dependent.repo,
        subject: String(dependent.number),
        impactAt: dependency.mergedAt + limits.dependencyUpdateMs,
        planted: stale,
      });
  }

  // The train: issues on it in three repositories; some blocked by another item. A blocker that
  // lands late holds its issue past the due date (planted); the others land in time.
  for (let i = 0; i < 12; i += 1) {
    const repo = repos[i % 3]!;
    const number = numbers.get(repo)! + 1;
    numbers.set(repo, number + 1);
    const blockerNumber = number + 1;
    const openedAt = train.dueOn - uniform(12 * DAY, 16 * DAY);
    const milestone = { title: train.name, dueOn: new Date(train.dueOn).toISOString() };
    const late = random() < 0.3;
    const blockerDoneAt = late
      ? train.dueOn + uniform(HOUR, 3 * DAY)
      : train.dueOn - uniform(5 * DAY, 9 * DAY);
    const issueDoneAt = blockerDoneAt + uniform(2 * HOUR, 20 * HOUR);
    const issueEvent = (action: string, at: number, fields: Partial<BrokerEvent> = {}) =>
      emit(at, repo, {
        kind: 'issues',
        action,
        target: { kind: 'issue', key: `#${number}`, number },
        author: pick(PEOPLE),
        state: 'open',
        milestone,
        ...fields,
      });
    emit(openedAt - HOUR, repo, {
      kind: 'issues',
      action: 'opened',
      target: { kind: 'issue', key: `#${blockerNumber}`, number: blockerNumber },
      author: pick(PEOPLE),
      state: 'open',
      body: 'Groundwork.',
    });
    issueEvent('opened', openedAt, { body: `Blocked by #${blockerNumber}` });
    emit(blockerDoneAt, repo, {
      kind: 'issues',
      action: 'closed',
      target: { kind: 'issue', key: `#${blockerNumber}`, number: blockerNumber },
      state: 'closed',
    });
    issueEvent('closed', issueDoneAt, { state: 'closed' });
    if (issueDoneAt > train.dueOn)
      troubles.push({
        kind: 'train_missed',
        repo,
        subject: String(number),
        impactAt: train.dueOn,
        planted: late,
      });
  }

  // Deployments waiting for approval: one a working day in the first two repositories.
  let run = 0;
  for (let day = start; day < end; day += DAY) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (const repo of repos.slice(0, 2)) {
      run += 1;
      const at = workTime(day);
      const forgotten = random() < 0.06;
      const wait = forgotten
        ? limits.deploymentWaitMs + uniform(HOUR, 12 * HOUR)
        : logNormal(20 * MINUTE, 0.9);
      const target = { kind: 'workflow' as const, key: `run-${run}` };
      emit(at, repo, {
        kind: 'deployment_review',
        action: 'requested',
        target,
        environment: 'production',
      });
      emit(at + wait, repo, {
        kind: 'deployment_review',
        action: 'approved',
        target,
        environment: 'production',
      });
      if (wait > limits.deploymentWaitMs && at + limits.deploymentWaitMs < end)
        troubles.push({
          kind: 'deployment_wait',
          repo,
          subject: target.key,
          impactAt: at + limits.deploymentWaitMs,
          planted: forgotten,
        });
    }
  }

  events.sort((a, b) => a.at - b.at);
  return { events, troubles, prs: prs.length, repos, start, end, train };
}
