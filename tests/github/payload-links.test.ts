/**
 * The fields orchestration reads from payloads: the milestone of an issue or PR (from GitHub's own
 * recorded payloads), and the issue links of `sub_issues` and `issue_dependencies` events (shaped
 * after @octokit/openapi-webhooks-types, which @octokit/webhooks-examples has no recording of).
 */
import assert from 'node:assert/strict';
import type { BrokerEvent } from '../../src/core/broker-event.js';
import { normalise } from '../../src/github/normalise.js';
import { exampleOf } from '../support/webhook-examples.js';

function run(event: string, payload: unknown): BrokerEvent {
  return normalise({
    tenantId: 't',
    deliveryId: 'd',
    event,
    payload: payload as Record<string, unknown>,
    receivedAt: Date.UTC(2030, 0, 1),
  });
}

/** An issue as the events carry it: `repository_url` names its repository. */
const issueIn = (repo: string, number: number) => ({
  id: number * 1000,
  number,
  title: `issue ${number}`,
  state: 'open',
  html_url: `https://github.com/${repo}/issues/${number}`,
  repository_url: `https://api.github.com/repos/${repo}`,
  labels: [],
  user: { login: 'alice' },
});
const repository = (fullName: string) => ({
  id: 1,
  name: fullName.split('/')[1],
  full_name: fullName,
  owner: { login: fullName.split('/')[0] },
  html_url: `https://github.com/${fullName}`,
});

describe('payload links', function () {
  it("reads an issue's and a PR's milestone, with its due date, from the recorded payloads", function () {
    const issue = run('issues', exampleOf('issues', 'milestoned').payload);
    assert.deepEqual(issue.milestone, { title: 'v1.0', dueOn: '2019-05-23T07:00:00.000Z' });
    const pr = run(
      'pull_request',
      exampleOf(
        'pull_request',
        'labeled',
        (p) => (p as { pull_request?: { milestone?: unknown } }).pull_request?.milestone != null,
      ).payload,
    );
    assert.equal(pr.milestone?.title, 'v1.0');
    assert.equal(
      run('issues', exampleOf('issues', 'demilestoned').payload).milestone,
      undefined,
      'an issue without one',
    );
  });

  it('reads issue dependencies: the blocked issue waits for the blocking one, across repositories', function () {
    const payload = {
      action: 'blocked_by_added',
      blocked_issue_id: 1000,
      blocked_issue: issueIn('acme/web', 1),
      blocking_issue_id: 2000,
      blocking_issue: issueIn('acme/api', 2),
      blocking_issue_repo: repository('acme/api'),
      repository: repository('acme/web'),
      organization: { login: 'acme' },
      sender: { login: 'alice' },
    };
    const event = run('issue_dependencies', payload);
    assert.deepEqual(event.issueLink, {
      relation: 'blocked_by',
      dependent: { repo: 'acme/web', number: 1 },
      dependency: { repo: 'acme/api', number: 2 },
      added: true,
    });
    assert.deepEqual(event.target, { kind: 'issue', key: '#1', number: 1 });
    assert.equal(event.known, true);
    assert.equal(
      run('issue_dependencies', { ...payload, action: 'blocking_removed' }).issueLink?.added,
      false,
    );
  });

  it('reads sub-issues: the parent waits for its sub-issue', function () {
    const payload = {
      action: 'sub_issue_added',
      sub_issue_id: 3000,
      sub_issue: issueIn('acme/db', 3),
      sub_issue_repo: repository('acme/db'),
      parent_issue_id: 4000,
      parent_issue: issueIn('acme/web', 4),
      repository: repository('acme/web'),
    };
    assert.deepEqual(run('sub_issues', payload).issueLink, {
      relation: 'sub_issue',
      dependent: { repo: 'acme/web', number: 4 },
      dependency: { repo: 'acme/db', number: 3 },
      added: true,
    });
    assert.equal(
      run('sub_issues', { ...payload, action: 'parent_issue_removed' }).issueLink?.added,
      false,
    );
  });

  it('gives no link for other actions, missing issues, or a repository_url of another shape', function () {
    const base = { blocked_issue: issueIn('acme/web', 1), blocking_issue: issueIn('acme/api', 2) };
    assert.equal(
      run('issue_dependencies', { ...base, action: 'something_else' }).issueLink,
      undefined,
    );
    assert.equal(
      run('issue_dependencies', {
        action: 'blocked_by_added',
        blocked_issue: issueIn('acme/web', 1),
      }).issueLink,
      undefined,
    );
    assert.equal(
      run('issue_dependencies', {
        action: 'blocked_by_added',
        ...base,
        blocking_issue: { number: 2, repository_url: 'https://example.com/x' },
      }).issueLink,
      undefined,
    );
    assert.equal(
      run('issues', { action: 'blocked_by_added', ...base }).issueLink,
      undefined,
      'only the two link events',
    );
  });
});
