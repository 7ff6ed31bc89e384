/**
 * What orchestration tells people: of one work item about another ("unblocked: acme/api#12
 * merged", or a warning that something it depends on went backwards), set on the pipeline context
 * by the orchestration stage and posted by routing into the dependent's thread; and interventions
 * raised before impact (a PR near its review SLA, a branch red too long...).
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
export type CoordinationCardBuilder = (notice: CoordinationNotice) => {
  card: Record<string, unknown>;
  text: string;
};

/** What a person reads of an intervention raised before impact (orchestration/interventions.ts). */
export interface InterventionNotice {
  rule: string;
  /** `owner/repo#N`, `owner/repo@branch` or `owner/repo!deploy:<key>`. */
  item: string;
  repo: string;
  text: string;
}

/** Builds the card an intervention is posted as (src/teams/cards). */
export type InterventionCardBuilder = (notice: InterventionNotice) => {
  card: Record<string, unknown>;
  text: string;
};
