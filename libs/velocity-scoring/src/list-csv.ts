import { parseCsv, toCsv } from '@vigil/contracts';
import { LIST_ENTITY_TYPES, ListedEntity, ListEntityType } from './list-entry';

/** The columns of a list's CSV export; an import reads the same file back (extra columns ignored). */
export const LIST_CSV_COLUMNS = ['entityType', 'entityId', 'reason', 'rules', 'expiresAt', 'addedBy', 'addedAt'] as const;

export function listToCsv(entries: readonly ListedEntity[]): string {
  return toCsv(
    LIST_CSV_COLUMNS,
    entries.map((e) => ({ entityType: e.entityType, entityId: e.entityId, reason: e.reason, rules: e.rules.join(' '), expiresAt: e.expiresAt, addedBy: e.addedBy ?? '', addedAt: e.addedAt })),
  );
}

/** One row of an import, not yet validated as a list entry (the service's DTO validation does that). */
export interface ListCsvRow {
  line: number;
  entityType: ListEntityType;
  entityId: string;
  reason: string;
  rules?: string[];
  /** Whole days until expiry (from `ttlDays`, or rounded up from `expiresAt`). */
  ttlDays?: number;
}

export interface ListCsvProblem {
  line: number;
  reason: string;
}

const DAY_MS = 86_400_000;

/**
 * Reads an import: a header row naming at least entityType, entityId and reason, optionally rules
 * (space-separated rule ids) and ttlDays or expiresAt. Rows with a problem are reported by line
 * (1 = the header) and skipped; a file over `maxRows` rows or unreadable throws.
 */
export function parseListCsv(text: string, maxRows: number, now: Date): { rows: ListCsvRow[]; problems: ListCsvProblem[] } {
  let table: string[][];
  try {
    table = parseCsv(text, maxRows + 1);
  } catch (error) {
    throw new Error(/more than/.test((error as Error).message) ? `more than ${maxRows} entries in one import` : (error as Error).message);
  }
  const [header, ...body] = table;
  if (!header) throw new Error('the file is empty: a header row (entityType,entityId,reason,...) is needed');
  const col = (name: string) => header.findIndex((h) => h.trim() === name);
  const at = { entityType: col('entityType'), entityId: col('entityId'), reason: col('reason'), rules: col('rules'), ttlDays: col('ttlDays'), expiresAt: col('expiresAt') };
  const missing = (['entityType', 'entityId', 'reason'] as const).filter((c) => at[c] < 0);
  if (missing.length > 0) throw new Error(`the header row lacks ${missing.join(', ')}`);
  const rows: ListCsvRow[] = [];
  const problems: ListCsvProblem[] = [];
  body.forEach((cells, i) => {
    const line = i + 2;
    const get = (index: number) => (index >= 0 ? (cells[index] ?? '').trim() : '');
    const entityType = get(at.entityType);
    if (!(LIST_ENTITY_TYPES as readonly string[]).includes(entityType)) {
      problems.push({ line, reason: `entityType must be one of ${LIST_ENTITY_TYPES.join(', ')}` });
      return;
    }
    const row: ListCsvRow = { line, entityType: entityType as ListEntityType, entityId: get(at.entityId), reason: get(at.reason) };
    const rules = get(at.rules);
    if (rules) row.rules = rules.split(/\s+/);
    const ttl = get(at.ttlDays);
    const expires = get(at.expiresAt);
    if (ttl) {
      row.ttlDays = Number(ttl);
    } else if (expires) {
      const ms = Date.parse(expires);
      if (Number.isNaN(ms) || ms <= now.getTime()) {
        problems.push({ line, reason: 'expiresAt must be a future ISO 8601 time' });
        return;
      }
      row.ttlDays = Math.ceil((ms - now.getTime()) / DAY_MS);
    }
    rows.push(row);
  });
  return { rows, problems };
}
