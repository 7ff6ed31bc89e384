/**
 * Combines signals into the confidence that a chain is a runaway loop, and that into a verdict.
 * Noisy-OR: score = 1 − Π(1 − weight × strength). Independent evidence accumulates, one weak
 * signal alone stays below the dampen line, and the score is always in [0, 1].
 */
import type { Signal, Verdict } from '../core/chain-records.js';
import { SIGNAL_WEIGHTS, type LoopSettings } from './loop-settings.js';

export function loopScore(signals: readonly Signal[]): number {
  let keep = 1;
  for (const signal of signals) keep *= 1 - SIGNAL_WEIGHTS[signal.name] * signal.strength;
  return Math.round((1 - keep) * 1000) / 1000;
}

export function verdictFor(
  score: number,
  s: Pick<LoopSettings, 'dampenScore' | 'breakScore'>,
): Verdict {
  if (score >= s.breakScore) return 'break';
  if (score >= s.dampenScore) return 'dampen';
  return 'proceed';
}
