/**
 * Classifies a BrokerEvent: priority, urgency, category, stakeholders and the reasons why.
 *
 * Pure and deterministic: the same event and context always give the same answer, with no clock,
 * store or network. RULES is the rubric, tried in order; the first rule that matches decides
 * priority, urgency and category. docs/classification.md documents the same table, and a test
 * keeps the two in step.
 */
import type { BrokerEvent } from '../../core/broker-event.js';
import {
  type Category,
  type Classification,
  DEFAULT_URGENCY,
  type Priority,
  type Urgency,
  lowerPriority,
} from '../../core/classification.js';
import type { CodeOwners } from './codeowners.js';
import {
  CI_KINDS,
  COMMENT_KINDS,
  CONVERSATION_KINDS,
  DEPENDENCY_BOTS,
  DEPENDENCY_BRANCH,
  DISMISSED_SECURITY_ACTIONS,
  FAILING_STATES,
  HOUSEKEEPING_ACTIONS,
  HOUSEKEEPING_KINDS,
  INCIDENT_OPENING_ACTIONS,
  OPENING_SECURITY_ACTIONS,
  PRODUCTION_ENVIRONMENT,
  RESOLVED_SECURITY_ACTIONS,
  SECURITY_KINDS,
  SHIPPING_KINDS,
} from './event-groups.js';
import { incidentLevelOf, isIncidentLabel } from './incident-labels.js';
import { stakeholdersOf } from './stakeholders.js';

export interface ClassifyContext {
  /** The repository's CODEOWNERS, to name the owners of the changed paths. */
  codeowners?: CodeOwners;
  /** Paths the event changed when the caller looked them up (a PR's files); else event.changedPaths. */
  changedPaths?: readonly string[];
}

export interface Verdict {
  priority: Priority;
  urgency: Urgency;
  category: Category;
  reason: string;
}

/** What several rules ask of an event, worked out once per classification. */
export interface RuleFacts {
  action: string;
  mentioned: readonly string[];
}

export interface Rule {
  /** Stable name, listed in docs/classification.md in this order. */
  id: string;
  decide(event: BrokerEvent, facts: RuleFacts): Verdict | undefined;
}

function verdict(
  priority: Priority,
  category: Category,
  reason: string,
  urgency?: Urgency,
): Verdict {
  return { priority, category, reason, urgency: urgency ?? DEFAULT_URGENCY[priority] };
}

function isFailing(event: BrokerEvent): boolean {
  return event.state !== undefined && FAILING_STATES.has(event.state);
}

function onDefaultBranch(event: BrokerEvent, branch = event.branch): boolean {
  return branch !== undefined && branch === event.repo?.defaultBranch;
}

function securityName(event: BrokerEvent): string {
  return SECURITY_KINDS.get(event.kind) ?? 'security finding';
}

function ciName(event: BrokerEvent): string {
  const name = CI_KINDS.get(event.kind) ?? 'Check';
  return event.title === undefined || event.kind === 'page_build'
    ? name
    : `${name} "${event.title}"`;
}

function environmentOf(event: BrokerEvent): string {
  return event.environment ?? event.title ?? 'an unnamed environment';
}

function isRevert(event: BrokerEvent): boolean {
  return event.title?.startsWith('Revert "') === true || /^revert-\d+-/.test(event.branch ?? '');
}

/** `workflow run completed`: the event type and what happened, in words. */
function describe(event: BrokerEvent, what: string | undefined): string {
  const kind = event.kind.replaceAll('_', ' ');
  return what ? `${kind} ${what.replaceAll('_', ' ')}` : kind;
}

function isIssue(event: BrokerEvent): boolean {
  return (
    event.target?.kind === 'issue' && (event.kind === 'issues' || event.kind === 'issue_comment')
  );
}

