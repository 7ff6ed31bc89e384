/** One template per card family (router.ts decides the family of an event). */
import type { CardFamily } from '../../../core/card-builders.js';
import type { TemplateJson } from './common.js';
import {
  commentTemplate,
  discussionTemplate,
  issueTemplate,
  pullRequestTemplate,
  reviewTemplate,
} from './conversation.js';
import { deploymentTemplate, pushTemplate, releaseTemplate, workflowTemplate } from './delivery.js';
import { genericTemplate, securityTemplate } from './other.js';

export type { TemplateJson } from './common.js';
export { chainBrokenTemplate } from './chain-broken.js';

export const FAMILY_TEMPLATES: Readonly<Record<CardFamily, TemplateJson>> = {
  pull_request: pullRequestTemplate,
  issue: issueTemplate,
  review: reviewTemplate,
  comment: commentTemplate,
  discussion: discussionTemplate,
  push: pushTemplate,
  workflow: workflowTemplate,
  release: releaseTemplate,
  deployment: deploymentTemplate,
  security: securityTemplate,
  generic: genericTemplate,
};
