/**
 * A text summary of a V8 .cpuprofile (`node --cpu-prof`), so a bench run can say where the server's
 * time went without opening DevTools: self time by module, the hottest functions, and inclusive
 * time of the project's own functions.
 *
 *   npx tsx bench/intake/profile-summary.ts <file.cpuprofile>
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface CallFrameWithColumn extends CallFrame {
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrameWithColumn;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const sourceMaps = new Map<string, SourceMap | undefined>();

/** The source map next to a compiled file (tsc --sourceMap), if there is one. */
function sourceMapFor(file: string): SourceMap | undefined {
  if (!sourceMaps.has(file)) {
    const mapFile = `${file}.map`;
    let map: SourceMap | undefined;
    if (existsSync(mapFile)) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
      } catch {
        map = undefined;
      }
    }
    sourceMaps.set(file, map);
  }
  return sourceMaps.get(file);
}

/** File and 1-based line of a frame, through the source map when the code was compiled by tsc. */
function locate(frame: CallFrameWithColumn): { file: string; line: number } {
  const file = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  const map = file.endsWith('.js') ? sourceMapFor(file) : undefined;
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as
    { originalSource?: string; originalLine?: number } | undefined;
  if (entry?.originalSource !== undefined && entry.originalLine !== undefined) {
    const source = entry.originalSource.startsWith('file://')
      ? fileURLToPath(entry.originalSource)
      : path.resolve(path.dirname(file), entry.originalSource);
    return { file: source, line: entry.originalLine + 1 };
  }
  return { file, line: frame.lineNumber + 1 };
}

/** Where a frame's code lives: a package, a project file, a Node built-in, or a V8 pseudo-frame. */
function moduleOf(frame: CallFrameWithColumn, root: string): string {
  const url = frame.url;
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return url;
  const { file } = locate(frame);
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? file);
  }
  return path.relative(root, file) || file;
}

function frameName(frame: CallFrameWithColumn, root: string): string {
  const where = moduleOf(frame, root);
  const name = frame.functionName || '(anonymous)';
  if (where.startsWith('(')) return where;
  return `${name} ${where}:${locate(frame).line}`;
}

export function summarizeProfile(file: string, root = process.cwd(), top = 12): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }

  const self = new Map<string, number>();
  const selfModule = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time before sample i; attributing it to sample i is V8's convention.
    const dt = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    total += dt;
    if (node.callFrame.functionName === '(idle)') idle += dt;
    const name = frameName(node.callFrame, root);
    self.set(name, (self.get(name) ?? 0) + dt);
    const mod = moduleOf(node.callFrame, root);
    selfModule.set(mod, (selfModule.get(mod) ?? 0) + dt);
    // Each function counted once per sample even when recursive.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!.callFrame;
      if (!frame.url || frame.url.includes('/node_modules/') || frame.url.startsWith('node:'))
        continue;
      const fname = frameName(frame, root);
      if (seen.has(fname)) continue;
      seen.add(fname);
      inclusive.set(fname, (inclusive.get(fname) ?? 0) + dt);
    }
  });

  const busy = total - idle;
  const pct = (us: number): string => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const list = (entries: Map<string, number>, n: number): string[] =>
    [...entries.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => `  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);

  return [
    `profile: ${(total / 1e6).toFixed(1)} s sampled, ${pct(busy).trim()} busy, ${pct(idle).trim()} idle`,
    'self time by module:',
    ...list(selfModule, top),
    'self time by function:',
    ...list(self, top),
    "inclusive time of the project's own functions:",
    ...list(inclusive, top),
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: npx tsx bench/intake/profile-summary.ts <file.cpuprofile>');
    process.exit(2);
  }
  console.log(summarizeProfile(file));
}