/** The rubric, in the order it applies. docs/classification.md is this table in words. */
export const RULES: readonly Rule[] = [
  {
    id: 'unknown-event',
    decide: (e) =>
      e.known
        ? undefined
        : verdict(
            'P3',
            'activity',
            `Reynolds does not know "${e.kind}" events yet; kept for the record.`,
          ),
  },
  {
    id: 'security-resolved',
    decide: (e, f) =>
      SECURITY_KINDS.has(e.kind) && RESOLVED_SECURITY_ACTIONS.has(f.action)
        ? verdict(
            'P3',
            'security',
            `The ${securityName(e)} was closed (${f.action}); nothing left to do.`,
          )
        : undefined,
  },
  {
    id: 'security-dismissed',
    decide: (e, f) =>
      SECURITY_KINDS.has(e.kind) && DISMISSED_SECURITY_ACTIONS.has(f.action)
        ? verdict(
            'P2',
            'security',
            `Someone dismissed a ${securityName(e)} instead of fixing it; worth a second look.`,
          )
        : undefined,
  },
  {
    id: 'secret-leaked',
    decide: (e, f) =>
      e.kind === 'secret_scanning_alert' && OPENING_SECURITY_ACTIONS.has(f.action)
        ? verdict(
            'P0',
            'security',
            'A secret was committed to the repository: revoke and rotate it now.',
          )
        : undefined,
  },
  {
    id: 'critical-security',
    decide: (e, f) =>
      SECURITY_KINDS.has(e.kind) &&
      OPENING_SECURITY_ACTIONS.has(f.action) &&
      e.severity === 'critical'
        ? verdict('P0', 'security', `A critical-severity ${securityName(e)} is open.`)
        : undefined,
  },
  {
    id: 'high-security',
    decide: (e, f) =>
      SECURITY_KINDS.has(e.kind) && OPENING_SECURITY_ACTIONS.has(f.action) && e.severity === 'high'
        ? verdict('P1', 'security', `A high-severity ${securityName(e)} is open.`)
        : undefined,
  },
  {
    id: 'repository-made-public',
    decide: (e, f) =>
      e.kind === 'public' || (e.kind === 'repository' && f.action === 'publicized')
        ? verdict(
            'P1',
            'security',
            'The repository was made public: check that nothing private is exposed.',
          )
        : undefined,
  },
  {
    id: 'low-security',
    decide: (e) =>
      SECURITY_KINDS.has(e.kind) && e.severity === 'low'
        ? verdict('P3', 'security', `A low-severity ${securityName(e)}.`)
        : undefined,
  },
  {
    id: 'security-finding',
    decide: (e) => {
      if (!SECURITY_KINDS.has(e.kind)) return undefined;
      const severity = e.severity === undefined ? '' : `${e.severity}-severity `;
      return verdict('P2', 'security', `A ${severity}${securityName(e)} needs a look.`);
    },
  },
  {
    id: 'failed-production-deployment',
    decide: (e) =>
      e.kind === 'deployment_status' &&
      isFailing(e) &&
      PRODUCTION_ENVIRONMENT.test(environmentOf(e))
        ? verdict(
            'P0',
            'ci_failure',
            `The deployment to ${environmentOf(e)} failed: production may be broken or out of date.`,
          )
        : undefined,
  },
  {
    id: 'failed-deployment',
    decide: (e) =>
      e.kind === 'deployment_status' && isFailing(e)
        ? verdict('P1', 'ci_failure', `The deployment to ${environmentOf(e)} failed.`)
        : undefined,
  },
  {
    id: 'ci-failed-on-default-branch',
    decide: (e) =>
      CI_KINDS.has(e.kind) && isFailing(e) && onDefaultBranch(e)
        ? verdict(
            'P1',
            'ci_failure',
            `${ciName(e)} failed on the default branch (${e.branch}), which is broken for everyone.`,
            'immediate',
          )
        : undefined,
  },
  {
    id: 'ci-failed',
    decide: (e) => {
      if (!CI_KINDS.has(e.kind) || !isFailing(e)) return undefined;
      const where =
        e.branch === undefined ? 'on a branch GitHub did not name' : `on branch ${e.branch}`;
      return verdict(
        'P2',
        'ci_failure',
        `${ciName(e)} failed ${where}, not on the default branch.`,
      );
    },
  },
  {
    id: 'revert-landed',
    decide: (e, f) => {
      const mergedPr =
        e.kind === 'pull_request' &&
        f.action === 'closed' &&
        e.state === 'merged' &&
        onDefaultBranch(e, e.baseBranch);
      const pushed = e.kind === 'push' && onDefaultBranch(e);
      if (!(mergedPr || pushed) || !isRevert(e)) return undefined;
      const branch = mergedPr ? e.baseBranch : e.branch;
      return verdict(
        'P1',
        'incident',
        `A revert landed on the default branch (${branch}): something that shipped was rolled back.`,
      );
    },
  },
  {
    id: 'incident-reported',
    decide: (e, f) => {
      const level = isIssue(e) && e.kind === 'issues' ? incidentLevelOf(e.labels) : undefined;
      if (level === undefined) return undefined;
      const labelledNow =
        f.action === 'labeled' && e.changedLabel !== undefined && isIncidentLabel(e.changedLabel);
      if (!INCIDENT_OPENING_ACTIONS.has(f.action) && !labelledNow) return undefined;
      const what = labelledNow
        ? `An issue was labelled "${e.changedLabel}"`
        : `An issue labelled "${level.label}" was ${f.action}`;
      return verdict(level.priority, 'incident', `${what}: ${level.meaning}.`);
    },
  },
  {
    id: 'incident-update',
    decide: (e, f) => {
      const level = isIssue(e) ? incidentLevelOf(e.labels) : undefined;
      if (level === undefined) return undefined;
      const what =
        e.kind === 'issue_comment' ? 'A comment' : `An update (${f.action || 'no action'})`;
      return verdict(
        lowerPriority(level.priority),
        'incident',
        `${what} on an issue labelled "${level.label}".`,
      );
    },
  },
  {
    id: 'deployment-waiting',
    decide: (e, f) =>
      e.kind === 'deployment_review' && f.action === 'requested'
        ? verdict(
            'P1',
            'review_request',
            `A deployment to ${environmentOf(e)} is waiting for approval.`,
          )
        : undefined,
  },
  {
    id: 'dependency-update',
    decide: (e) => {
      if (e.target?.kind !== 'pull_request') return undefined;
      const bot = e.author !== undefined && DEPENDENCY_BOTS.has(e.author.toLowerCase());
      if (!bot && !DEPENDENCY_BRANCH.test(e.branch ?? '')) return undefined;
      return verdict(
        'P3',
        'dependency_update',
        `A dependency update${bot ? ` from ${e.author}` : ''}; these are best batched.`,
      );
    },
  },
  {
    id: 'review-requested',
    decide: (e, f) =>
      e.kind === 'pull_request' && f.action === 'review_requested'
        ? verdict(
            'P2',
            'review_request',
            `${e.changedReviewer ?? 'Someone'} was asked to review, and the author waits on it.`,
            'today',
          )
        : undefined,
  },
  {
    id: 'bot-housekeeping',
    decide: (e, f) =>
      e.actor?.isBot === true && HOUSEKEEPING_ACTIONS.has(f.action)
        ? verdict(
            'P3',
            'housekeeping',
            `${e.actor.login} (a bot) ${f.action.replaceAll('_', ' ')} it: bot housekeeping.`,
          )
        : undefined,
  },
  {
    id: 'housekeeping-event',
    decide: (e) =>
      HOUSEKEEPING_KINDS.has(e.kind)
        ? verdict(
            'P3',
            'housekeeping',
            `Administration, not work on the code (${describe(e, e.action)}).`,
          )
        : undefined,
  },
  {
    id: 'release-published',
    decide: (e, f) =>
      e.kind === 'release' && (f.action === 'published' || f.action === 'released')
        ? verdict(
            'P2',
            'release',
            `Release ${e.target?.key ?? e.title ?? '(untagged)'} was published.`,
          )
        : undefined,
  },
  {
    id: 'shipping',
    decide: (e, f) =>
      SHIPPING_KINDS.has(e.kind)
        ? verdict(
            'P3',
            'release',
            `Release or deployment progress (${describe(e, f.action || e.state)}).`,
          )
        : undefined,
  },
  {
    id: 'discussion-started',
    decide: (e, f) =>
      e.kind === 'discussion' && f.action === 'created'
        ? verdict('P2', 'discussion', 'A new discussion was started.')
        : undefined,
  },
  {
    id: 'mentioned-in-comment',
    decide: (e, f) =>
      COMMENT_KINDS.has(e.kind) && f.action === 'created' && f.mentioned.length > 0
        ? verdict(
            'P2',
            'discussion',
            `A comment addresses ${f.mentioned.map((login) => `@${login}`).join(', ')}.`,
          )
        : undefined,
  },
  {
    id: 'conversation',
    decide: (e) =>
      CONVERSATION_KINDS.has(e.kind)
        ? verdict('P3', 'discussion', 'Conversation that asks nothing of anyone in particular.')
        : undefined,
  },
  {
    id: 'work-opened',
    decide: (e, f) => {
      const opened = ['opened', 'reopened', 'ready_for_review'].includes(f.action);
      if (!opened || (e.kind !== 'pull_request' && e.kind !== 'issues')) return undefined;
      const thing = e.target?.kind === 'pull_request' ? 'pull request' : 'issue';
      const state = f.action === 'ready_for_review' ? 'is ready for review' : `was ${f.action}`;
      return verdict('P2', 'activity', `A ${thing} ${state}; someone needs to look at it.`);
    },
  },
  {
    id: 'review-verdict',
    decide: (e, f) => {
      if (e.kind !== 'pull_request_review' || f.action !== 'submitted') return undefined;
      if (e.state !== 'approved' && e.state !== 'changes_requested') return undefined;
      const what = e.state === 'approved' ? 'approved the pull request' : 'requested changes';
      return verdict(
        'P2',
        'activity',
        `${e.actor?.login ?? 'A reviewer'} ${what}; the author has the next move.`,
      );
    },
  },
  {
    id: 'activity',
    decide: (e, f) =>
      verdict('P3', 'activity', `Ordinary development activity (${describe(e, f.action)}).`),
  },
];

