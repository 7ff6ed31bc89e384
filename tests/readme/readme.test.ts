/**
 * README.md's configuration tables against src/config.ts, so the documentation cannot drift from
 * the code: every variable the schema reads has exactly one row (first cell: its backticked name)
 * in a table of the Configuration section, every such row names a variable the schema reads, and
 * every table has a header and delimiter row (without them GitHub renders the rows as plain text).
 * The list of variables is the schema's own (CONFIG_VARIABLES), not a copy.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CONFIG_VARIABLES } from '../../src/config.js';
import { markdownTables, type MarkdownTable } from '../support/markdown-tables.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const CONFIGURATION_SECTION = 'Configuration';
/** A first cell that is one backticked environment variable name. */
const VARIABLE_CELL = /^`([A-Z][A-Z0-9_]*)`$/;

interface Problems {
  /** (a) a variable of config.ts without exactly one row, or with a row outside the Configuration section. */
  rows: string[];
  /** (b) a row of a configuration table that does not name one variable config.ts reads. */
  unknown: string[];
  /** (c) a table without header and delimiter, not preceded by a blank line, or a row with the wrong cell count. */
  shape: string[];
}

function problemsOf(readme: string, variables: readonly string[]): Problems {
  const tables = markdownTables(readme);
  const isConfiguration = (table: MarkdownTable) => table.section === CONFIGURATION_SECTION;
  const problems: Problems = { rows: [], unknown: [], shape: [] };

  const rowsOf = new Map<string, { line: number; configuration: boolean }[]>();
  for (const table of tables)
    for (const row of table.rows) {
      const name = VARIABLE_CELL.exec(row.cells[0] ?? '')?.[1];
      if (name !== undefined)
        rowsOf.set(name, [
          ...(rowsOf.get(name) ?? []),
          { line: row.line, configuration: isConfiguration(table) },
        ]);
    }
  for (const name of variables) {
    const rows = rowsOf.get(name) ?? [];
    if (rows.length === 0)
      problems.rows.push(
        `${name}: src/config.ts reads it but no README table row has \`${name}\` as its first cell; add one row | \`${name}\` | default | what it does | under ## ${CONFIGURATION_SECTION}`,
      );
    else if (rows.length > 1)
      problems.rows.push(
        `${name}: ${rows.length} README rows (lines ${rows.map((r) => r.line).join(', ')}); keep exactly one`,
      );
    for (const row of rows.filter((r) => !r.configuration))
      problems.rows.push(
        `${name}: its row on line ${row.line} is outside ## ${CONFIGURATION_SECTION}; move it there`,
      );
  }

  const known = new Set(variables);
  for (const table of tables.filter(isConfiguration))
    for (const row of table.rows) {
      const first = row.cells[0] ?? '';
      const name = VARIABLE_CELL.exec(first)?.[1];
      if (name === undefined)
        problems.unknown.push(
          `line ${row.line}: first cell ${JSON.stringify(first)} is not one backticked variable name; one variable per row`,
        );
      else if (!known.has(name))
        problems.unknown.push(
          `line ${row.line}: ${name} is not read by src/config.ts; remove the row or add the variable to the schema`,
        );
    }

  for (const table of tables) {
    if (!table.hasHeader)
      problems.shape.push(
        `line ${table.line} (under "${table.heading}"): ${table.rows.length} table row(s) without a header and | --- | delimiter row render as plain text; add them or join the table above`,
      );
    if (!table.startsBlock)
      problems.shape.push(
        `line ${table.line} (under "${table.heading}"): a table must follow a blank line, or GitHub reads it as part of the paragraph`,
      );
    if (table.hasHeader)
      for (const row of table.rows)
        if (row.cells.length !== table.header.length)
          problems.shape.push(
            `line ${row.line}: ${row.cells.length} cells where the header has ${table.header.length}; escape a | inside a cell as \\|`,
          );
  }
  if (!tables.some(isConfiguration))
    problems.shape.push(`no table under ## ${CONFIGURATION_SECTION}`);
  return problems;
}

/**
 * The README with the first line matching `match` changed (undefined: removed); fails if there is
 * no such line or nothing changed, so a test of the checks cannot pass on an unaltered README.
 */
function mutated(match: RegExp, change: (line: string) => string | undefined): string {
  const lines = README.split('\n');
  const index = lines.findIndex((line) => match.test(line));
  assert.notEqual(index, -1, `README.md has no line matching ${match}`);
  const changed = change(lines[index]!);
  assert.notEqual(changed, lines[index], 'the mutation changed nothing');
  if (changed === undefined) lines.splice(index, 1);
  else lines[index] = changed;
  return lines.join('\n');
}

