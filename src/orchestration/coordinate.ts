/**
 * Coordination from the graph, as a pure function: given what just happened to one item and the
 * edges of the items that wait for it, what each of those should hear. A merge or close unblocks
 * them; a reopen, a revert (the item was merged, then reverted) or a red CI warns them.
 */
import type { CoordinationNotice } from '../core/coordination.js';
import type { DependencyEdge } from './dependency-graph.js';
import { parseRef } from './work-item-ref.js';

export interface DependencyChange {
  /** `owner/repo#N` of the item that changed. */
  item: string;
  change: CoordinationNotice['change'];
  url?: string;
  /** For a revert: the PR that reverted it. */
  by?: string;
}

const WORDS: Record<CoordinationNotice['change'], string> = {
  merged: 'merged',
  closed: 'was closed',
  reopened: 'was reopened',
  reverted: 'was reverted',
  ci_failed: 'has failing checks',
};

export function coordinate(
  change: DependencyChange,
  dependents: readonly DependencyEdge[],
): CoordinationNotice[] {
  const dependency = parseRef(change.item);
  if (!dependency) return [];
  const unblocks = change.change === 'merged' || change.change === 'closed';
  const notices: CoordinationNotice[] = [];
  const told = new Set<string>();
  for (const edge of dependents) {
    const dependent = parseRef(edge.dependent);
    // One notice per dependent, whatever number of relations tie it to the same item.
    if (!dependent || told.has(edge.dependent) || edge.dependency !== change.item) continue;
    // A closed dependent needs no news; a closed dependency only matters if it comes back.
    if (edge.closed.includes(edge.dependent)) continue;
    told.add(edge.dependent);
    const what = `${change.item} ${WORDS[change.change]}${change.by ? ` (by ${change.by})` : ''}`;
    notices.push({
      kind: unblocks ? 'unblocked' : 'warning',
      dependent,
      dependency,
      change: change.change,
      text: unblocks ? `unblocked: ${what}` : `heads up: ${what}; ${edge.dependent} depends on it`,
      ...(change.url && { url: change.url }),
    });
  }
  return notices;
}
