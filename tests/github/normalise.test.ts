import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BODY_LIMIT,
  type BrokerEvent,
  PATHS_LIMIT,
  type TargetKind,
} from '../../src/core/broker-event.js';
import { TITLE_LIMIT, normalise } from '../../src/github/normalise.js';
import {
  exampleOf,
  examplesFor,
  loadWebhookExamples,
  type WebhookExample,
} from '../support/webhook-examples.js';

/** Later than every recorded payload, so a payload timestamp and the fallback cannot be confused. */
const RECEIVED_AT = Date.UTC(2030, 0, 1);
const RECEIVED_ISO = '2030-01-01T00:00:00.000Z';

function run(event: string, payload: unknown, receivedAt = RECEIVED_AT): BrokerEvent {
  return normalise({
    tenantId: 'tenant-1',
    deliveryId: 'delivery-1',
    event,
    payload: payload as Record<string, unknown>,
    receivedAt,
  });
}

function runExample(example: WebhookExample): BrokerEvent {
  return run(example.event, example.payload);
}

/** A writable copy of a recorded payload, for variants the recordings lack. */
function copyOf(example: WebhookExample): Record<string, any> {
  return structuredClone(example.payload) as Record<string, any>;
}

function isIsoInstant(value: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) &&
    new Date(value).toISOString() === value
  );
}

function field(value: unknown, ...path: string[]): unknown {
  return path.reduce<unknown>(
    (current, key) => (current as Record<string, unknown> | null | undefined)?.[key],
    value,
  );
}

/** The target kind each recorded event type must produce, written down independently of normalise.ts. */
const EXPECTED_TARGET_KIND: Record<string, TargetKind> = {
  branch_protection_rule: 'repository',
  check_run: 'check',
  check_suite: 'check',
  code_scanning_alert: 'alert',
  commit_comment: 'commit',
  create: 'ref',
  delete: 'ref',
  dependabot_alert: 'alert',
  deploy_key: 'repository',
  deployment: 'deployment',
  deployment_review: 'workflow',
  deployment_status: 'deployment',
  discussion: 'discussion',
  discussion_comment: 'discussion',
  fork: 'repository',
  github_app_authorization: 'app',
  gollum: 'page',
  installation: 'app',
  installation_repositories: 'app',
  issue_comment: 'issue',
  issues: 'issue',
  label: 'label',
  marketplace_purchase: 'app',
  member: 'member',
  membership: 'team',
  merge_group: 'ref',
  meta: 'other',
  milestone: 'milestone',
  organization: 'member',
  org_block: 'member',
  package: 'package',
  page_build: 'page',
  ping: 'other',
  project: 'project',
  project_card: 'project',
  project_column: 'project',
  projects_v2_item: 'project',
  public: 'repository',
  pull_request: 'pull_request',
  pull_request_review: 'pull_request',
  pull_request_review_comment: 'pull_request',
  pull_request_review_thread: 'pull_request',
  push: 'ref',
  release: 'release',
  repository_dispatch: 'repository',
  repository: 'repository',
  repository_import: 'repository',
  repository_vulnerability_alert: 'alert',
  security_advisory: 'alert',
  sponsorship: 'other',
  star: 'repository',
  status: 'commit',
  team: 'team',
  team_add: 'team',
  watch: 'repository',
  workflow_dispatch: 'workflow',
  workflow_job: 'workflow',
  workflow_run: 'workflow',
};

/** Recorded exceptions to the kinds above, by `event#index`: the payload itself says otherwise. */
const TARGET_KIND_EXCEPTIONS: Record<string, TargetKind> = {
  // Milestoning a pull request arrives as an `issues` event whose issue carries `pull_request`.
  'issues#5': 'pull_request',
  'issues#6': 'pull_request',
  'issues#13': 'pull_request',
  'issues#14': 'pull_request',
  // `organization` events about the organization itself (a rename) have no member to point at.
  'organization#4': 'organization',
};

/** Event types whose payloads carry no timestamp for the change, so occurredAt falls back to receivedAt. */
const UNDATED_EVENTS = new Set([
  'create',
  'delete',
  'github_app_authorization',
  'gollum',
  'installation_repositories',
  'label',
  'marketplace_purchase',
  'member',
  'membership',
  'meta',
  'org_block',
  'organization',
  'ping',
  'pull_request_review_thread',
  'repository_dispatch',
  'repository_import',
  'team',
  'team_add',
  'watch',
  'workflow_dispatch',
]);
/** Single recorded payloads that are undated although their event type usually is not. */
const UNDATED_ACTIONS = new Set(['star:deleted', 'sponsorship:pending_tier_change']);

