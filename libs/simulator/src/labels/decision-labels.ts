/**
 * Labels from analysts' decisions: every alert alerting holds with a terminal decision becomes a
 * label of its subject, in the labels CSV the backtest reads (parseLabelsCsv), so a rules change
 * can be measured against what analysts actually judged.
 */
import { ALERT_STATUSES, SUBJECT_TYPES } from '@vigil/contracts';
import { EntityLabel, LabelBook, LabelEntityType } from '../generator/labels';

/** The `pattern` of a confirmed-fraud label (legit ones are `ordinary`, as in simulated labels). */
export const ANALYST_PATTERN = 'analyst-confirmed';

/** What alerting's GET /v1/alerts returns of an alert, as far as labels need it. */
export interface DecidedAlert {
  alertId: string;
  subject: { type: string; id: string; tenantId: string };
  status: (typeof ALERT_STATUSES)[number];
}

const TERMINAL = ['confirmed_fraud', 'false_positive'] as const;

/**
 * One label per subject: confirmed fraud on any of its alerts makes it fraud (as LabelBook: a
 * subject confirmed once is wanted, even if another of its alerts was a false alarm), a false
 * positive otherwise legit. Open and acknowledged alerts say nothing.
 */
export function labelsFromAlerts(alerts: readonly DecidedAlert[]): EntityLabel[] {
  const book = new LabelBook();
  for (const alert of alerts) {
    const type = alert.subject.type as LabelEntityType;
    if (alert.status === 'confirmed_fraud') book.fraud(type, alert.subject.id, ANALYST_PATTERN);
  }
  for (const alert of alerts) {
    if (alert.status === 'false_positive') book.legit(alert.subject.type as LabelEntityType, alert.subject.id);
  }
  return book.all();
}

/** alerting's list answers at most this many alerts per request. */
const PAGE_LIMIT = 500;

export interface FetchDecidedOptions {
  /** alerting's base URL, e.g. http://127.0.0.1:3003 */
  url: string;
  /** An analyst token (viewer suffices): the alerts are those of the token's tenants. */
  token: string;
  tenantId?: string;
  fetchImpl?: typeof fetch;
}

export interface FetchDecidedResult {
  alerts: DecidedAlert[];
  /** Queries that came back full: older decided alerts of that status and subject type were not read. */
  truncated: string[];
}

/**
 * Reads the decided alerts through alerting's API (the read model analysts decide on; the
 * decisions topic holds only alert ids, not subjects). alerting answers at most 500 alerts per
 * request out of each tenant's newest ALERTING_INDEX_SIZE, so the query is split by status and
 * subject type, and a split that comes back full is reported as truncated.
 */
export async function fetchDecidedAlerts(options: FetchDecidedOptions): Promise<FetchDecidedResult> {
  const doFetch = options.fetchImpl ?? fetch;
  const result: FetchDecidedResult = { alerts: [], truncated: [] };
  for (const status of TERMINAL) {
    for (const subjectType of SUBJECT_TYPES) {
      const query = new URLSearchParams({ status, subjectType, limit: String(PAGE_LIMIT), ...(options.tenantId ? { tenantId: options.tenantId } : {}) });
      const url = `${options.url.replace(/\/+$/, '')}/v1/alerts?${query}`;
      const response = await doFetch(url, { headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' } }).catch((error: Error) => {
        // undici's "fetch failed" names neither the address nor the reason; its cause does.
        const cause = error.cause instanceof Error ? error.cause.message : error.message;
        throw new Error(`alerting at ${options.url} is not reachable: ${cause}`);
      });
      if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${(await response.text()).slice(0, 300)}`);
      const body = (await response.json()) as { alerts?: DecidedAlert[] };
      if (!Array.isArray(body.alerts)) throw new Error(`GET ${url}: the answer has no "alerts" list`);
      result.alerts.push(...body.alerts);
      if (body.alerts.length >= PAGE_LIMIT) result.truncated.push(`${status}/${subjectType}`);
    }
  }
  return result;
}
