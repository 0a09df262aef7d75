/**
 * CSV (RFC 4180) of plain rows: a header row, every cell quoted when it holds a comma, quote, CR
 * or LF. A text cell starting with = + - @ (or tab/CR) would run as a formula in a spreadsheet: it
 * gets a leading apostrophe (OWASP "CSV injection"); numbers are written as numbers.
 */
export type CsvCell = string | number | boolean | null | undefined;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const guarded = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

export function toCsv<K extends string>(columns: readonly K[], rows: Iterable<Record<K, CsvCell>>): string {
  const lines = [columns.map((c) => csvCell(c)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * Reads CSV (RFC 4180: quoted cells, doubled quotes, CRLF or LF) into rows of cells, undoing the
 * writer's formula guard (a leading apostrophe before = + - @ tab CR). Bounded: refuses more than
 * `maxRows` rows (the caller caps the text's length too), so a hostile upload costs O(length).
 */
export function parseCsv(text: string, maxRows: number): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const endCell = () => {
    row.push(/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);
    cell = '';
  };
  const endRow = () => {
    endCell();
    if (!(row.length === 1 && row[0] === '')) rows.push(row); // blank lines are skipped
    if (rows.length > maxRows) throw new Error(`more than ${maxRows} rows`);
    row = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      cell += c;
      i++;
      continue;
    }
    if (c === '"' && cell === '') quoted = true;
    else if (c === ',') endCell();
    else if (c === '\n') endRow();
    else if (c === '\r' && text[i + 1] === '\n') { endRow(); i++; }
    else cell += c;
    i++;
  }
  if (quoted) throw new Error('a quoted cell is not closed');
  if (cell !== '' || row.length > 0) endRow();
  return rows;
}
