/** Allow and deny list entries as the rules read them (the HTTP side, DTOs and writes, is velocity's lists feature). */
export const LIST_KINDS = ['allow', 'deny'] as const;
export type ListKind = (typeof LIST_KINDS)[number];
export const LIST_ENTITY_TYPES = ['account', 'seller', 'device', 'ip', 'card', 'email_domain', 'wallet'] as const;
export type ListEntityType = (typeof LIST_ENTITY_TYPES)[number];

/** Stored (JSON) under the entity's ":list" key, read by the counters script with the counters. */
export interface ListEntry {
  list: ListKind;
  reason: string;
  /** allow: rule ids it suppresses ("*" = all); deny: unused. */
  rules: string[];
  addedAt: string;
  expiresAt: string;
  /** Who put it there: the analyst alerting authenticated, or "admin-key" for a direct API call. */
  addedBy?: string;
}

/** An entry with the entity it is about (the listing of a tenant's list, its CSV export). */
export interface ListedEntity extends ListEntry {
  entityType: ListEntityType;
  entityId: string;
}

export function parseListEntry(raw: string | null): ListEntry | null {
  // Written only by velocity's ListsService with JSON.stringify; a corrupt value fails loudly.
  return raw ? (JSON.parse(raw) as ListEntry) : null;
}

/** Does an allow entry suppress this rule? */
export function suppresses(entry: ListEntry | null, ruleId: string): boolean {
  return entry?.list === 'allow' && (entry.rules.includes('*') || entry.rules.includes(ruleId));
}

/** One change of a tenant's lists, as the change log keeps it. */
export interface ListChange {
  at: string;
  actor: string;
  action: 'put' | 'remove' | 'import';
  list: ListKind;
  entityType?: ListEntityType;
  entityId?: string;
  reason: string;
  /** import: entries written. */
  count?: number;
}

export interface ListPage {
  entries: ListedEntity[];
  /** Entries of the tenant in the index (both lists, not yet expired). */
  total: number;
  /** Offset of the next page; absent at the end. */
  next?: number;
}

export interface ImportResult {
  imported: number;
  problems: { line: number; reason: string }[];
}

