/**
 * Templates for the families that are conversations on a numbered thread: pull requests, issues,
 * reviews, comments and discussions. Only pull requests and issues offer write actions; a card
 * about a comment or review links to its thread, where the conversation continues.
 */
import {
  type TemplateJson,
  alertCard,
  closeOrReopen,
  commentAction,
  details,
  factSet,
  header,
  headline,
  openOnGitHub,
  reviewAction,
  stateLine,
} from './common.js';

export const pullRequestTemplate: TemplateJson = alertCard(
  [
    header,
    ...headline,
    stateLine,
    factSet([
      ['Branch', 'branch'],
      ['Author', 'author'],
      ['Reviewers', 'reviewers'],
      ['Assignees', 'assignees'],
    ]),
    ...details,
  ],
  [
    openOnGitHub,
    reviewAction('Approve', 'approve', 'approve', 'approveComment', 'positive'),
    reviewAction('Request changes', 'request_changes', 'requestChanges', 'changesComment'),
    commentAction,
    ...closeOrReopen,
  ],
);

export const issueTemplate: TemplateJson = alertCard(
  [
    header,
    ...headline,
    stateLine,
    factSet([
      ['Author', 'author'],
      ['Assignees', 'assignees'],
    ]),
    ...details,
  ],
  [openOnGitHub, commentAction, ...closeOrReopen],
);

/** A review's state is its verdict: Approved, Changes requested, Commented. */
export const reviewTemplate: TemplateJson = alertCard(
  [
    header,
    ...headline,
    stateLine,
    factSet([
      ['Pull request by', 'author'],
      ['Branch', 'branch'],
    ]),
    ...details,
  ],
  [openOnGitHub],
);

export const commentTemplate: TemplateJson = alertCard(
  [
    header,
    ...headline,
    factSet([
      ['On', 'on'],
      ['Thread by', 'author'],
    ]),
    ...details,
  ],
  [openOnGitHub],
);

export const discussionTemplate: TemplateJson = alertCard(
  [header, ...headline, stateLine, factSet([['Started by', 'author']]), ...details],
  [openOnGitHub],
);
