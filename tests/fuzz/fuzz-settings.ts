/**
 * Shared fast-check settings: a fixed seed so every run explores the same cases (FUZZ_SEED
 * changes it), and FUZZ_SCALE to multiply the number of runs for a long session
 * (`npm run fuzz:long`). fast-check prints the seed and the shrunk counterexample on failure;
 * `FUZZ_SEED=<seed>` replays it.
 */
import fc from 'fast-check';

export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);

export function runs(base: number): number {
  return Math.max(1, Math.round(base * SCALE));
}

export function fuzzParameters<T>(numRuns: number): fc.Parameters<T> {
  return { seed: FUZZ_SEED, numRuns: runs(numRuns), endOnFailure: false, verbose: 1 };
}

/** Printable ASCII, the characters an HTTP header value may carry. */
export const headerText = (maxLength = 40) => fc.string({ unit: 'grapheme-ascii', maxLength });

/** Any JSON value, rendered as text. */
export const jsonText = () => fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null');

/** Checks the house error format and returns a description of what is wrong, or undefined. */
export function houseErrorProblem(status: number, text: string): string | undefined {
  if (status >= 500) return `status ${status}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return `body is not JSON: ${text.slice(0, 200)}`;
  }
  if (status >= 400) {
    const error = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (
      typeof error?.code !== 'string' ||
      typeof error.message !== 'string' ||
      error.message.length === 0
    )
      return `not a house error: ${text.slice(0, 200)}`;
  }
  return undefined;
}
