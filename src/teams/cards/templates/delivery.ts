/**
 * Templates for the families about code moving and being built or shipped: pushes, CI (checks,
 * workflows, statuses), releases and deployments. Their state is the point of the card (a failure,
 * a deployment's outcome), so it sits right under the title. None offers write actions.
 */
import {
  type TemplateJson,
  alertCard,
  details,
  factSet,
  header,
  headline,
  openOnGitHub,
  stateLine,
} from './common.js';

export const pushTemplate: TemplateJson = alertCard(
  [
    header,
    ...headline,
    stateLine,
    factSet([
      ['Branch', 'branch'],
      ['Commit', 'commit'],
      ['Files changed', 'files'],
    ]),
    ...details,
  ],
  [openOnGitHub],
);

/** Checks, workflow runs and jobs, statuses, Pages builds, merge queues. */
export const workflowTemplate: TemplateJson = alertCard(
  [
    header,
    ...headline,
    stateLine,
    factSet([
      ['Branch', 'branch'],
      ['Commit', 'commit'],
      ['Triggered by', 'author'],
    ]),
    ...details,
  ],
  [openOnGitHub],
);

export const releaseTemplate: TemplateJson = alertCard(
  [
    header,
    ...headline,
    stateLine,
    factSet([
      ['Tag', 'tag'],
      ['Published by', 'author'],
    ]),
    ...details,
  ],
  [openOnGitHub],
);

/** Environment first: "failed" means something else for production than for a preview. */
export const deploymentTemplate: TemplateJson = alertCard(
  [
    header,
    ...headline,
    stateLine,
    factSet([
      ['Environment', 'environment'],
      ['Branch', 'branch'],
      ['Commit', 'commit'],
      ['Started by', 'author'],
    ]),
    ...details,
  ],
  [openOnGitHub],
);