describe('normalise', () => {
  describe('recorded payloads (@octokit/webhooks-examples)', () => {
    const examples = loadWebhookExamples();

    it('has all 58 event types and 329 payloads', () => {
      assert.equal(new Set(examples.map((example) => example.event)).size, 58);
      assert.equal(examples.length, 329);
    });

    it('has a target kind expectation for exactly the recorded event types', () => {
      assert.deepEqual(
        [...new Set(examples.map((example) => example.event))].sort(),
        Object.keys(EXPECTED_TARGET_KIND).sort(),
      );
    });

    for (const example of examples) {
      it(`${example.event}#${example.index} (${example.action ?? 'no action'})`, () => {
        const { payload } = example;
        const event = runExample(example);

        assert.equal(event.tenantId, 'tenant-1');
        assert.equal(event.deliveryId, 'delivery-1');
        assert.equal(event.kind, example.event);
        assert.equal(event.action, example.action);
        assert.equal(event.known, true);

        assert.equal(event.receivedAt, RECEIVED_ISO);
        assert.ok(isIsoInstant(event.occurredAt), `occurredAt ${event.occurredAt}`);
        const undated =
          UNDATED_EVENTS.has(example.event) ||
          UNDATED_ACTIONS.has(`${example.event}:${example.action}`);
        if (undated) assert.equal(event.occurredAt, RECEIVED_ISO);
        else
          assert.ok(
            event.occurredAt < RECEIVED_ISO,
            `occurredAt ${event.occurredAt} should come from the payload`,
          );

        const fullName = field(payload, 'repository', 'full_name');
        if (typeof fullName === 'string') {
          assert.ok(event.repo);
          assert.equal(event.repo.fullName, fullName);
          assert.equal(`${event.repo.owner}/${event.repo.name}`, fullName);
          assert.equal(event.repo.private, field(payload, 'repository', 'private'));
        } else {
          assert.equal(event.repo, undefined);
        }

        const senderLogin = field(payload, 'sender', 'login');
        if (typeof senderLogin === 'string') {
          assert.ok(event.actor);
          assert.equal(event.actor.login, senderLogin);
          assert.equal(event.actor.id, field(payload, 'sender', 'id'));
          assert.equal(
            event.actor.isBot,
            field(payload, 'sender', 'type') === 'Bot' || senderLogin.endsWith('[bot]'),
          );
        } else {
          assert.equal(event.actor, undefined);
        }

        assert.equal(event.installationId, field(payload, 'installation', 'id'));
        const orgLogin = field(payload, 'organization', 'login');
        if (typeof orgLogin === 'string') assert.equal(event.org, orgLogin);

        assert.ok(Array.isArray(event.labels));
        for (const label of event.labels) assert.equal(typeof label, 'string');

        assert.ok(event.target, 'every recorded payload has a target');
        const expectedKind =
          TARGET_KIND_EXCEPTIONS[`${example.event}#${example.index}`] ??
          EXPECTED_TARGET_KIND[example.event];
        assert.equal(event.target.kind, expectedKind);
        assert.ok(event.target.key.length > 0);
        if (event.target.number !== undefined)
          assert.equal(event.target.key, `#${event.target.number}`);

        if (event.url !== undefined) assert.match(event.url, /^https?:\/\//);
        if (event.body !== undefined) assert.ok(event.body.length <= BODY_LIMIT);
        for (const value of Object.values(event))
          assert.notEqual(value, undefined, 'no undefined-valued keys');
      });
    }

    it('serves frozen payloads and refuses an event it has no recording of', () => {
      assert.ok(Object.isFrozen(examples[0]?.payload));
      assert.throws(() => examplesFor('not_an_event'), /no recorded webhook examples/);
    });

    it('gives the same event for the same delivery (a pure function of its input)', () => {
      for (const example of examples) assert.deepEqual(runExample(example), runExample(example));
    });
  });

  describe('pull requests and issues', () => {
    it('pull_request opened: #number target, head branch and sha, body, state open', () => {
      const event = runExample(exampleOf('pull_request', 'opened'));
      assert.deepEqual(event.target, { kind: 'pull_request', key: '#2', number: 2 });
      assert.deepEqual(event.repo, {
        owner: 'Codertocat',
        name: 'Hello-World',
        fullName: 'Codertocat/Hello-World',
        private: false,
        defaultBranch: 'master',
      });
      assert.equal(event.org, 'Codertocat');
      assert.equal(event.url, 'https://github.com/Codertocat/Hello-World/pull/2');
      assert.equal(event.title, 'Update the README with new information.');
      assert.equal(event.body, 'This is a pretty simple change that we need to pull into master.');
      assert.equal(event.branch, 'changes');
      assert.equal(event.sha, 'ec26c3e57ca3a959ca5aad62de7213c562f8c821');
      assert.equal(event.state, 'open');
      assert.equal(event.occurredAt, '2019-05-15T15:20:33.000Z');
      assert.deepEqual(event.actor, {
        login: 'Codertocat',
        id: 21031067,
        type: 'User',
        isBot: false,
      });
    });

    it('pull_request closed without merging is closed, dated by closed_at', () => {
      const event = runExample(exampleOf('pull_request', 'closed'));
      assert.equal(event.state, 'closed');
      assert.equal(event.occurredAt, '2019-05-15T15:21:18.000Z');
    });

    it('pull_request closed and merged is merged', () => {
      // The recordings hold no merged PR; this is the recorded close with GitHub's merge fields set.
      const payload = copyOf(exampleOf('pull_request', 'closed'));
      payload.pull_request.merged = true;
      payload.pull_request.merged_at = '2019-05-15T15:21:18Z';
      const event = run('pull_request', payload);
      assert.equal(event.state, 'merged');
      assert.deepEqual(event.target, { kind: 'pull_request', key: '#2', number: 2 });
      assert.equal(event.branch, 'changes');
    });

    it('pull_request labeled carries the labels but not the old body', () => {
      const event = runExample(exampleOf('pull_request', 'labeled'));
      assert.deepEqual(event.labels, ['bug']);
      assert.equal(event.body, undefined);
    });

    it('pull_request takes the number from the payload when the PR object lacks one', () => {
      const payload = copyOf(exampleOf('pull_request', 'opened'));
      delete payload.pull_request.number;
      assert.deepEqual(run('pull_request', payload).target, {
        kind: 'pull_request',
        key: '#2',
        number: 2,
      });
    });

    it('issue_comment on an issue is about the issue, carrying the comment', () => {
      const event = runExample(exampleOf('issue_comment', 'created'));
      assert.deepEqual(event.target, { kind: 'issue', key: '#1', number: 1 });
      assert.equal(
        event.url,
        'https://github.com/Codertocat/Hello-World/issues/1#issuecomment-492700400',
      );
      assert.equal(event.title, 'Spelling error in the README file');
      assert.equal(event.body, "You are totally right! I'll get this fixed right away.");
      assert.deepEqual(event.labels, ['bug']);
      assert.equal(event.state, 'open');
      assert.equal(event.occurredAt, '2019-05-15T15:20:21.000Z');
      assert.equal(event.performedViaAppId, undefined);
    });

    it('issue_comment on a pull request is about the pull request', () => {
      // The recordings hold no PR comment; GitHub marks one with `issue.pull_request`.
      const payload = copyOf(exampleOf('issue_comment', 'created'));
      payload.issue.pull_request = {
        url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/1',
      };
      const event = run('issue_comment', payload);
      assert.deepEqual(event.target, { kind: 'pull_request', key: '#1', number: 1 });
      assert.equal(event.body, "You are totally right! I'll get this fixed right away.");
    });

    it('issue_comment with performed_via_github_app reports the app on the comment', () => {
      const payload = copyOf(exampleOf('issue_comment', 'created'));
      payload.comment.performed_via_github_app = { id: 4242, slug: 'helper', name: 'Helper' };
      assert.equal(run('issue_comment', payload).performedViaAppId, 4242);
    });

    it('issues opened by a GitHub App reports the app on the issue', () => {
      const payload = copyOf(exampleOf('issues', 'opened'));
      payload.issue.performed_via_github_app = { id: 77, slug: 'triage' };
      const event = run('issues', payload);
      assert.equal(event.performedViaAppId, 77);
      assert.deepEqual(event.target, { kind: 'issue', key: '#1', number: 1 });
    });

    it('pull_request_review reports the review state and links the review', () => {
      const event = runExample(exampleOf('pull_request_review', 'submitted'));
      assert.equal(event.state, 'commented');
      assert.equal(
        event.url,
        'https://github.com/Codertocat/Hello-World/pull/2#pullrequestreview-237895671',
      );
      assert.deepEqual(event.target, { kind: 'pull_request', key: '#2', number: 2 });
      assert.equal(event.occurredAt, '2019-05-15T15:20:38.000Z');
    });

    it('discussion_comment is about the discussion', () => {
      const event = runExample(exampleOf('discussion_comment', 'created'));
      assert.deepEqual(event.target, { kind: 'discussion', key: '#90', number: 90 });
      assert.equal(
        event.url,
        'https://github.com/octo-org/octo-repo/discussions/90#discussioncomment-544078',
      );
      assert.equal(event.occurredAt, '2021-03-29T14:16:31.000Z');
    });
  });

  describe('refs, releases and commits', () => {
    it('push to a branch: full ref target, branch, sha = after, compare url, dated by pushed_at', () => {
      const event = runExample(
        exampleOf('push', undefined, (p) => p['ref'] === 'refs/heads/master'),
      );
      assert.deepEqual(event.target, { kind: 'ref', key: 'refs/heads/master' });
      assert.equal(event.branch, 'master');
      assert.equal(event.sha, '6113728f27ae82c7b1a177c8d03f9e96e0adf246');
      assert.equal(
        event.url,
        'https://github.com/Codertocat/Hello-World/commit/6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      );
      assert.equal(event.state, undefined);
      // repository.pushed_at is 1557933657 (unix seconds); the head commit is older.
      assert.equal(event.occurredAt, '2019-05-15T15:20:57.000Z');
    });

    it('push deleting a tag: tag ref target, no branch, state deleted, zero sha', () => {
      const event = runExample(exampleOf('push', undefined, (p) => p['deleted'] === true));
      assert.deepEqual(event.target, { kind: 'ref', key: 'refs/tags/simple-tag' });
      assert.equal(event.branch, undefined);
      assert.equal(event.state, 'deleted');
      assert.equal(event.sha, '0000000000000000000000000000000000000000');
    });

    it('create and delete of a tag key on the full ref, like push', () => {
      const created = runExample(exampleOf('create', undefined));
      const deleted = runExample(exampleOf('delete', undefined));
      assert.deepEqual(created.target, { kind: 'ref', key: 'refs/tags/simple-tag' });
      assert.deepEqual(deleted.target, { kind: 'ref', key: 'refs/tags/simple-tag' });
      assert.equal(created.state, undefined);
      assert.equal(deleted.state, 'deleted');
    });

    it('create of a branch keys on refs/heads/<name> and names the branch', () => {
      const payload = copyOf(exampleOf('create', undefined));
      payload.ref = 'feature/x';
      payload.ref_type = 'branch';
      const event = run('create', payload);
      assert.deepEqual(event.target, { kind: 'ref', key: 'refs/heads/feature/x' });
      assert.equal(event.branch, 'feature/x');
    });

    it('release published: tag target, release page, published state and time', () => {
      const event = runExample(exampleOf('release', 'published'));
      assert.deepEqual(event.target, { kind: 'release', key: '0.0.1' });
      assert.equal(event.url, 'https://github.com/Codertocat/Hello-World/releases/tag/0.0.1');
      assert.equal(event.title, '0.0.1');
      assert.equal(event.state, 'published');
      assert.equal(event.occurredAt, '2019-05-15T15:20:53.000Z');
    });

    it('release prereleased is a prerelease', () => {
      assert.equal(runExample(exampleOf('release', 'prereleased')).state, 'prerelease');
    });

    it('status: commit target keyed by sha, GitHub state, branch only when there is just one', () => {
      const single = runExample(
        exampleOf('status', undefined, (p) => (p['branches'] as unknown[]).length === 1),
      );
      assert.deepEqual(single.target, {
        kind: 'commit',
        key: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      });
      assert.equal(single.sha, '6113728f27ae82c7b1a177c8d03f9e96e0adf246');
      assert.equal(single.state, 'success');
      assert.equal(single.branch, 'master');
      assert.equal(
        single.url,
        'https://github.com/Codertocat/Hello-World/commit/6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      );
      assert.equal(single.occurredAt, '2019-05-15T15:20:55.000Z');
      const several = runExample(
        exampleOf('status', undefined, (p) => (p['branches'] as unknown[]).length > 1),
      );
      assert.equal(several.branch, undefined);
    });
  });

  describe('checks, workflows and deployments', () => {
    it('check_run completed with failure: check target, state failure, dated by completed_at', () => {
      const event = runExample(
        exampleOf(
          'check_run',
          'completed',
          (p) => field(p, 'check_run', 'conclusion') === 'failure',
        ),
      );
      assert.deepEqual(event.target, { kind: 'check', key: 'check_run:128620228' });
      assert.equal(event.state, 'failure');
      assert.equal(event.title, 'Octocoders-linter');
      assert.equal(event.branch, 'changes');
      assert.equal(event.sha, 'ec26c3e57ca3a959ca5aad62de7213c562f8c821');
      assert.equal(event.url, 'https://github.com/Codertocat/Hello-World/runs/128620228');
      assert.equal(event.occurredAt, '2019-05-15T15:21:12.000Z');
    });

    it('check_run queued reports the status until there is a conclusion', () => {
      assert.equal(runExample(exampleOf('check_run', 'created')).state, 'queued');
    });

    it('check_suite keys on the suite id', () => {
      const event = runExample(exampleOf('check_suite', 'completed'));
      assert.deepEqual(event.target, { kind: 'check', key: 'check_suite:118578147' });
      assert.equal(event.state, 'success');
    });

    it('workflow_run completed: workflow target, conclusion, run page', () => {
      const event = runExample(
        exampleOf(
          'workflow_run',
          'completed',
          (p) => field(p, 'workflow_run', 'conclusion') === 'success',
        ),
      );
      assert.deepEqual(event.target, { kind: 'workflow', key: 'workflow_run:289782451' });
      assert.equal(event.state, 'success');
      assert.equal(event.branch, 'master');
      assert.equal(event.sha, '3484a3fb816e0859fd6e1cea078d76385ff50625');
      assert.equal(event.url, 'https://github.com/octo-org/octo-repo/actions/runs/289782451');
      assert.equal(event.occurredAt, '2020-10-05T16:33:49.000Z');
    });

    it('workflow_job completed with failure keys on the job', () => {
      const event = runExample(
        exampleOf(
          'workflow_job',
          'completed',
          (p) => field(p, 'workflow_job', 'conclusion') === 'failure',
        ),
      );
      assert.deepEqual(event.target, { kind: 'workflow', key: 'workflow_job:289782451' });
      assert.equal(event.state, 'failure');
      assert.equal(event.title, 'linters');
      assert.equal(event.occurredAt, '2021-08-05T10:38:16.000Z');
    });

    it('deployment_status: deployment target, status state, log link', () => {
      const event = runExample(
        exampleOf(
          'deployment_status',
          'created',
          (p) => field(p, 'deployment_status', 'state') === 'in_progress',
        ),
      );
      assert.deepEqual(event.target, { kind: 'deployment', key: 'deployment:145988746' });
      assert.equal(event.state, 'in_progress');
      assert.equal(
        event.url,
        'https://github.com/CorsixTH/CorsixTH/runs/4687056418?check_suite_focus=true',
      );
      assert.equal(event.title, 'github-pages');
      assert.equal(event.sha, 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e');
      assert.equal(event.branch, 'master');
      assert.equal(event.occurredAt, '2022-01-03T01:28:40.000Z');
    });

    it('deployment and its statuses share one target', () => {
      const deployment = runExample(exampleOf('deployment', 'created'));
      const status = runExample(exampleOf('deployment_status', 'created'));
      assert.deepEqual(deployment.target, status.target);
    });
  });

  describe('security alerts', () => {
    it('code_scanning_alert created: alert target, state, branch and commit', () => {
      const event = runExample(exampleOf('code_scanning_alert', 'created'));
      assert.deepEqual(event.target, { kind: 'alert', key: 'code_scanning_alert:10' });
      assert.equal(event.state, 'open');
      assert.equal(event.title, 'Query built from user-controlled sources');
      assert.equal(event.branch, 'code-feature');
      assert.equal(event.sha, '788437584c2522f27feab10d8e631bab3e9e783a');
      assert.equal(
        event.url,
        'https://github.com/Codertocat/Hello-World/security/code-scanning/10',
      );
    });

    it('code_scanning_alert closed by a user: empty ref and commit_oid mean none', () => {
      const event = runExample(exampleOf('code_scanning_alert', 'closed_by_user'));
      assert.equal(event.state, 'dismissed');
      assert.equal(event.branch, undefined);
      assert.equal(event.sha, undefined);
      assert.equal(event.occurredAt, '2021-02-11T02:59:08.000Z');
    });

    it('dependabot_alert created: alert target titled by the advisory', () => {
      const event = runExample(exampleOf('dependabot_alert', 'created'));
      assert.deepEqual(event.target, { kind: 'alert', key: 'dependabot_alert:20' });
      assert.equal(event.state, 'open');
      assert.equal(event.title, 'semver vulnerable to Regular Expression Denial of Service');
      assert.equal(event.url, 'https://github.com/wolfy1339/pika-pack/security/dependabot/20');
      assert.equal(event.occurredAt, '2023-06-24T13:57:12.000Z');
    });

    it('secret_scanning_alert (not in the recordings) is known and targets the alert', () => {
      const event = run('secret_scanning_alert', {
        action: 'resolved',
        alert: {
          number: 7,
          secret_type: 'github_personal_access_token',
          secret_type_display_name: 'GitHub Personal Access Token',
          state: 'resolved',
          html_url: 'https://github.com/o/r/security/secret-scanning/7',
          created_at: '2024-01-01T00:00:00Z',
          resolved_at: '2024-01-02T00:00:00Z',
        },
        repository: { name: 'r', full_name: 'o/r', owner: { login: 'o' } },
      });
      assert.equal(event.known, true);
      assert.deepEqual(event.target, { kind: 'alert', key: 'secret_scanning_alert:7' });
      assert.equal(event.title, 'GitHub Personal Access Token');
      assert.equal(event.state, 'resolved');
      assert.equal(event.occurredAt, '2024-01-02T00:00:00.000Z');
    });

    it('security_advisory has no repository and no sender, and still normalises', () => {
      const event = runExample(exampleOf('security_advisory', 'withdrawn'));
      assert.equal(event.repo, undefined);
      assert.equal(event.actor, undefined);
      assert.equal(event.state, 'withdrawn');
      assert.deepEqual(event.target, {
        kind: 'alert',
        key: 'security_advisory:GHSA-8v27-2fg9-7h62',
      });
    });
  });

  describe('actors and repositories', () => {
    it('a GitHub App sender is a bot', () => {
      const event = runExample(
        exampleOf('check_suite', 'rerequested', (p) => field(p, 'sender', 'type') === 'Bot'),
      );
      assert.deepEqual(event.actor, {
        login: 'octocoders-linter[bot]',
        id: 49795351,
        type: 'Bot',
        isBot: true,
      });
    });

    it('a [bot] login is a bot even without a type', () => {
      const payload = copyOf(exampleOf('issues', 'opened'));
      payload.sender = { login: 'renovate[bot]' };
      assert.deepEqual(run('issues', payload).actor, { login: 'renovate[bot]', isBot: true });
    });

    it('a privatized repository is private, whatever its stale visibility field says', () => {
      const event = runExample(exampleOf('repository', 'privatized'));
      assert.equal(event.state, 'private');
      assert.equal(event.repo?.private, true);
    });

    it('org falls back to the repository owner, then to the installation account', () => {
      const payload = copyOf(exampleOf('issues', 'opened'));
      delete payload.organization;
      assert.equal(run('issues', payload).org, 'Codertocat');
      assert.equal(
        run('installation', copyOf(exampleOf('installation', 'created'))).org,
        'Codertocat',
      );
    });
  });

  describe('hostile and unknown input', () => {
    it('an unknown event keeps the common fields and is marked unknown', () => {
      const event = run('brand_new_event', {
        action: 'sparkled',
        repository: {
          name: 'r',
          full_name: 'o/r',
          owner: { login: 'o' },
          html_url: 'https://github.com/o/r',
        },
        organization: { login: 'org' },
        sender: { login: 'someone', id: 5, type: 'User' },
        installation: { id: 99 },
        whatever: { deeply: [1, 2, { nested: null }] },
      });
      assert.deepEqual(event, {
        tenantId: 'tenant-1',
        deliveryId: 'delivery-1',
        kind: 'brand_new_event',
        action: 'sparkled',
        known: false,
        repo: { owner: 'o', name: 'r', fullName: 'o/r' },
        org: 'org',
        installationId: 99,
        actor: { login: 'someone', id: 5, type: 'User', isBot: false },
        url: 'https://github.com/o/r',
        labels: [],
        occurredAt: RECEIVED_ISO,
        receivedAt: RECEIVED_ISO,
      });
    });

    it('event names that are Object.prototype members are unknown, not crashes', () => {
      for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
        const event = run(name, { action: 'x' });
        assert.equal(event.known, false, name);
        assert.equal(event.kind, name);
      }
    });

    it('fields of the wrong type are dropped, not passed along', () => {
      const event = run('pull_request', {
        action: 'opened',
        number: '12',
        repository: 'x',
        sender: 5,
        organization: ['not', 'an', 'object'],
        installation: { id: '7' },
        pull_request: {
          number: '12',
          labels: 'nope',
          title: 42,
          head: 'main',
          merged: 'yes',
          updated_at: 'yesterday',
        },
      });
      assert.equal(event.known, true);
      assert.equal(event.repo, undefined);
      assert.equal(event.actor, undefined);
      assert.equal(event.org, undefined);
      assert.equal(event.installationId, undefined);
      assert.equal(event.target, undefined);
      assert.equal(event.title, undefined);
      assert.equal(event.branch, undefined);
      assert.deepEqual(event.labels, []);
      assert.equal(event.occurredAt, RECEIVED_ISO);
    });

    it('labels keep only entries with a string name', () => {
      const payload = copyOf(exampleOf('issues', 'opened'));
      payload.issue.labels = [{ name: 5 }, 'bare-string', null, { name: 'ok' }, [], { name: '' }];
      assert.deepEqual(run('issues', payload).labels, ['ok']);
    });

    it('a null or non-object payload still gives an event', () => {
      for (const payload of [null, undefined, 'text', 42, [1, 2]]) {
        const event = run('issues', payload);
        assert.equal(event.known, true);
        assert.deepEqual(event.labels, []);
        assert.equal(event.occurredAt, RECEIVED_ISO);
      }
    });

    it('a __proto__ key in parsed JSON is just data', () => {
      const event = run(
        'issues',
        JSON.parse('{"__proto__": {"action": "opened"}, "issue": {"__proto__": {"number": 1}}}'),
      );
      assert.equal(event.action, undefined);
      assert.equal(event.target, undefined);
    });

    it('names the label a labeled or unlabeled event changed', () => {
      const labeled = exampleOf('issues', 'labeled');
      const expected = (labeled.payload.label as { name: string }).name;
      assert.ok(expected);
      assert.equal(run('issues', copyOf(labeled)).changedLabel, expected);
      assert.equal(run('issues', copyOf(exampleOf('issues', 'opened'))).changedLabel, undefined);
    });

    it('a 1 MB comment body is capped at BODY_LIMIT characters, keeping its start and its end', () => {
      const payload = copyOf(exampleOf('issue_comment', 'created'));
      payload.comment.body = 'x'.repeat(1024 * 1024) + 'THE-END';
      const event = run('issue_comment', payload);
      assert.equal(event.body?.length, BODY_LIMIT);
      assert.ok(event.body!.startsWith('x'.repeat(1000)));
      assert.ok(event.body!.includes('\n…\n'));
      assert.ok(event.body!.endsWith('xTHE-END'), 'the tail, where markers live, survives');
    });

    it('the body cap never splits a surrogate pair', () => {
      const payload = copyOf(exampleOf('issue_comment', 'created'));
      payload.comment.body = '😀'.repeat(BODY_LIMIT);
      const body = run('issue_comment', payload).body ?? '';
      assert.ok(body.length <= BODY_LIMIT);
      assert.equal(
        body.replace(/😀/gu, '').replace('\n…\n', ''),
        '',
        'only whole emoji and the elision remain',
      );
    });

    it('a huge title is capped too', () => {
      const payload = copyOf(exampleOf('issues', 'opened'));
      payload.issue.title = 't'.repeat(100_000);
      assert.equal(run('issues', payload).title?.length, TITLE_LIMIT);
    });

    it('timestamps that are not zoned ISO date-times or sane unix seconds fall back to receivedAt', () => {
      for (const updatedAt of [
        'yesterday',
        '1',
        '2020-01-01T00:00:00',
        '2020-13-45T99:99:99Z',
        1e20,
        -5,
        NaN,
        null,
        {},
      ]) {
        const event = run('issues', {
          action: 'opened',
          issue: { number: 1, updated_at: updatedAt },
        });
        assert.equal(event.occurredAt, RECEIVED_ISO, String(updatedAt));
      }
    });

    it('zoned timestamps are converted to UTC', () => {
      const event = run('issues', {
        action: 'opened',
        issue: { number: 1, updated_at: '2021-08-19T12:16:32.000-04:00' },
      });
      assert.equal(event.occurredAt, '2021-08-19T16:16:32.000Z');
    });

    it('an unusable receivedAt does not throw', () => {
      const event = run('issues', {}, Number.NaN);
      assert.ok(isIsoInstant(event.receivedAt));
      assert.equal(event.occurredAt, event.receivedAt);
    });

    it('never throws on arbitrary JSON under any event name', () => {
      const eventNames = [
        ...new Set(loadWebhookExamples().map((example) => example.event)),
        'unknown_event',
      ];
      fc.assert(
        fc.property(
          fc.constantFrom(...eventNames),
          fc.dictionary(fc.string(), fc.jsonValue()),
          (event, payload) => {
            const result = run(event, payload);
            assert.ok(Array.isArray(result.labels));
            assert.ok(isIsoInstant(result.occurredAt));
          },
        ),
        { numRuns: 2_000 },
      );
    });

    it('never throws when any field of a recorded payload is replaced by the wrong type', () => {
      const hostile: unknown[] = [null, '', 'x', -1, 1.5, true, [], { name: 5 }];
      for (const example of loadWebhookExamples()) {
        for (const key of Object.keys(example.payload)) {
          const value = example.payload[key];
          const inner =
            typeof value === 'object' && value !== null && !Array.isArray(value)
              ? value
              : undefined;
          const innerKeys = inner ? Object.keys(inner) : [];
          for (const wrong of hostile) {
            checkInvariants(run(example.event, { ...example.payload, [key]: wrong }));
            for (const innerKey of innerKeys) {
              checkInvariants(
                run(example.event, { ...example.payload, [key]: { ...inner, [innerKey]: wrong } }),
              );
            }
          }
        }
      }
    });
  });
});

function checkInvariants(event: BrokerEvent): void {
  assert.ok(Array.isArray(event.labels));
  for (const label of event.labels) assert.equal(typeof label, 'string');
  assert.ok(isIsoInstant(event.occurredAt));
  assert.ok(isIsoInstant(event.receivedAt));
  if (event.target) {
    assert.equal(typeof event.target.key, 'string');
    assert.ok(event.target.key.length > 0);
  }
  if (event.repo) assert.equal(typeof event.repo.fullName, 'string');
  if (event.actor) assert.equal(typeof event.actor.login, 'string');
  for (const text of [event.title, event.body, event.url, event.branch, event.sha, event.state]) {
    if (text !== undefined) assert.equal(typeof text, 'string');
  }
  if (event.body !== undefined) assert.ok(event.body.length <= BODY_LIMIT);
  for (const list of [event.assignees, event.requestedReviewers, event.changedPaths]) {
    if (list === undefined) continue;
    assert.ok(Array.isArray(list) && list.length > 0);
    for (const entry of list) assert.equal(typeof entry, 'string');
  }
  if (event.changedPaths !== undefined) assert.ok(event.changedPaths.length <= PATHS_LIMIT);
  if (event.severity !== undefined)
    assert.ok(['low', 'medium', 'high', 'critical'].includes(event.severity));
  for (const text of [event.author, event.changedReviewer, event.baseBranch, event.environment]) {
    if (text !== undefined) assert.equal(typeof text, 'string');
  }
}

describe('normalise: fields the classifier and router read', () => {
  it('pull_request review_requested: author, assignees, requested and changed reviewer, base branch', () => {
    const event = runExample(exampleOf('pull_request', 'review_requested'));
    assert.equal(event.author, 'Codertocat');
    assert.deepEqual(event.assignees, ['Codertocat']);
    assert.deepEqual(event.requestedReviewers, ['octocat']);
    assert.equal(event.changedReviewer, 'octocat');
    assert.equal(event.baseBranch, 'master');
    assert.equal(event.branch, 'changes');
  });

  it('a PR with nobody assigned or requested has no such fields (absent, not empty)', () => {
    const event = runExample(
      exampleOf(
        'pull_request',
        'opened',
        (p) => (field(p, 'pull_request', 'requested_reviewers') as unknown[]).length === 0,
      ),
    );
    assert.equal(event.author, 'Codertocat');
    assert.ok(
      !('assignees' in event) && !('requestedReviewers' in event) && !('changedReviewer' in event),
    );
  });

  it("teams are org/slug, with the org from the PR's base repository; a team without one is dropped", () => {
    const payload = copyOf(exampleOf('pull_request', 'review_requested'));
    delete payload.requested_reviewer;
    payload.requested_team = { name: 'Justice League', slug: 'justice-league' };
    payload.pull_request.requested_teams = [{ slug: 'justice-league' }];
    let event = run('pull_request', payload);
    assert.equal(event.changedReviewer, 'Codertocat/justice-league');
    assert.deepEqual(event.requestedReviewers, ['octocat', 'Codertocat/justice-league']);
    delete payload.pull_request.base.repo.owner;
    event = run('pull_request', payload);
    assert.equal(event.changedReviewer, undefined);
    assert.deepEqual(event.requestedReviewers, ['octocat']);
  });

  it('reviewer and assignee lists keep only entries with a login (or a team slug)', () => {
    const payload = copyOf(exampleOf('pull_request', 'review_requested'));
    payload.pull_request.requested_reviewers = [
      null,
      5,
      { login: 7 },
      { login: 'ok' },
      { login: 'ok' },
      'bare',
    ];
    payload.pull_request.assignees = { login: 'not-a-list' };
    const event = run('pull_request', payload);
    assert.deepEqual(event.requestedReviewers, ['ok']);
    assert.equal(event.assignees, undefined);
  });

  it("a comment's author is the thread's author, not the commenter", () => {
    const payload = copyOf(exampleOf('issue_comment', 'created'));
    payload.comment.user = { login: 'someone-else' };
    assert.equal(run('issue_comment', payload).author, 'Codertocat');
    assert.deepEqual(run('issue_comment', payload).assignees, ['Codertocat']);
  });

  it('release, workflow run and deployment authors; deployment environments', () => {
    assert.equal(runExample(exampleOf('release', 'published')).author, 'Codertocat');
    const workflowRun = runExample(
      exampleOf(
        'workflow_run',
        'completed',
        (p) => field(p, 'workflow_run', 'conclusion') === 'success',
      ),
    );
    assert.equal(workflowRun.author, 'Codertocat');
    const deployment = runExample(exampleOf('deployment', 'created'));
    assert.equal(deployment.author, 'Codertocat');
    assert.equal(deployment.environment, 'production');
    const pages = runExample(
      exampleOf(
        'deployment_status',
        'created',
        (p) => field(p, 'deployment_status', 'state') === 'in_progress',
      ),
    );
    assert.equal(pages.environment, 'github-pages');
    assert.equal(pages.author, 'github-pages[bot]');
  });

  it('deployment_review names the environment and the reviewers it waits for', () => {
    const event = runExample(exampleOf('deployment_review', 'requested'));
    assert.equal(event.environment, 'TST');
    assert.deepEqual(event.requestedReviewers, ['terraform-test-github/admins']);
  });

  it('severity is on one scale for every alert type', () => {
    assert.equal(runExample(exampleOf('dependabot_alert', 'created')).severity, 'medium');
    assert.equal(
      runExample(exampleOf('repository_vulnerability_alert', 'create')).severity,
      'medium',
    ); // moderate
    assert.equal(runExample(exampleOf('security_advisory', 'withdrawn')).severity, 'critical');
    assert.equal(runExample(exampleOf('code_scanning_alert', 'created')).severity, 'high'); // rule severity error
    assert.equal(runExample(exampleOf('code_scanning_alert', 'reopened')).severity, 'low'); // rule severity note
    const payload = copyOf(exampleOf('code_scanning_alert', 'reopened'));
    payload.alert.rule.security_severity_level = 'Critical';
    assert.equal(
      run('code_scanning_alert', payload).severity,
      'critical',
      'the security severity wins, in any case',
    );
  });

  it('an unknown severity word, or a prototype member name, is no severity', () => {
    for (const severity of ['extreme', 'constructor', '__proto__', 7, null]) {
      const payload = copyOf(exampleOf('dependabot_alert', 'created'));
      payload.alert.security_advisory.severity = severity;
      payload.alert.security_vulnerability.severity = severity;
      assert.equal(run('dependabot_alert', payload).severity, undefined, String(severity));
    }
  });

  it('push: the changed paths of all commits, deduplicated, hostile entries skipped', () => {
    assert.deepEqual(
      runExample(exampleOf('push', undefined, (p) => p['ref'] === 'refs/heads/master'))
        .changedPaths,
      ['README.md'],
    );
    const payload = copyOf(exampleOf('push', undefined, (p) => p['ref'] === 'refs/heads/master'));
    payload.commits = [
      { added: ['a.ts', 5, null], modified: ['README.md'], removed: 'not-a-list' },
      'not-a-commit',
      { added: ['a.ts'], removed: ['old.ts', ''] },
    ];
    assert.deepEqual(run('push', payload).changedPaths, ['a.ts', 'README.md', 'old.ts']);
    assert.equal(
      runExample(exampleOf('push', undefined, (p) => p['deleted'] === true)).changedPaths,
      undefined,
    );
  });

  it('push: at most PATHS_LIMIT changed paths', () => {
    const payload = copyOf(exampleOf('push', undefined, (p) => p['ref'] === 'refs/heads/master'));
    payload.commits = [
      { added: Array.from({ length: PATHS_LIMIT + 500 }, (_, index) => `file-${index}.txt`) },
    ];
    const paths = run('push', payload).changedPaths ?? [];
    assert.equal(paths.length, PATHS_LIMIT);
    assert.equal(paths[0], 'file-0.txt');
  });
});
