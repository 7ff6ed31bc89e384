/**
 * Which GitHub thing a pasted URL points at: a pull request, issue, commit or release on
 * github.com or on the GitHub Enterprise Server the API URL names. Sub-pages and anchors
 * (`/pull/1/files`, `#issuecomment-...`, `/pull/1/commits/<sha>`) resolve to their PR or issue.
 */
export type GitHubLink =
  | { kind: 'pull'; repo: string; number: number }
  | { kind: 'issue'; repo: string; number: number }
  | { kind: 'commit'; repo: string; sha: string }
  | { kind: 'release'; repo: string; tag: string };

/** The web hosts of GitHub for an API base URL: api.github.com → github.com; GHES → its own host. */
export function webHostsFor(apiUrl: string): string[] {
  const hosts = ['github.com', 'www.github.com'];
  try {
    const host = new URL(apiUrl).host.toLowerCase();
    if (host !== 'api.github.com') hosts.push(host);
  } catch {
    // a bad API URL is a configuration error reported at start-up
  }
  return hosts;
}

const NAME = '[A-Za-z0-9_.-]{1,100}';
const PATTERNS: Array<[RegExp, (m: RegExpExecArray, repo: string) => GitHubLink]> = [
  [/^\/pull\/(\d{1,9})(?:\/.*)?$/, (m, repo) => ({ kind: 'pull', repo, number: Number(m[1]) })],
  [/^\/issues\/(\d{1,9})(?:\/.*)?$/, (m, repo) => ({ kind: 'issue', repo, number: Number(m[1]) })],
  [/^\/commit\/([0-9a-fA-F]{7,64})(?:\/.*)?$/, (m, repo) => ({ kind: 'commit', repo, sha: m[1]! })],
  [
    /^\/releases\/tag\/(.+)$/,
    (m, repo) => ({ kind: 'release', repo, tag: decodeURIComponent(m[1]!) }),
  ],
];

export function parseGitHubLink(url: string, hosts: readonly string[]): GitHubLink | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  if (!hosts.includes(parsed.host.toLowerCase())) return undefined;
  const match = new RegExp(`^/(${NAME})/(${NAME})(/.*)$`).exec(parsed.pathname.replace(/\/+$/, ''));
  if (!match) return undefined;
  const repo = `${match[1]}/${match[2]}`;
  for (const [pattern, build] of PATTERNS) {
    const m = pattern.exec(match[3]!);
    if (m) {
      try {
        return build(m, repo);
      } catch {
        return undefined; // a malformed %-escape in a tag
      }
    }
  }
  return undefined;
}
