/**
 * What orchestration tells the people of one work item about another: "unblocked: acme/api#12
 * merged", or a warning that something it depends on went backwards. Set on the pipeline context
 * by the orchestration stage; routing posts each into the dependent's thread.
 */
import type { WorkItemRef } from './broker-event.js';

export type CoordinationKind = 'unblocked' | 'warning';

export interface CoordinationNotice {
  kind: CoordinationKind;
  /** Who should hear about it: the item that depends on `dependency`. */
  dependent: WorkItemRef;
  /** The item whose change this is about. */
  dependency: WorkItemRef;
  /** What happened to the dependency: merged, closed, reopened, reverted, ci_failed. */
  change: 'merged' | 'closed' | 'reopened' | 'reverted' | 'ci_failed';
  /** One line for a person, e.g. `unblocked: acme/api#12 merged`. */
  text: string;
  /** Link to the dependency, when the event carried one. */
  url?: string;
}

/** Builds the small card a notice is posted as (src/teams/cards); injected so routing stays framework-free. */
export type CoordinationCardBuilder = (notice: CoordinationNotice) => { card: Record<string, unknown>; text: string };
