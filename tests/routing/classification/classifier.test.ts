import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { BrokerEvent } from '../../../src/core/broker-event.js';
import { normalise } from '../../../src/github/normalise.js';
import {
  CATEGORIES,
  type Category,
  type Classification,
  type Priority,
  URGENCIES,
} from '../../../src/core/classification.js';
import {
  RULES,
  classify,
  type ClassifyContext,
} from '../../../src/routing/classification/classifier.js';
import { parseCodeOwners } from '../../../src/routing/classification/codeowners.js';
import { mentionsIn } from '../../../src/routing/classification/mentions.js';
import {
  exampleOf,
  loadWebhookExamples,
  type WebhookExample,
} from '../../support/webhook-examples.js';

function eventOf(event: string, payload: unknown): BrokerEvent {
  return normalise({
    tenantId: 'tenant-1',
    deliveryId: 'delivery-1',
    event,
    payload: payload as Record<string, unknown>,
    receivedAt: Date.UTC(2030, 0, 1),
  });
}

function classifyPayload(
  event: string,
  payload: unknown,
  context?: ClassifyContext,
): Classification {
  return classify(eventOf(event, payload), context);
}

function classifyExample(example: WebhookExample, context?: ClassifyContext): Classification {
  return classifyPayload(example.event, example.payload, context);
}

/** A writable copy of a recorded payload, for the variants the recordings lack. */
function copyOf(
  event: string,
  action: string | undefined,
  where?: (payload: Record<string, any>) => boolean,
): Record<string, any> {
  return structuredClone(exampleOf(event, action, where).payload) as Record<string, any>;
}

type Expected = readonly [Priority, Category];

/**
 * Priority and category for every recorded (event, action), worked out from the rubric in
 * docs/classification.md by hand, not by running the classifier. `-` stands for "no action".
 */
