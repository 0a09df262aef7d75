import { timingSafeEqual } from 'node:crypto';

export interface ApiKeyEntry {
  tenantId: string;
  key: string;
  /** When set, requests must carry X-Vigil-Signature (t=,v1=: @vigil/signature) over the raw body. */
  secret?: string;
}

/** `tenant:key[:secret],...`, the format of every key setting (INGESTION_API_KEYS, VELOCITY_ADMIN_KEYS). */
export const API_KEYS_PATTERN = /^$|^[^:,\s]+:[^:,\s]+(:[^:,\s]+)?(,[^:,\s]+:[^:,\s]+(:[^:,\s]+)?)*$/;

/** Parses a key setting (`tenant:key[:secret],...`) into a lookup by key; `setting` names it in errors. */
export function parseApiKeys(spec: string, setting = 'INGESTION_API_KEYS'): Map<string, ApiKeyEntry> {
  const keys = new Map<string, ApiKeyEntry>();
  for (const item of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [tenantId, key, secret] = item.split(':');
    if (!tenantId || !key) throw new Error(`${setting} must be tenant:key[:secret],... (got an empty tenant or key)`);
    if (keys.has(key)) throw new Error(`${setting} lists the key of tenant ${tenantId} twice`);
    keys.set(key, { tenantId, key, secret: secret || undefined });
  }
  return keys;
}

/** Constant-time lookup of a key (timingSafeEqual against every configured key, no early exit). */
export function findApiKey(keys: Map<string, ApiKeyEntry>, presented: string | undefined): ApiKeyEntry | undefined {
  if (!presented) return undefined;
  const given = Buffer.from(presented);
  let found: ApiKeyEntry | undefined;
  for (const entry of keys.values()) {
    const candidate = Buffer.from(entry.key);
    if (candidate.length === given.length && timingSafeEqual(candidate, given)) found = entry;
  }
  return found;
}

/** The key a request presents: `X-Api-Key`, or `Authorization: Bearer <key>`. */
export function presentedKey(header: (name: string) => string | undefined): string | undefined {
  return header('x-api-key') ?? /^Bearer\s+(\S+)$/i.exec(header('authorization') ?? '')?.[1];
}
