/**
 * Bounded traversal of the dependency graph from one item: every item reachable (transitively),
 * and every cycle met on the way, reported, never followed twice. A depth-first walk with an
 * explicit stack (no recursion, so a 10,000-long chain cannot overflow the call stack) that stops
 * after `maxNodes` items and says it did (`truncated`), so a huge or hostile graph costs a known
 * amount. Neighbours are looked up by an injected function: the store in production, a map in tests.
 */
export interface WalkResult {
  /** Items reached, start first, in the order first met. */
  reached: string[];
  /** Each cycle as the path that closes it, e.g. `[a, b, c, a]`. */
  cycles: string[][];
  /** True when `maxNodes` stopped the walk before it saw everything. */
  truncated: boolean;
}

export const DEFAULT_MAX_NODES = 500;

export async function walkGraph(
  start: string,
  neighbours: (node: string) => Promise<readonly string[]> | readonly string[],
  maxNodes = DEFAULT_MAX_NODES,
): Promise<WalkResult> {
  const reached: string[] = [start];
  const cycles: string[][] = [];
  /** 1: on the current path; 2: finished. */
  const state = new Map<string, 1 | 2>([[start, 1]]);
  const path: string[] = [start];
  const stack: Array<{ node: string; next: readonly string[]; index: number }> = [
    { node: start, next: await neighbours(start), index: 0 },
  ];
  let truncated = false;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.index >= top.next.length) {
      state.set(top.node, 2);
      stack.pop();
      path.pop();
      continue;
    }
    const node = top.next[top.index++]!;
    const seen = state.get(node);
    if (seen === 1) {
      cycles.push([...path.slice(path.indexOf(node)), node]);
      continue;
    }
    if (seen === 2) continue;
    if (reached.length >= maxNodes) {
      truncated = true;
      continue;
    }
    reached.push(node);
    state.set(node, 1);
    path.push(node);
    stack.push({ node, next: await neighbours(node), index: 0 });
  }
  return { reached, cycles, truncated };
}
