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
