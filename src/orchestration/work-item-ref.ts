/**
 * Names of work items (issues and PRs) across repositories: `acme/api#12`, the form GitHub itself
 * writes in cross-repository references, used as record ids and in every notice a person reads.
 */
import type { BrokerEvent, WorkItemRef } from '../core/broker-event.js';

/** Lower case: GitHub names are case-insensitive, and a key must not split on `Acme` vs `acme`. */
export function formatRef(ref: WorkItemRef): string {
  return `${ref.repo.toLowerCase()}#${ref.number}`;
}

const REF = /^([A-Za-z0-9-]+\/[A-Za-z0-9._-]+)#(\d{1,9})$/;

/** `owner/repo#N` → ref; undefined for anything else (chat commands say what they expected). */
export function parseRef(text: string): WorkItemRef | undefined {
  const match = REF.exec(text.trim());
  return match ? { repo: match[1]!, number: Number(match[2]) } : undefined;
}

/** The issue or PR an event is about, if it is about one. */
export function refOf(event: BrokerEvent): WorkItemRef | undefined {
  const { repo, target } = event;
  if (
    !repo ||
    target?.number === undefined ||
    (target.kind !== 'issue' && target.kind !== 'pull_request')
  )
    return undefined;
  return { repo: repo.fullName, number: target.number };
}

export function sameRef(a: WorkItemRef, b: WorkItemRef): boolean {
  return a.number === b.number && a.repo.toLowerCase() === b.repo.toLowerCase();
}
