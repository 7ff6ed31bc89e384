/**
 * Groups of GitHub event types, actions and states that the classification rubric treats alike,
 * with the words a reason uses for them. Kept apart from the rules so the rules read as a table.
 */

export const SECURITY_KINDS: ReadonlyMap<string, string> = new Map([
  ['code_scanning_alert', 'code-scanning alert'],
  ['dependabot_alert', 'Dependabot alert'],
  ['repository_vulnerability_alert', 'vulnerability alert'],
  ['secret_scanning_alert', 'secret-scanning alert'],
  ['secret_scanning_alert_location', 'secret-scanning alert'],
  ['security_advisory', 'security advisory'],
]);
/** Actions that leave a security finding open. */
export const OPENING_SECURITY_ACTIONS = new Set([
  'created',
  'create',
  'reopened',
  'reopen',
  'reopened_by_user',
  'auto_reopened',
  'reintroduced',
  'appeared_in_branch',
  'publicly_leaked',
  'published',
  'updated',
]);
export const RESOLVED_SECURITY_ACTIONS = new Set([
  'fixed',
  'resolve',
  'resolved',
  'revoked',
  'auto_dismissed',
  'withdrawn',
]);
export const DISMISSED_SECURITY_ACTIONS = new Set(['closed_by_user', 'dismissed', 'dismiss']);

export const CI_KINDS: ReadonlyMap<string, string> = new Map([
  ['check_run', 'Check'],
  ['check_suite', 'Check suite'],
  ['workflow_run', 'Workflow'],
  ['workflow_job', 'Job'],
  ['status', 'Status'],
  ['page_build', 'GitHub Pages build'],
]);
/** GitHub's words for "it failed"; `cancelled` and `action_required` are deliberate, not failures. */
export const FAILING_STATES = new Set([
  'failure',
  'error',
  'errored',
  'timed_out',
  'startup_failure',
]);
/** An environment whose name starts with one of these words is production. */
export const PRODUCTION_ENVIRONMENT = /^(prod|production|live)(?:$|[-_ .])/i;

export const INCIDENT_OPENING_ACTIONS = new Set(['opened', 'reopened', 'transferred']);
export const DEPENDENCY_BOTS = new Set([
  'dependabot[bot]',
  'dependabot-preview[bot]',
  'renovate[bot]',
]);
export const DEPENDENCY_BRANCH = /^(dependabot|renovate)\//;
/** What a bot does to an issue or PR that changes no code and asks nobody anything. */
export const HOUSEKEEPING_ACTIONS = new Set([
  'labeled',
  'unlabeled',
  'edited',
  'assigned',
  'unassigned',
  'milestoned',
  'demilestoned',
  'locked',
  'unlocked',
  'pinned',
  'unpinned',
  'synchronize',
  'converted_to_draft',
  'review_request_removed',
  'category_changed',
  'transferred',
]);
/** Administration of the repository or organization, and social signals: not work on the code. */
export const HOUSEKEEPING_KINDS = new Set([
  'branch_protection_configuration',
  'branch_protection_rule',
  'create',
  'custom_property',
  'custom_property_values',
  'delete',
  'deploy_key',
  'deployment_protection_rule',
  'fork',
  'github_app_authorization',
  'installation',
  'installation_repositories',
  'installation_target',
  'label',
  'marketplace_purchase',
  'member',
  'membership',
  'meta',
  'milestone',
  'org_block',
  'organization',
  'ping',
  'project',
  'project_card',
  'project_column',
  'projects_v2',
  'projects_v2_item',
  'projects_v2_status_update',
  'repository',
  'repository_import',
  'repository_ruleset',
  'sponsorship',
  'star',
  'team',
  'team_add',
  'watch',
]);
export const SHIPPING_KINDS = new Set([
  'release',
  'package',
  'registry_package',
  'deployment',
  'deployment_status',
  'deployment_review',
]);
export const COMMENT_KINDS = new Set([
  'issue_comment',
  'pull_request_review_comment',
  'commit_comment',
  'discussion_comment',
]);
export const CONVERSATION_KINDS = new Set([
  ...COMMENT_KINDS,
  'discussion',
  'pull_request_review_thread',
]);
