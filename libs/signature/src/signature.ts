import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The one request-signing scheme of Vigil, for events sent to ingestion and for the webhooks
 * alerting sends (the Stripe / Standard Webhooks model): header
 *   X-Vigil-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 * The timestamp is signed with the body, so a captured request is refused once it is older than
 * the tolerance (replay window). Node's crypto only, so clients can use it as it is.
 */
export const SIGNATURE_HEADER = 'x-vigil-signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

const mac = (secret: string, unixSeconds: number, body: Buffer | string) =>
  createHmac('sha256', secret).update(`${unixSeconds}.`).update(body).digest('hex');

/** The header value for `body`, signed now (or at `unixSeconds`). */
export function signPayload(secret: string, body: Buffer | string, unixSeconds = Math.floor(Date.now() / 1000)): string {
  return `t=${unixSeconds},v1=${mac(secret, unixSeconds, body)}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'mismatch' };

/** Checks a header against the raw body: well-formed, within the tolerance, and the MAC matches (constant time). */
export function verifyPayloadSignature(
  secret: string,
  body: Buffer | string,
  header: string | undefined,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
  nowMs = Date.now(),
): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing' };
  const parts = new Map(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const given = parts.get('v1');
  if (!Number.isInteger(t) || !given || !/^[0-9a-f]{64}$/i.test(given)) return { ok: false, reason: 'malformed' };
  if (Math.abs(nowMs / 1000 - t) > toleranceSeconds) return { ok: false, reason: 'expired' };
  const expected = Buffer.from(mac(secret, t, body));
  return timingSafeEqual(expected, Buffer.from(given.toLowerCase())) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
