/**
 * The enrichment tasks: which event gets which role, the short prompt each role receives, and how
 * its reply is read. Prompts ask for small JSON objects; replies are read defensively
 * (enrichment-notes.ts), so a chatty model still gives usable notes.
 */
import type { BrokerEvent } from '../core/broker-event.js';
import { isIssueRef, isLabel, readList, readSummary } from './enrichment-notes.js';
import { type EnrichmentNotes } from '../core/enrichment-notes.js';
import type { ChatMessage } from './model-pool.js';
import type { ModelRole } from '../core/model-roles.js';

export interface Candidate {
  number: number;
  title: string;
}

export interface EnrichmentTask {
  name: 'review-summary' | 'security-notes' | 'triage' | 'release-notes' | 'likely-cause';
  role: ModelRole;
  messages(event: BrokerEvent, candidates: Candidate[]): ChatMessage[];
  read(reply: string, candidates: Candidate[]): Partial<EnrichmentNotes>;
  /** Whether it uses possible-duplicate candidates (fetched before the call, when a reader exists). */
  wantsCandidates?: boolean;
}

const VOICE =
  'You are Reynolds, a concise engineering assistant in Microsoft Teams. Facts only; never invent details not in the input.';
const PR_ACTIONS = new Set(['opened', 'reopened', 'ready_for_review', 'synchronize']);
const CHECK_KINDS = new Set(['check_run', 'check_suite', 'workflow_run', 'workflow_job', 'status']);
const FAILED_STATES = new Set(['failure', 'timed_out', 'error', 'startup_failure']);

function describe(event: BrokerEvent): string {
  const lines = [
    `Repository: ${event.repo?.fullName ?? event.org ?? 'unknown'}`,
    `Event: ${event.kind}${event.action ? `.${event.action}` : ''}${event.target?.number !== undefined ? ` #${event.target.number}` : ''}`,
    event.title ? `Title: ${event.title}` : undefined,
    event.branch
      ? `Branch: ${event.branch}${event.baseBranch ? ` -> ${event.baseBranch}` : ''}`
      : undefined,
    event.state ? `State: ${event.state}` : undefined,
    event.labels.length > 0 ? `Labels: ${event.labels.join(', ')}` : undefined,
    event.changedPaths?.length
      ? `Changed paths: ${event.changedPaths.slice(0, 40).join(', ')}`
      : undefined,
    event.body ? `Body:\n${event.body.slice(0, 3000)}` : undefined,
  ];
  return lines.filter((line) => line !== undefined).join('\n');
}

const ask =
  (instruction: string) =>
  (event: BrokerEvent, candidates: Candidate[] = []): ChatMessage[] => [
    { role: 'system', content: `${VOICE} ${instruction}` },
    {
      role: 'user',
      content:
        candidates.length > 0
          ? `${describe(event)}\n\nRecent issues:\n${candidates.map((c) => `#${c.number} ${c.title}`).join('\n')}`
          : describe(event),
    },
  ];

export const TASKS: Record<EnrichmentTask['name'], EnrichmentTask> = {
  'review-summary': {
    name: 'review-summary',
    role: 'review',
    messages: ask(
      'Summarise this pull request for a reviewer in at most three sentences: what changes and what to look at. Reply as JSON {"summary": "..."}.',
    ),
    read: (reply) => ({ summary: readSummary(reply) }),
  },
  'security-notes': {
    name: 'security-notes',
    role: 'security',
    messages: ask(
      'List at most three concrete security concerns this change may raise (secrets, auth, injection, dependencies). Reply as JSON {"notes": ["..."]}; an empty list when there are none.',
    ),
    read: (reply) => ({ securityNotes: readList(reply, 'notes') }),
  },
  triage: {
    name: 'triage',
    role: 'issues',
    wantsCandidates: true,
    messages: ask(
      'Suggest up to three labels for this issue, and list which of the recent issues (if any) it may duplicate. Reply as JSON {"labels": ["..."], "duplicates": ["#123"]}.',
    ),
    read: (reply, candidates) => {
      const known = new Set(candidates.map((c) => `#${c.number}`));
      // Only references to issues we showed it: a model must not invent duplicates.
      return {
        labels: readList(reply, 'labels', isLabel),
        duplicates: readList(reply, 'duplicates', (ref) => isIssueRef(ref) && known.has(ref)),
      };
    },
  },
  'release-notes': {
    name: 'release-notes',
    role: 'docs',
    messages: ask(
      'Summarise these release notes for the team in at most three sentences, highlights and breaking changes first. Reply as JSON {"summary": "..."}.',
    ),
    read: (reply) => ({ summary: readSummary(reply) }),
  },
  'likely-cause': {
    name: 'likely-cause',
    role: 'codegen',
    messages: ask(
      'A check failed. In one or two sentences, give the most likely cause and where to look first. Reply as JSON {"summary": "..."}.',
    ),
    read: (reply) => ({ summary: readSummary(reply) }),
  },
};

/** The tasks an event gets; none for events enrichment has nothing to add to. */
export function tasksFor(event: BrokerEvent): EnrichmentTask[] {
  const action = event.action ?? '';
  if (event.kind === 'pull_request' && PR_ACTIONS.has(action))
    return [TASKS['review-summary'], TASKS['security-notes']];
  if (event.kind === 'issues' && action === 'opened') return [TASKS.triage];
  if (event.kind === 'release' && action === 'published') return [TASKS['release-notes']];
  if (CHECK_KINDS.has(event.kind) && event.state !== undefined && FAILED_STATES.has(event.state))
    return [TASKS['likely-cause']];
  return [];
}