describe('README.md', function () {
  describe('configuration tables against src/config.ts', function () {
    const problems = problemsOf(README, CONFIG_VARIABLES);

    it('reads a list of variables from the schema, not an empty one', function () {
      assert.ok(
        CONFIG_VARIABLES.includes('PORT') && CONFIG_VARIABLES.includes('PUBLIC_BASE_URL'),
        'CONFIG_VARIABLES misses PORT or PUBLIC_BASE_URL',
      );
      assert.ok(CONFIG_VARIABLES.length > 50, `only ${CONFIG_VARIABLES.length} variables`);
    });

    it('(a) has exactly one configuration row for every variable src/config.ts reads', function () {
      assert.deepEqual(problems.rows, []);
    });

    it('(b) names in every configuration row one variable src/config.ts reads', function () {
      assert.deepEqual(problems.unknown, []);
    });

    it("(c) gives every table a header and delimiter row, after a blank line, and rows of the header's width", function () {
      assert.deepEqual(problems.shape, []);
    });
  });

  describe('the checks themselves, on altered copies of README.md', function () {
    it('(a) reports a missing row', function () {
      const readme = mutated(/^\| `PUBLIC_BASE_URL` \|/, () => undefined);
      assert.deepEqual(
        problemsOf(readme, CONFIG_VARIABLES).rows.map((p) => p.split(':')[0]),
        ['PUBLIC_BASE_URL'],
      );
    });

    it('(a) reports a duplicated row, with both lines', function () {
      const readme = mutated(/^\| `GITHUB_API_URL` \|/, (line) => `${line}\n${line}`);
      const rows = problemsOf(readme, CONFIG_VARIABLES).rows;
      assert.equal(rows.length, 1, rows.join('\n'));
      assert.match(
        rows[0]!,
        /^GITHUB_API_URL: 2 README rows \(lines \d+, \d+\); keep exactly one$/,
      );
    });

    it('(a) reports a row outside the Configuration section', function () {
      const readme = mutated(
        /^\| `GET \/healthz` \|/,
        (line) => `${line}\n| \`PORT\` | \`3978\` | again |`,
      );
      assert.ok(
        problemsOf(readme, CONFIG_VARIABLES).rows.some((p) =>
          /^PORT: .* outside ## Configuration/.test(p),
        ),
      );
    });

    it('(a) reports a variable the schema gained but the README lacks', function () {
      const rows = problemsOf(README, [...CONFIG_VARIABLES, 'NEW_SETTING']).rows;
      assert.deepEqual(
        rows.map((p) => p.split(':')[0]),
        ['NEW_SETTING'],
      );
    });

    it('(b) reports a row for a variable config.ts does not read, and a row naming two', function () {
      const unknownRow = mutated(
        /^\| `PORT` \|/,
        (line) => `${line}\n| \`NOT_A_SETTING\` | unset | nothing |`,
      );
      assert.match(
        problemsOf(unknownRow, CONFIG_VARIABLES).unknown.join('\n'),
        /NOT_A_SETTING is not read by src\/config\.ts/,
      );
      const twoInOne = mutated(/^\| `BOT_ID` \|/, (line) =>
        line.replace('`BOT_ID`', '`BOT_ID`, `BOT_PASSWORD`'),
      );
      assert.match(
        problemsOf(twoInOne, CONFIG_VARIABLES).unknown.join('\n'),
        /is not one backticked variable name/,
      );
    });

    it('(c) reports rows without a header, as the old README had under other sections', function () {
      const readme = mutated(
        /^Container Apps: \[docs\/deploy\.md\]/,
        (line) => `${line}\n| \`TAB_DIST_DIR\` | \`./dist/tab\` | The built tab. |`,
      );
      const shape = problemsOf(readme, CONFIG_VARIABLES).shape;
      assert.ok(
        shape.some((p) => /without a header/.test(p)),
        shape.join('\n'),
      );
      assert.ok(
        shape.some((p) => /must follow a blank line/.test(p)),
        shape.join('\n'),
      );
    });

    it('(c) reports a row whose unescaped | adds a cell', function () {
      const readme = mutated(/^\| `LOG_LEVEL` \|/, (line) =>
        line.replace('`fatal`, ', '`fatal` | '),
      );
      assert.match(
        problemsOf(readme, CONFIG_VARIABLES).shape.join('\n'),
        /4 cells where the header has 3/,
      );
    });
  });
});
