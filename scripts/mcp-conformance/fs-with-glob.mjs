// node:fs plus `globSync`, which the conformance CLI imports from "fs" and Node 20 lacks (it came
// in Node 22). Only what the CLI needs: files under a directory matching a glob, by path.matchesGlob
// (Node 20.17+); no dependency for a few lines.
import fs from 'node:fs';
import path from 'node:path';

export * from 'node:fs';
export default fs;

export function globSync(pattern, options = {}) {
  const cwd = typeof options.cwd === 'string' ? options.cwd : process.cwd();
  const patterns = Array.isArray(pattern) ? pattern : [pattern];
  const found = [];
  for (const entry of fs.readdirSync(cwd, { recursive: true })) {
    const relative = String(entry).split(path.sep).join('/');
    if (patterns.some((p) => path.matchesGlob(relative, p))) found.push(relative);
  }
  return found;
}
