import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-vigil-signature';

/**
 * Stripe-style header "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, `${t}.${body}`)>": the
 * timestamp is signed with the body so a captured request cannot be replayed later.
 */
export function signBody(secret: string, body: string, unixSeconds = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** Receiver side (also in the README): checks the MAC and that the timestamp is recent. */
export function verifySignature(secret: string, body: string, header: string, toleranceSeconds = 300, nowMs = Date.now()): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts['t']);
  if (!Number.isFinite(t) || Math.abs(nowMs / 1000 - t) > toleranceSeconds || !parts['v1']) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const given = Buffer.from(parts['v1']);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
