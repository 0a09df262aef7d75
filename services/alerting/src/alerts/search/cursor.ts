/**
 * Search position: the (score, alertId) of the last alert a page examined. Results are ordered by
 * score (the alert's first-seen event time, which does not change as signals join) descending,
 * then id descending, so a page never repeats or skips an alert updated meanwhile.
 */
export interface SearchCursor {
  score: number;
  id: string;
}

const ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function encodeCursor(c: SearchCursor): string {
  return Buffer.from(JSON.stringify([c.score, c.id]), 'utf8').toString('base64url');
}

/** undefined for anything that is not a cursor this service issued (the DTO turns that into a 400). */
export function decodeCursor(text: string): SearchCursor | undefined {
  if (text.length > 400 || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [score, id] = value as unknown[];
    if (typeof score !== 'number' || !Number.isFinite(score) || typeof id !== 'string' || !ID.test(id)) return undefined;
    return { score, id };
  } catch {
    return undefined; // not JSON: not one of ours
  }
}

/** a comes after b in the result order (older, or same time and smaller id). */
export const isAfter = (a: SearchCursor, b: SearchCursor): boolean => a.score < b.score || (a.score === b.score && a.id < b.id);

/**
 * Merges per-tenant index slices (each newest first, each at most `fetched` long) into one order,
 * keeping only what is complete: below the last entry of a slice that came back full, another
 * tenant's entries might be missing, so the merge stops at the highest such entry (the horizon).
 */
export function mergeSlices(slices: SearchCursor[][], fetched: number, after?: SearchCursor): { entries: SearchCursor[]; horizon?: SearchCursor } {
  let horizon: SearchCursor | undefined;
  for (const slice of slices) {
    if (slice.length < fetched || slice.length === 0) continue;
    const last = slice[slice.length - 1];
    if (!horizon || isAfter(horizon, last)) horizon = last;
  }
  const entries = slices
    .flat()
    .filter((e) => (!after || isAfter(e, after)) && (!horizon || !isAfter(e, horizon)))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return { entries, ...(horizon ? { horizon } : {}) };
}