const EXPECTED: Record<string, Expected> = {
  'branch_protection_rule:created': ['P3', 'housekeeping'],
  'branch_protection_rule:deleted': ['P3', 'housekeeping'],
  'branch_protection_rule:edited': ['P3', 'housekeeping'],
  'check_run:completed': ['P3', 'activity'],
  'check_run:created': ['P3', 'activity'],
  'check_run:requested_action': ['P3', 'activity'],
  'check_run:rerequested': ['P3', 'activity'],
  'check_suite:completed': ['P3', 'activity'],
  'check_suite:requested': ['P3', 'activity'],
  'check_suite:rerequested': ['P3', 'activity'],
  'code_scanning_alert:closed_by_user': ['P2', 'security'],
  'code_scanning_alert:created': ['P1', 'security'], // rule severity `error`: high
  'code_scanning_alert:fixed': ['P3', 'security'],
  'code_scanning_alert:reopened': ['P3', 'security'], // rule severity `note`: low
  'commit_comment:created': ['P3', 'discussion'],
  'create:-': ['P3', 'housekeeping'],
  'delete:-': ['P3', 'housekeeping'],
  'dependabot_alert:created': ['P2', 'security'], // medium
  'dependabot_alert:fixed': ['P3', 'security'],
  'deploy_key:created': ['P3', 'housekeeping'],
  'deployment:created': ['P3', 'release'],
  'deployment_review:requested': ['P1', 'review_request'],
  'deployment_status:created': ['P3', 'release'], // success and in_progress only
  'discussion:answered': ['P3', 'discussion'],
  'discussion:category_changed': ['P3', 'discussion'],
  'discussion:created': ['P2', 'discussion'],
  'discussion:edited': ['P3', 'discussion'],
  'discussion:labeled': ['P3', 'discussion'],
  'discussion:locked': ['P3', 'discussion'],
  'discussion:pinned': ['P3', 'discussion'],
  'discussion:transferred': ['P3', 'discussion'],
  'discussion:unanswered': ['P3', 'discussion'],
  'discussion:unlabeled': ['P3', 'discussion'],
  'discussion:unlocked': ['P3', 'discussion'],
  'discussion_comment:created': ['P3', 'discussion'],
  'discussion_comment:deleted': ['P3', 'discussion'],
  'discussion_comment:edited': ['P3', 'discussion'],
  'fork:-': ['P3', 'housekeeping'],
  'github_app_authorization:revoked': ['P3', 'housekeeping'],
  'gollum:-': ['P3', 'activity'],
  'installation:created': ['P3', 'housekeeping'],
  'installation:deleted': ['P3', 'housekeeping'],
  'installation:new_permissions_accepted': ['P3', 'housekeeping'],
  'installation:suspend': ['P3', 'housekeeping'],
  'installation:unsuspend': ['P3', 'housekeeping'],
  'installation_repositories:added': ['P3', 'housekeeping'],
  'installation_repositories:removed': ['P3', 'housekeeping'],
  // The recorded issue carries the `bug` label: every comment is an update on an incident (P2 - 1).
  'issue_comment:created': ['P3', 'incident'],
  'issue_comment:deleted': ['P3', 'incident'],
  'issue_comment:edited': ['P3', 'incident'],
  'issues:assigned': ['P3', 'incident'],
  'issues:deleted': ['P3', 'incident'],
  'issues:demilestoned': ['P3', 'activity'], // about a PR: a bug label on a PR is not an incident
  'issues:edited': ['P3', 'incident'],
  'issues:labeled': ['P2', 'incident'], // labelled `bug`
  'issues:locked': ['P3', 'incident'],
  'issues:milestoned': ['P3', 'activity'], // about a PR
  'issues:opened': ['P2', 'incident'],
  'issues:pinned': ['P3', 'activity'], // no labels in this payload
  'issues:reopened': ['P2', 'incident'],
  'issues:transferred': ['P3', 'activity'], // no labels in this payload
  'issues:unassigned': ['P3', 'incident'],
  'issues:unlabeled': ['P3', 'incident'],
  'issues:unlocked': ['P3', 'incident'],
  'issues:unpinned': ['P3', 'activity'],
  'label:created': ['P3', 'housekeeping'],
  'label:deleted': ['P3', 'housekeeping'],
  'label:edited': ['P3', 'housekeeping'],
  'marketplace_purchase:cancelled': ['P3', 'housekeeping'],
  'marketplace_purchase:changed': ['P3', 'housekeeping'],
  'marketplace_purchase:purchased': ['P3', 'housekeeping'],
  'member:added': ['P3', 'housekeeping'],
  'member:edited': ['P3', 'housekeeping'],
  'membership:added': ['P3', 'housekeeping'],
  'membership:removed': ['P3', 'housekeeping'],
  'merge_group:checks_requested': ['P3', 'activity'],
  'meta:deleted': ['P3', 'housekeeping'],
  'milestone:closed': ['P3', 'housekeeping'],
  'milestone:created': ['P3', 'housekeeping'],
  'milestone:deleted': ['P3', 'housekeeping'],
  'org_block:blocked': ['P3', 'housekeeping'],
  'org_block:unblocked': ['P3', 'housekeeping'],
  'organization:member_added': ['P3', 'housekeeping'],
  'organization:member_invited': ['P3', 'housekeeping'],
  'organization:renamed': ['P3', 'housekeeping'],
  'package:published': ['P3', 'release'],
  'page_build:-': ['P3', 'activity'], // built
  'ping:-': ['P3', 'housekeeping'],
  'project:created': ['P3', 'housekeeping'],
  'project_card:created': ['P3', 'housekeeping'],
  'project_card:deleted': ['P3', 'housekeeping'],
  'project_card:moved': ['P3', 'housekeeping'],
  'project_column:created': ['P3', 'housekeeping'],
  'project_column:edited': ['P3', 'housekeeping'],
  'projects_v2_item:archived': ['P3', 'housekeeping'],
  'projects_v2_item:converted': ['P3', 'housekeeping'],
  'projects_v2_item:created': ['P3', 'housekeeping'],
  'projects_v2_item:edited': ['P3', 'housekeeping'],
  'projects_v2_item:reordered': ['P3', 'housekeeping'],
  'projects_v2_item:restored': ['P3', 'housekeeping'],
  'public:-': ['P1', 'security'],
  'pull_request:assigned': ['P3', 'activity'],
  'pull_request:closed': ['P3', 'activity'],
  'pull_request:converted_to_draft': ['P3', 'activity'],
  'pull_request:labeled': ['P3', 'activity'],
  'pull_request:locked': ['P3', 'activity'],
  'pull_request:opened': ['P2', 'activity'],
  'pull_request:ready_for_review': ['P2', 'activity'],
  'pull_request:reopened': ['P2', 'activity'],
  'pull_request:review_request_removed': ['P3', 'activity'],
  'pull_request:review_requested': ['P2', 'review_request'],
  'pull_request:synchronize': ['P3', 'activity'],
  'pull_request:unassigned': ['P3', 'activity'],
  'pull_request:unlabeled': ['P3', 'activity'],
  'pull_request:unlocked': ['P3', 'activity'],
  'pull_request_review:dismissed': ['P3', 'activity'],
  'pull_request_review:submitted': ['P3', 'activity'], // the recorded reviews only comment
  'pull_request_review_comment:created': ['P3', 'discussion'],
  'pull_request_review_comment:deleted': ['P3', 'discussion'],
  'pull_request_review_comment:edited': ['P3', 'discussion'],
  'pull_request_review_thread:resolved': ['P3', 'discussion'],
  'pull_request_review_thread:unresolved': ['P3', 'discussion'],
  'push:-': ['P3', 'activity'],
  'release:created': ['P3', 'release'],
  'release:deleted': ['P3', 'release'],
  'release:edited': ['P3', 'release'],
  'release:prereleased': ['P3', 'release'],
  'release:published': ['P2', 'release'],
  'release:released': ['P2', 'release'],
  'repository:created': ['P3', 'housekeeping'],
  'repository:edited': ['P3', 'housekeeping'],
  'repository:privatized': ['P3', 'housekeeping'],
  'repository:publicized': ['P1', 'security'],
  'repository:renamed': ['P3', 'housekeeping'],
  'repository:transferred': ['P3', 'housekeeping'],
  'repository_dispatch:on-demand-test': ['P3', 'activity'],
  'repository_import:-': ['P3', 'housekeeping'],
  'repository_vulnerability_alert:create': ['P2', 'security'], // moderate
  'repository_vulnerability_alert:dismiss': ['P2', 'security'],
  'security_advisory:published': ['P2', 'security'], // moderate
  'security_advisory:updated': ['P2', 'security'],
  'security_advisory:withdrawn': ['P3', 'security'], // critical, but withdrawn
  'sponsorship:created': ['P3', 'housekeeping'],
  'sponsorship:pending_tier_change': ['P3', 'housekeeping'],
  'star:created': ['P3', 'housekeeping'],
  'star:deleted': ['P3', 'housekeeping'],
  'status:-': ['P3', 'activity'], // all recorded statuses succeed
  'team:added_to_repository': ['P3', 'housekeeping'],
  'team:created': ['P3', 'housekeeping'],
  'team:deleted': ['P3', 'housekeeping'],
  'team:edited': ['P3', 'housekeeping'],
  'team:removed_from_repository': ['P3', 'housekeeping'],
  'team_add:-': ['P3', 'housekeeping'],
  'watch:started': ['P3', 'housekeeping'],
  'workflow_dispatch:-': ['P3', 'activity'],
  'workflow_job:completed': ['P3', 'activity'],
  'workflow_job:in_progress': ['P3', 'activity'],
  'workflow_job:queued': ['P3', 'activity'],
  'workflow_job:waiting': ['P3', 'activity'],
  'workflow_run:completed': ['P3', 'activity'],
  'workflow_run:requested': ['P3', 'activity'],
};

