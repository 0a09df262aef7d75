import { ID_PATTERN, SEVERITIES, SUBJECT_TYPES, SubjectType } from '@vigil/contracts';
import { AlertView } from '../alert-document';

/** What an analyst searches by; every field optional, all given fields must match. */
export interface SearchFilter {
  entityType?: SubjectType;
  entityId?: string;
  subjectId?: string;
  ruleId?: string;
  severity?: string;
  status?: string;
  subjectType?: string;
  /** firstSeenAt (event time of the alert's first signal) within [fromMs, toMs]. */
  fromMs?: number;
  toMs?: number;
  assignee?: string;
}

export interface EntityRef {
  type: SubjectType;
  id: string;
}

// Evidence fields that name an entity (what the detectors put there today: review-analysis's
// authorId/sellerId/productId, seller detectors' listingId and `link: "device:…"`, fund-flow's
// flaggedWallet, velocity's deny-list `listedEntity: {type, id}`).
const FIELD_TYPES: Record<string, SubjectType> = {
  accountId: 'account', authorId: 'account', buyerId: 'account', reviewerId: 'account',
  sellerId: 'seller', deviceId: 'device', device: 'device', ip: 'ip', ipAddress: 'ip',
  cardId: 'card', cardFingerprint: 'card', card: 'card', listingId: 'listing', productId: 'product',
  walletId: 'wallet', flaggedWallet: 'wallet', fromWallet: 'wallet', toWallet: 'wallet',
  promoCode: 'promo_code', addressId: 'address', addressHash: 'address',
};
const LIST_TYPES: Record<string, SubjectType> = { accounts: 'account', sellers: 'seller', devices: 'device', wallets: 'wallet' };
const MAX_ENTITIES = 64;
const MAX_DEPTH = 4;

const isSubjectType = (t: unknown): t is SubjectType => typeof t === 'string' && (SUBJECT_TYPES as readonly string[]).includes(t);
const isId = (v: unknown): v is string => typeof v === 'string' && ID_PATTERN.test(v);

/** Entities named by a signal's evidence (bounded: depth 4, 64 entities; hostile evidence costs little). */
export function evidenceEntities(evidence: unknown): EntityRef[] {
  const found = new Map<string, EntityRef>();
  const add = (type: SubjectType, id: unknown) => {
    if (isId(id) && found.size < MAX_ENTITIES) found.set(`${type}:${id}`, { type, id });
  };
  const walk = (value: unknown, depth: number): void => {
    if (depth > MAX_DEPTH || value === null || typeof value !== 'object' || found.size >= MAX_ENTITIES) return;
    if (Array.isArray(value)) {
      for (const item of value.slice(0, 100)) walk(item, depth + 1);
      return;
    }
    const obj = value as Record<string, unknown>;
    if (isSubjectType(obj['type'])) add(obj['type'], obj['id']);
    for (const [key, v] of Object.entries(obj)) {
      const type = FIELD_TYPES[key];
      if (type) add(type, v);
      const listType = LIST_TYPES[key];
      if (listType && Array.isArray(v)) for (const item of v.slice(0, 100)) add(listType, item);
      // "device:dev-1", "ip:1.2.3.4": the seller detectors' shared links
      if (key === 'link' && typeof v === 'string') {
        const at = v.indexOf(':');
        const t = v.slice(0, at);
        if (isSubjectType(t)) add(t, v.slice(at + 1));
      }
      walk(v, depth + 1);
    }
  };
  walk(evidence, 0);
  return [...found.values()];
}

/** Every entity an alert is about: its subject, its signals' subjects and their evidence. */
export function alertEntities(alert: Pick<AlertView, 'subject' | 'signals'>): EntityRef[] {
  const all = new Map<string, EntityRef>([[`${alert.subject.type}:${alert.subject.id}`, { type: alert.subject.type, id: alert.subject.id }]]);
  for (const s of alert.signals) {
    all.set(`${s.subject.type}:${s.subject.id}`, { type: s.subject.type, id: s.subject.id });
    for (const e of evidenceEntities(s.evidence)) if (all.size < MAX_ENTITIES) all.set(`${e.type}:${e.id}`, e);
  }
  return [...all.values()];
}

/** The filter, checked on a loaded alert (the index narrows candidates; this decides). */
export function matchesSearch(alert: AlertView, f: SearchFilter): boolean {
  const firstSeen = Date.parse(alert.firstSeenAt);
  return (
    (!f.severity || alert.severity === f.severity) &&
    (!f.status || alert.status === f.status) &&
    (!f.subjectType || alert.subject.type === f.subjectType) &&
    (!f.subjectId || alert.subject.id === f.subjectId) &&
    (!f.ruleId || f.ruleId in alert.contributions) &&
    (f.assignee === undefined || (alert.assignee ?? '') === f.assignee) &&
    (f.fromMs === undefined || firstSeen >= f.fromMs) &&
    (f.toMs === undefined || firstSeen <= f.toMs) &&
    (!f.entityId || alertEntities(alert).some((e) => e.id === f.entityId && (!f.entityType || e.type === f.entityType)))
  );
}

/** The narrowest index of the filter: an entity, a subject id, a rule, else the tenant's time index (''). */
export function searchIndexName(f: SearchFilter): string {
  if (f.entityId && f.entityType) return `e:${f.entityType}:${f.entityId}`;
  if (f.subjectId && f.subjectType) return `e:${f.subjectType}:${f.subjectId}`;
  if (f.subjectId) return `s:${f.subjectId}`;
  if (f.ruleId) return `r:${f.ruleId}`;
  return '';
}

const SEVERITY_RANK: Record<string, number> = Object.fromEntries(SEVERITIES.map((s, i) => [s, i]));

/** The queue order of "next unassigned": unassigned and undecided, highest severity, then score, then oldest. */
export function nextUnassigned(alerts: AlertView[]): AlertView[] {
  return alerts
    .filter((a) => !a.assignee && (a.status === 'open' || a.status === 'acknowledged'))
    .sort(
      (a, b) =>
        SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
        b.score - a.score ||
        a.firstSeenAt.localeCompare(b.firstSeenAt) ||
        a.alertId.localeCompare(b.alertId),
    );
}
