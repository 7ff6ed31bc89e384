import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compilePattern, parseCodeOwners } from '../../../src/routing/classification/codeowners.js';

/** GitHub's own example file (docs.github.com, "About code owners"), trimmed to its rules. */
const GITHUB_EXAMPLE = `
# This is a comment.
# Each line is a file pattern followed by one or more owners.

# These owners will be the default owners for everything in the repo.
*       @global-owner1 @global-owner2

*.js    @js-owner #This is an inline comment.
*.go docs@example.com
*.txt @octo-org/octocats
/build/logs/ @doctocat
docs/*  docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat

# In this example, @octocat owns any file in the \`/apps\` directory in the root of your
# repository except for the \`/apps/github\` subdirectory, as this subdirectory has its own owner.
/apps/ @octocat
/apps/github

/src/ @sources
/src/vendor/ @vendoring
`;

function matches(pattern: string, path: string): boolean {
  const compiled = compilePattern(pattern);
  assert.ok(compiled instanceof RegExp, `${pattern}: ${String(compiled)}`);
  return compiled.test(path);
}

describe('CODEOWNERS', () => {
  const owners = parseCodeOwners(GITHUB_EXAMPLE);

  it("reads GitHub's example without problems", () => {
    assert.deepEqual(owners.problems, []);
    assert.equal(owners.rules.length, 14);
  });

  it('the last matching rule wins', () => {
    assert.deepEqual(owners.ownersOf('README.md'), ['@global-owner1', '@global-owner2']);
    assert.deepEqual(owners.ownersOf('lib/app.js'), ['@js-owner']);
    assert.deepEqual(
      owners.ownersOf('src/app.js'),
      ['@sources'],
      'the later /src/ rule beats *.js',
    );
    assert.deepEqual(owners.ownersOf('src/vendor/lib/x.js'), ['@vendoring']);
  });

  it('keeps team and email owners as written, and drops inline comments', () => {
    assert.deepEqual(owners.ownersOf('notes/todo.txt'), ['@octo-org/octocats']);
    assert.deepEqual(owners.ownersOf('main.go'), ['docs@example.com']);
    assert.ok(!owners.ownersOf('x.js').some((owner) => owner.startsWith('#')));
  });

  it('a rule without owners leaves its paths unowned', () => {
    assert.deepEqual(owners.ownersOf('apps/github/index.ts'), []);
    assert.deepEqual(owners.ownersOf('apps/web/index.ts'), ['@octocat']);
  });

  it('docs/* owns files directly in docs, not deeper', () => {
    // /docs/ comes later and owns everything under docs/, so test the rule on its own.
    const only = parseCodeOwners('docs/* @writer');
    assert.deepEqual(only.ownersOf('docs/getting-started.md'), ['@writer']);
    assert.deepEqual(only.ownersOf('docs/build-app/troubleshooting.md'), []);
    assert.deepEqual(only.ownersOf('other/docs/a.md'), [], 'an inner slash anchors to the root');
  });

  it('a trailing slash matches a directory anywhere (unanchored) or at the root (anchored)', () => {
    const only = parseCodeOwners('apps/ @octocat\n/build/logs/ @doctocat');
    assert.deepEqual(only.ownersOf('apps/x.ts'), ['@octocat']);
    assert.deepEqual(only.ownersOf('deep/nested/apps/x.ts'), ['@octocat']);
    assert.deepEqual(only.ownersOf('apps'), [], 'a file named apps is not the directory');
    assert.deepEqual(only.ownersOf('build/logs/a/b.log'), ['@doctocat']);
    assert.deepEqual(only.ownersOf('x/build/logs/b.log'), []);
  });

  it('**/logs owns logs directories at any depth', () => {
    const only = parseCodeOwners('**/logs @octocat');
    for (const path of ['logs/a', 'build/logs/a', 'deeply/nested/logs/x/y.txt'])
      assert.deepEqual(only.ownersOf(path), ['@octocat'], path);
    assert.deepEqual(only.ownersOf('build/catalogs/a'), []);
  });

  it('ownersFor unions the owners of several paths, first seen first, without repeats', () => {
    assert.deepEqual(owners.ownersFor(['lib/a.js', 'README.md', 'lib/b.js', '/scripts/run.sh']), [
      '@js-owner',
      '@global-owner1',
      '@global-owner2',
      '@doctocat',
      '@octocat',
    ]);
    assert.deepEqual(owners.ownersFor([]), []);
  });

  describe('patterns', () => {
    const cases: Array<[pattern: string, path: string, expected: boolean]> = [
      ['*', 'a/b/c.txt', true],
      ['*.js', 'a.js', true],
      ['*.js', 'a/b/c.js', true],
      ['*.js', 'a.jsx', false],
      ['/*.js', 'a.js', true],
      ['/*.js', 'a/b.js', false],
      ['src/*.ts', 'src/a.ts', true],
      ['src/*.ts', 'src/x/a.ts', false],
      ['src/**/*.ts', 'src/a.ts', true],
      ['src/**/*.ts', 'src/x/y/a.ts', true],
      ['src/**', 'src/x/y/a.ts', true],
      ['src/**', 'lib/src/a.ts', false],
      ['a?c', 'abc', true],
      ['a?c', 'a/c', false],
      ['docs', 'docs/a/b.md', true],
      ['docs', 'x/docs/a.md', true],
      ['docs', 'docsy/a.md', false],
      ['/docs', 'x/docs/a.md', false],
      ['Docs/', 'docs/a.md', false], // case-sensitive
      ['file.name', 'fileXname', false], // dots are literal
      ['\\#notes', '#notes', true],
      ['my\\ file.txt', 'my file.txt', true],
      ['a***b', 'aXXb', true],
    ];
    for (const [pattern, path, expected] of cases) {
      it(`${pattern} ${expected ? 'matches' : 'does not match'} ${path}`, () =>
        assert.equal(matches(pattern, path), expected));
    }
  });

  it('reports and skips lines GitHub would skip', () => {
    const parsed = parseCodeOwners(
      ['!*.md @x', '*.[ch] @c', 'ok/ @fine', 'src/ not-an-owner', '/ @root'].join('\n'),
    );
    assert.deepEqual(
      parsed.rules.map((rule) => rule.pattern),
      ['ok/'],
    );
    assert.deepEqual(
      parsed.problems.map((problem) => problem.line),
      [1, 2, 4, 5],
    );
    assert.match(parsed.problems[0]?.message ?? '', /negation/);
    assert.match(parsed.problems[1]?.message ?? '', /character ranges/);
    assert.match(parsed.problems[2]?.message ?? '', /not-an-owner/);
  });

  it('handles CRLF files and blank or comment-only lines', () => {
    const parsed = parseCodeOwners('# header\r\n\r\n*.md @docs\r\n   # indented comment\r\n');
    assert.deepEqual(parsed.ownersOf('a.md'), ['@docs']);
    assert.deepEqual(parsed.problems, []);
  });

  it('never throws on arbitrary text or paths, and matches in bounded time', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 400 }),
        fc.array(fc.string({ maxLength: 200 }), { maxLength: 5 }),
        (text, paths) => {
          const parsed = parseCodeOwners(text);
          for (const owner of parsed.ownersFor(paths)) assert.equal(typeof owner, 'string');
        },
      ),
      { numRuns: 1_000 },
    );
    const started = Date.now();
    parseCodeOwners('**/a/**/b/**/c/**/d/*e*f*g*h @x').ownersOf(
      `${'a/b/c/d/'.repeat(25)}${'x'.repeat(1000)}`,
    );
    assert.ok(Date.now() - started < 500, 'no catastrophic backtracking');
  });
});