/** Recorded payloads that differ from the rest of their (event, action), by `event#index`. */
const EXPECTED_EXCEPTIONS: Record<string, Expected> = {
  // Failed on branch `changes`; the default branch is `master`.
  'check_run#1': ['P2', 'ci_failure'],
  // Failed on `main`, but this repository's default branch is `master`.
  'workflow_job#1': ['P2', 'ci_failure'],
};

const pairOf = (example: WebhookExample): string => `${example.event}:${example.action ?? '-'}`;

function assertWellFormed(result: Classification): void {
  assert.ok(URGENCIES.includes(result.urgency));
  assert.ok(CATEGORIES.includes(result.category));
  assert.ok(
    result.reasons.length > 0 && result.reasons.every((reason) => reason.trim().length > 0),
  );
  assert.ok(RULES.some((rule) => rule.id === result.rule));
  const lower = result.stakeholders.map((login) => login.toLowerCase());
  assert.equal(new Set(lower).size, lower.length, 'stakeholders are deduplicated ignoring case');
  assert.ok(!lower.some((login) => login.endsWith('[bot]')), 'bots are not stakeholders');
}

describe('classify', () => {
  describe('every recorded payload (@octokit/webhooks-examples)', () => {
    const examples = loadWebhookExamples();

    it('has an expectation for exactly the recorded (event, action) pairs', () => {
      const recorded = [...new Set(examples.map(pairOf))].sort();
      assert.deepEqual(recorded, Object.keys(EXPECTED).sort());
      assert.equal(new Set(examples.map((example) => example.event)).size, 58);
    });

    it('has exceptions only for recorded payloads', () => {
      const names = new Set(examples.map((example) => `${example.event}#${example.index}`));
      for (const name of Object.keys(EXPECTED_EXCEPTIONS)) assert.ok(names.has(name), name);
    });

    for (const example of examples) {
      const name = `${example.event}#${example.index}`;
      it(`${name} (${example.action ?? 'no action'})`, () => {
        const expected = EXPECTED_EXCEPTIONS[name] ?? EXPECTED[pairOf(example)];
        assert.ok(expected, `no expectation for ${pairOf(example)}`);
        const result = classifyExample(example);
        assert.deepEqual([result.priority, result.category], expected, result.reasons.join(' '));
        assertWellFormed(result);
      });
    }
  });

  describe('security', () => {
    const dependabot = (severity: string): Classification => {
      const payload = copyOf('dependabot_alert', 'created');
      payload.alert.security_advisory.severity = severity;
      payload.alert.security_vulnerability.severity = severity;
      return classifyPayload('dependabot_alert', payload);
    };

    it('ranks an alert by severity: critical P0, high P1, medium P2, low P3', () => {
      assert.deepEqual(pick(dependabot('critical')), [
        'P0',
        'immediate',
        'security',
        'critical-security',
      ]);
      assert.deepEqual(pick(dependabot('high')), ['P1', 'today', 'security', 'high-security']);
      assert.deepEqual(pick(dependabot('medium')), [
        'P2',
        'this_week',
        'security',
        'security-finding',
      ]);
      assert.deepEqual(pick(dependabot('low')), ['P3', 'whenever', 'security', 'low-security']);
      assert.equal(dependabot('high').reasons[0], 'A high-severity Dependabot alert is open.');
    });

    it('a code-scanning security severity outranks the rule severity', () => {
      const payload = copyOf('code_scanning_alert', 'reopened');
      assert.equal(classifyPayload('code_scanning_alert', payload).priority, 'P3');
      payload.alert.rule.security_severity_level = 'critical';
      assert.equal(classifyPayload('code_scanning_alert', payload).priority, 'P0');
    });

    it('a critical advisory published is P0; the same advisory withdrawn is P3', () => {
      const payload = copyOf('security_advisory', 'published');
      payload.security_advisory.severity = 'critical';
      assert.deepEqual(pick(classifyPayload('security_advisory', payload)), [
        'P0',
        'immediate',
        'security',
        'critical-security',
      ]);
      assert.equal(classifyExample(exampleOf('security_advisory', 'withdrawn')).priority, 'P3');
    });

    it('a fixed critical alert asks nothing of anyone', () => {
      const payload = copyOf('dependabot_alert', 'fixed');
      payload.alert.security_advisory.severity = 'critical';
      assert.deepEqual(pick(classifyPayload('dependabot_alert', payload)), [
        'P3',
        'whenever',
        'security',
        'security-resolved',
      ]);
    });

    it('a leaked secret is P0 whatever its (absent) severity', () => {
      const result = classifyPayload('secret_scanning_alert', {
        action: 'created',
        alert: { number: 3, secret_type: 'github_personal_access_token', state: 'open' },
        repository: { name: 'r', full_name: 'o/r', owner: { login: 'o' } },
      });
      assert.deepEqual(pick(result), ['P0', 'immediate', 'security', 'secret-leaked']);
    });
  });

  describe('CI and deployments', () => {
    const failingCheck = (branch: string): Classification => {
      const payload = copyOf('check_run', 'completed', (p) => p.check_run.conclusion === 'failure');
      payload.check_run.check_suite.head_branch = branch;
      return classifyPayload('check_run', payload);
    };

    it('a failing check on the default branch is P1 and immediate; on a feature branch P2', () => {
      assert.deepEqual(pick(failingCheck('master')), [
        'P1',
        'immediate',
        'ci_failure',
        'ci-failed-on-default-branch',
      ]);
      assert.equal(
        failingCheck('master').reasons[0],
        'Check "Octocoders-linter" failed on the default branch (master), which is broken for everyone.',
      );
      assert.deepEqual(pick(failingCheck('changes')), [
        'P2',
        'this_week',
        'ci_failure',
        'ci-failed',
      ]);
    });

    it('a cancelled run on the default branch is not a failure', () => {
      const payload = copyOf(
        'workflow_run',
        'completed',
        (p) => p.workflow_run.conclusion === 'success',
      );
      payload.workflow_run.conclusion = 'cancelled';
      assert.equal(classifyPayload('workflow_run', payload).category, 'activity');
      payload.workflow_run.conclusion = 'timed_out';
      assert.deepEqual(pick(classifyPayload('workflow_run', payload)), [
        'P1',
        'immediate',
        'ci_failure',
        'ci-failed-on-default-branch',
      ]);
    });

    it('a failing commit status on the default branch is P1', () => {
      const payload = copyOf('status', undefined, (p) => p.branches.length === 1);
      payload.state = 'error';
      assert.equal(classifyPayload('status', payload).rule, 'ci-failed-on-default-branch');
    });

    it('a failed deployment: P0 to production, P1 elsewhere; a successful one is P3', () => {
      const deploy = (state: string, environment: string): Classification => {
        const payload = copyOf(
          'deployment_status',
          'created',
          (p) => p.deployment_status.state === 'success',
        );
        payload.deployment_status.state = state;
        payload.deployment_status.environment = environment;
        return classifyPayload('deployment_status', payload);
      };
      assert.deepEqual(pick(deploy('failure', 'production')), [
        'P0',
        'immediate',
        'ci_failure',
        'failed-production-deployment',
      ]);
      assert.deepEqual(pick(deploy('error', 'prod-eu')), [
        'P0',
        'immediate',
        'ci_failure',
        'failed-production-deployment',
      ]);
      assert.deepEqual(pick(deploy('failure', 'staging')), [
        'P1',
        'today',
        'ci_failure',
        'failed-deployment',
      ]);
      assert.deepEqual(pick(deploy('failure', 'preprod')), [
        'P1',
        'today',
        'ci_failure',
        'failed-deployment',
      ]);
      assert.deepEqual(pick(deploy('success', 'production')), [
        'P3',
        'whenever',
        'release',
        'shipping',
      ]);
    });

    it('a merged revert into the default branch is P1; into another branch, or unmerged, it is not', () => {
      const revert = (merged: boolean, base: string): Classification => {
        const payload = copyOf('pull_request', 'closed');
        payload.pull_request.title = 'Revert "Update the README with new information."';
        payload.pull_request.merged = merged;
        payload.pull_request.base.ref = base;
        return classifyPayload('pull_request', payload);
      };
      assert.deepEqual(pick(revert(true, 'master')), ['P1', 'today', 'incident', 'revert-landed']);
      assert.equal(revert(true, 'develop').rule, 'activity');
      assert.equal(revert(false, 'master').rule, 'activity');
    });
  });

  describe('pull requests, reviews and incidents', () => {
    it('a Dependabot PR is a dependency update, and the bot is no stakeholder', () => {
      const payload = copyOf(
        'pull_request',
        'opened',
        (p) => p.pull_request.requested_reviewers.length === 0,
      );
      payload.pull_request.user = { login: 'dependabot[bot]', type: 'Bot' };
      payload.pull_request.head.ref = 'dependabot/npm_and_yarn/lodash-4.17.21';
      const result = classifyPayload('pull_request', payload);
      assert.deepEqual(pick(result), ['P3', 'whenever', 'dependency_update', 'dependency-update']);
      assert.deepEqual(result.stakeholders, []);
    });

    it('a Renovate branch is a dependency update even when a person opened the PR', () => {
      const payload = copyOf(
        'pull_request',
        'opened',
        (p) => p.pull_request.requested_reviewers.length === 0,
      );
      payload.pull_request.head.ref = 'renovate/got-13.x';
      assert.equal(classifyPayload('pull_request', payload).category, 'dependency_update');
    });

    it('review requested: review_request, today, with the requested reviewer as stakeholder', () => {
      const result = classifyExample(exampleOf('pull_request', 'review_requested'));
      assert.deepEqual(pick(result), ['P2', 'today', 'review_request', 'review-requested']);
      // Assignees first (Codertocat), then the requested reviewer; the author is Codertocat again.
      assert.deepEqual(result.stakeholders, ['Codertocat', 'octocat']);
      assert.equal(result.reasons[0], 'octocat was asked to review, and the author waits on it.');
    });

    it('a requested team is a stakeholder as org/team; a removed reviewer is not one', () => {
      const payload = copyOf('pull_request', 'review_requested');
      delete payload.requested_reviewer;
      payload.requested_team = { name: 'Justice League', slug: 'justice-league' };
      payload.pull_request.requested_reviewers = [];
      payload.pull_request.assignees = [];
      const team = classifyPayload('pull_request', payload);
      assert.deepEqual(team.stakeholders, ['Codertocat/justice-league', 'Codertocat']);
      const removed = classifyExample(exampleOf('pull_request', 'review_request_removed'));
      assert.ok(!removed.stakeholders.includes('octocat'), removed.stakeholders.join());
    });

    it('an approving review is P2 for the author; a commenting one P3', () => {
      const payload = copyOf('pull_request_review', 'submitted');
      assert.equal(classifyPayload('pull_request_review', payload).priority, 'P3');
      payload.review.state = 'approved';
      assert.deepEqual(pick(classifyPayload('pull_request_review', payload)), [
        'P2',
        'this_week',
        'activity',
        'review-verdict',
      ]);
    });

    it('incident labels set the level; updates rank one step lower', () => {
      const opened = (labels: string[]): Classification => {
        const payload = copyOf('issues', 'opened');
        payload.issue.labels = labels.map((name) => ({ name }));
        return classifyPayload('issues', payload);
      };
      assert.deepEqual(pick(opened(['outage'])), [
        'P0',
        'immediate',
        'incident',
        'incident-reported',
      ]);
      assert.deepEqual(pick(opened(['Sev-1', 'bug'])), [
        'P1',
        'today',
        'incident',
        'incident-reported',
      ]);
      assert.deepEqual(pick(opened(['severity: low'])), [
        'P3',
        'whenever',
        'incident',
        'incident-reported',
      ]);
      assert.deepEqual(pick(opened(['kind/regression'])), [
        'P1',
        'today',
        'incident',
        'incident-reported',
      ]);
      assert.deepEqual(pick(opened(['bugfix', 'enhancement'])), [
        'P2',
        'this_week',
        'activity',
        'work-opened',
      ]);
      const comment = copyOf('issue_comment', 'created');
      comment.issue.labels = [{ name: 'outage' }];
      assert.deepEqual(pick(classifyPayload('issue_comment', comment)), [
        'P1',
        'today',
        'incident',
        'incident-update',
      ]);
    });

    it('a bug label on a pull request is not an incident', () => {
      const payload = copyOf('pull_request', 'labeled');
      assert.deepEqual(
        payload.pull_request.labels.map((label: { name: string }) => label.name),
        ['bug'],
      );
      assert.equal(classifyPayload('pull_request', payload).category, 'activity');
    });
  });

  describe('housekeeping', () => {
    it('a bot labelling a PR is bot housekeeping, P3', () => {
      const payload = copyOf('pull_request', 'labeled');
      payload.sender = { login: 'triage-helper[bot]', type: 'Bot' };
      const result = classifyPayload('pull_request', payload);
      assert.deepEqual(pick(result), ['P3', 'whenever', 'housekeeping', 'bot-housekeeping']);
      assert.equal(result.reasons[0], 'triage-helper[bot] (a bot) labeled it: bot housekeeping.');
    });

    it('a bot editing a PR is housekeeping; a bot opening one is not', () => {
      const edited = copyOf(
        'pull_request',
        'opened',
        (p) => p.pull_request.requested_reviewers.length === 0,
      );
      edited.action = 'edited';
      edited.sender = { login: 'github-actions[bot]', type: 'Bot' };
      assert.equal(classifyPayload('pull_request', edited).rule, 'bot-housekeeping');
      edited.action = 'opened';
      assert.equal(classifyPayload('pull_request', edited).rule, 'work-opened');
    });

    it('a bot labelling an issue `outage` still reports the incident', () => {
      const payload = copyOf('issues', 'labeled');
      payload.sender = { login: 'pager[bot]', type: 'Bot' };
      payload.label = { name: 'outage' };
      payload.issue.labels = [{ name: 'outage' }];
      assert.deepEqual(pick(classifyPayload('issues', payload)), [
        'P0',
        'immediate',
        'incident',
        'incident-reported',
      ]);
    });

    it('stars and forks are housekeeping, P3', () => {
      assert.deepEqual(pick(classifyExample(exampleOf('star', 'created'))), [
        'P3',
        'whenever',
        'housekeeping',
        'housekeeping-event',
      ]);
      assert.deepEqual(pick(classifyExample(exampleOf('fork', undefined))), [
        'P3',
        'whenever',
        'housekeeping',
        'housekeeping-event',
      ]);
    });

    it('an unknown event type is kept as P3 activity', () => {
      const result = classifyPayload('brand_new_event', { action: 'sparkled' });
      assert.deepEqual(pick(result), ['P3', 'whenever', 'activity', 'unknown-event']);
    });
  });

  describe('mentions and CODEOWNERS', () => {
    const body = [
      'cc @alice, and thanks (@Bob-Smith).',
      '```js',
      'const x = "@mallory";',
      '```',
      'Run `npm test @carol` first. <!-- @dave --> Mail eve@example.com.',
      '~~~~',
      '@trent',
      '~~~',
      '@trudy (still inside: a shorter fence does not close a longer one)',
      '~~~~',
      'Ask @octo-org/reviewers. And @alice again.',
    ].join('\n');

    it('mentionsIn finds mentions in prose but not inside code, comments or addresses', () => {
      assert.deepEqual(mentionsIn(body), ['alice', 'Bob-Smith', 'octo-org/reviewers']);
    });

    it('mentionsIn rejects what cannot be a login', () => {
      assert.deepEqual(mentionsIn('@-x @x- @a--b @' + 'a'.repeat(40) + ' @ok'), ['ok']);
      assert.deepEqual(mentionsIn('```\n@inside-unclosed-fence'), []);
      assert.deepEqual(mentionsIn(undefined), []);
    });

    it('a comment that mentions someone is P2 and makes them stakeholders; code does not', () => {
      const payload = copyOf('issue_comment', 'created');
      payload.issue.pull_request = {
        url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/1',
      };
      payload.comment.body = body;
      const result = classifyPayload('issue_comment', payload);
      assert.deepEqual(pick(result), ['P2', 'this_week', 'discussion', 'mentioned-in-comment']);
      assert.deepEqual(result.stakeholders, [
        'Codertocat',
        'alice',
        'Bob-Smith',
        'octo-org/reviewers',
      ]);
      assert.equal(
        result.reasons[0],
        'A comment addresses @alice, @Bob-Smith, @octo-org/reviewers.',
      );
    });

    it('a mention only inside code leaves the comment at P3', () => {
      const payload = copyOf('issue_comment', 'created');
      payload.issue.pull_request = {
        url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/1',
      };
      payload.comment.body = 'see `@alice`\n```\n@bob\n```';
      const result = classifyPayload('issue_comment', payload);
      assert.deepEqual(pick(result), ['P3', 'whenever', 'discussion', 'conversation']);
      assert.deepEqual(result.stakeholders, ['Codertocat']);
    });

    it("names the CODEOWNERS owners of a push's changed files, last rule winning, emails left out", () => {
      const codeowners = parseCodeOwners(
        ['*  @everyone', '*.md @octo-org/docs docs@example.com @Codertocat', '/src/ @core'].join(
          '\n',
        ),
      );
      const push = exampleOf('push', undefined, (p) => p['ref'] === 'refs/heads/master');
      const result = classifyExample(push, { codeowners });
      assert.deepEqual(result.stakeholders, ['octo-org/docs', 'Codertocat']);
      assert.equal(
        result.reasons[1],
        'CODEOWNERS names @octo-org/docs, @Codertocat for the changed files.',
      );
      assert.deepEqual(classifyExample(push).stakeholders, [], 'no CODEOWNERS, no owners');
    });

    it('orders stakeholders: assignees, reviewers, author, mentioned, code owners; first spelling kept', () => {
      const payload = copyOf(
        'pull_request',
        'opened',
        (p) => p.pull_request.requested_reviewers.length > 0,
      );
      payload.pull_request.assignees = [{ login: 'assignee-1' }];
      payload.pull_request.requested_reviewers = [{ login: 'reviewer-1' }];
      payload.pull_request.user = { login: 'author-1' };
      payload.pull_request.body = 'cc @mention-1 and @Assignee-1';
      const codeowners = parseCodeOwners('* @owner-1 @AUTHOR-1');
      const result = classifyPayload('pull_request', payload, {
        codeowners,
        changedPaths: ['x.ts'],
      });
      assert.deepEqual(result.stakeholders, [
        'assignee-1',
        'reviewer-1',
        'author-1',
        'mention-1',
        'owner-1',
      ]);
    });

    it('takes the changed paths from the caller for a PR, after the other stakeholders', () => {
      const codeowners = parseCodeOwners('/src/ @core-dev\n/docs/ @writer');
      const pr = exampleOf(
        'pull_request',
        'opened',
        (p) => (p as any).pull_request.requested_reviewers.length === 0,
      );
      const result = classifyExample(pr, {
        codeowners,
        changedPaths: ['src/index.ts', 'README.md'],
      });
      assert.deepEqual(result.stakeholders, ['Codertocat', 'core-dev']);
    });
  });

  describe('properties', () => {
    it('is deterministic and leaves the event untouched', () => {
      for (const example of loadWebhookExamples()) {
        const event = eventOf(example.event, example.payload);
        const before = structuredClone(event);
        assert.deepEqual(classify(Object.freeze(event)), classify(event));
        assert.deepEqual(event, before);
      }
    });

    it('never throws and always answers within the scales, on arbitrary payloads', () => {
      const names = [
        ...new Set(loadWebhookExamples().map((example) => example.event)),
        'secret_scanning_alert',
        'unknown',
      ];
      fc.assert(
        fc.property(
          fc.constantFrom(...names),
          fc.dictionary(fc.string(), fc.jsonValue()),
          (name, payload) => {
            assertWellFormed(classifyPayload(name, payload));
          },
        ),
        { numRuns: 1_000 },
      );
    });

    it('docs/classification.md lists the same rules in the same order', () => {
      const doc = readFileSync(new URL('../../../docs/classification.md', import.meta.url), 'utf8');
      const documented = [...doc.matchAll(/^\| \d+ \| `([a-z-]+)` \|/gm)].map((match) => match[1]);
      assert.deepEqual(
        documented,
        RULES.map((rule) => rule.id),
      );
    });
  });
});

function pick(result: Classification): [Priority, string, Category, string] {
  return [result.priority, result.urgency, result.category, result.rule];
}