export function classify(event: BrokerEvent, context: ClassifyContext = {}): Classification {
  const people = stakeholdersOf(event, {
    codeowners: context.codeowners,
    changedPaths: context.changedPaths ?? event.changedPaths,
  });
  const facts: RuleFacts = { action: event.action ?? '', mentioned: people.mentioned };
  const { rule, decided } = firstVerdict(event, facts);
  const reasons = [decided.reason];
  if (people.codeOwners.length > 0) {
    reasons.push(
      `CODEOWNERS names ${people.codeOwners.map((owner) => `@${owner}`).join(', ')} for the changed files.`,
    );
  }
  return {
    priority: decided.priority,
    urgency: decided.urgency,
    category: decided.category,
    stakeholders: people.stakeholders,
    reasons,
    rule,
  };
}

function firstVerdict(event: BrokerEvent, facts: RuleFacts): { rule: string; decided: Verdict } {
  for (const rule of RULES) {
    const decided = rule.decide(event, facts);
    if (decided !== undefined) return { rule: rule.id, decided };
  }
  // Unreachable while `activity` is last and always answers; kept so a reordering cannot crash.
  return {
    rule: 'activity',
    decided: verdict(
      'P3',
      'activity',
      `Ordinary development activity (${describe(event, facts.action)}).`,
    ),
  };
}
