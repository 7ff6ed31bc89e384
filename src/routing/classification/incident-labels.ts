/**
 * Which issue labels say "something is broken for users", and how badly. Teams spell them many
 * ways (`bug`, `type: bug`, `kind/bug`, `:bug:`, `sev1`, `sev-1`, `Severity: High`), so a label
 * counts when one of the words below stands alone in it, in any case.
 */
import { type Priority, priorityRank } from '../../core/classification.js';

export interface IncidentLevel {
  priority: Priority;
  /** The label that set the level, as written. */
  label: string;
  /** What the label tells a person. */
  meaning: string;
}

/** A word, alone: not part of a longer word (`bugfix` is a change, not a bug). */
function word(pattern: string): RegExp {
  return new RegExp(`(?:^|[^a-z])(?:${pattern})(?![a-z])`, 'i');
}

const WORDS: ReadonlyArray<{ test: RegExp; priority: Priority; meaning: string }> = [
  { test: word('outages?'), priority: 'P0', meaning: 'users are affected now' },
  { test: word('incidents?'), priority: 'P1', meaning: 'an incident is open' },
  { test: word('regressions?'), priority: 'P1', meaning: 'something that used to work broke' },
  { test: word('bugs?'), priority: 'P2', meaning: 'something is broken' },
];

/** `sev1`, `sev-1`, `sev: 2`, `severity/high`, or a bare `sev`. */
const SEVERITY = word('sev(?:erity)?(?:[\\s:_/-]*([0-9]|critical|high|medium|moderate|low))?');
const SEVERITY_WORDS: ReadonlyMap<string, Priority> = new Map([
  ['critical', 'P0'],
  ['high', 'P1'],
  ['medium', 'P2'],
  ['moderate', 'P2'],
  ['low', 'P3'],
]);

/** The level one label implies, if it is an incident label at all. */
export function levelOfLabel(label: string): IncidentLevel | undefined {
  const severity = SEVERITY.exec(label);
  if (severity) {
    const given = severity[1]?.toLowerCase();
    if (given === undefined) return { priority: 'P2', label, meaning: 'a severity was given' };
    const digit = Number.parseInt(given, 10);
    const priority = Number.isNaN(digit)
      ? (SEVERITY_WORDS.get(given) ?? 'P2')
      : (`P${Math.min(digit, 3)}` as Priority);
    return { priority, label, meaning: `severity ${given}` };
  }
  const found = WORDS.find((entry) => entry.test.test(label));
  return found && { priority: found.priority, label, meaning: found.meaning };
}

export function isIncidentLabel(label: string): boolean {
  return levelOfLabel(label) !== undefined;
}

/** The most severe level among the labels; the first such label when several tie. */
export function incidentLevelOf(labels: readonly string[]): IncidentLevel | undefined {
  let worst: IncidentLevel | undefined;
  for (const label of labels) {
    const level = levelOfLabel(label);
    if (
      level &&
      (worst === undefined || priorityRank(level.priority) < priorityRank(worst.priority))
    )
      worst = level;
  }
  return worst;
}
