/** What enrichment adds to an alert card (src/models reads it out of model replies). */
import type { ModelRole } from './model-roles.js';

export interface EnrichmentNotes {
  /** Review summary, release-notes summary or a failing check's likely cause. */
  summary?: string;
  securityNotes?: string[];
  /** Suggested labels (issue triage). */
  labels?: string[];
  /** Possible duplicates, as `#123` references. */
  duplicates?: string[];
  /** The roles whose answers are in here. */
  roles: ModelRole[];
}
