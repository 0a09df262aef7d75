import { signPayload, verifyPayloadSignature } from './signature';

describe('request signature (t=,v1=)', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const t = now / 1000;
  const body = '{"a":1}';

  it('verifies what it signed, from a string or the raw bytes', () => {
    expect(signPayload('s3cret', body, t)).toMatch(/^t=1767225600,v1=[0-9a-f]{64}$/);
    expect(verifyPayloadSignature('s3cret', Buffer.from(body), signPayload('s3cret', body, t), 300, now)).toEqual({ ok: true });
  });

  it('names why it refuses: another body or secret, an old or future timestamp, a malformed or missing header', () => {
    const header = signPayload('s3cret', body, t);
    expect(verifyPayloadSignature('s3cret', '{"a":2}', header, 300, now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyPayloadSignature('other', body, header, 300, now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyPayloadSignature('s3cret', body, header, 300, now + 301_000)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyPayloadSignature('s3cret', body, header, 300, now - 301_000)).toEqual({ ok: false, reason: 'expired' });
    // a timestamp moved forward with the old MAC
    expect(verifyPayloadSignature('s3cret', body, header.replace(`t=${t}`, `t=${t + 1}`), 300, now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyPayloadSignature('s3cret', body, 'sha256=abc', 300, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyPayloadSignature('s3cret', body, undefined, 300, now)).toEqual({ ok: false, reason: 'missing' });
  });
});
