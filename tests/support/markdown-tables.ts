/**
 * The pipe tables of a Markdown document, as GitHub renders them, with the heading they sit under.
 *
 * Hand-written rather than a Markdown library (remark, markdown-it): no parser is a dependency of
 * the project, and the tests need only the block structure of pipe tables, not rendering. What it
 * keeps from GitHub Flavored Markdown: fenced code is not Markdown; a table is a run of lines
 * starting with `|`, and it is a table only if its second line is a delimiter row (`| --- |`),
 * otherwise every line renders as plain text; cells split on `|` not escaped as `\|`, also inside
 * backticks, as GFM does.
 */

export interface MarkdownTable {
  /** 1-based line number of the table's first line. */
  line: number;
  /** The `##` heading the table sits under ('' before the first one). */
  section: string;
  /** The nearest heading of any level above the table ('' before the first one). */
  heading: string;
  /** Whether the line before is blank (or the table starts the document); GFM needs it after a paragraph. */
  startsBlock: boolean;
  /** Whether the second line is a delimiter row, so the first is a header and this renders as a table. */
  hasHeader: boolean;
  /** The header's cells, or [] when there is no header. */
  header: string[];
  /** Every line after the header and delimiter, or every line when there is no header. */
  rows: MarkdownRow[];
}

export interface MarkdownRow {
  /** 1-based line number. */
  line: number;
  /** Cells with surrounding spaces trimmed. */
  cells: string[];
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const DELIMITER_CELL = /^:?-+:?$/;

export function markdownTables(text: string): MarkdownTable[] {
  const lines = text.split(/\r?\n/);
  const tables: MarkdownTable[] = [];
  let fence: string | undefined;
  let section = '';
  let heading = '';
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    const opening = FENCE.exec(line);
    if (fence !== undefined) {
      // A fence closes on a line of at least as many of the same character.
      if (
        opening &&
        opening[1]![0] === fence[0] &&
        opening[1]!.length >= fence.length &&
        line.trim() === opening[1]
      )
        fence = undefined;
      index++;
      continue;
    }
    if (opening) {
      fence = opening[1]!;
      index++;
      continue;
    }
    const title = HEADING.exec(line);
    if (title) {
      heading = title[2]!;
      if (title[1]!.length <= 2) section = title[2]!;
      index++;
      continue;
    }
    if (!line.trimStart().startsWith('|')) {
      index++;
      continue;
    }
    const start = index;
    while (index < lines.length && lines[index]!.trimStart().startsWith('|')) index++;
    const block = lines
      .slice(start, index)
      .map((text, offset) => ({ line: start + offset + 1, cells: cellsOf(text) }));
    const hasHeader =
      block.length >= 2 &&
      block[1]!.cells.length > 0 &&
      block[1]!.cells.every((cell) => DELIMITER_CELL.test(cell));
    tables.push({
      line: start + 1,
      section,
      heading,
      startsBlock: start === 0 || lines[start - 1]!.trim() === '',
      hasHeader,
      header: hasHeader ? block[0]!.cells : [],
      rows: hasHeader ? block.slice(2) : block,
    });
  }
  return tables;
}

/** `| a | b \| c |` → ['a', 'b \| c']: split on unescaped pipes, outer pipes dropped. */
export function cellsOf(row: string): string[] {
  let inner = row.trim();
  if (inner.startsWith('|')) inner = inner.slice(1);
  if (inner.endsWith('|') && !inner.endsWith('\\|')) inner = inner.slice(0, -1);
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim());
}
