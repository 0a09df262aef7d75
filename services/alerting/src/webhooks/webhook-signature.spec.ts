import { signBody, verifySignature } from './webhook-signature';

describe('webhook signature', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const t = now / 1000;

  it('verifies what it signed', () => {
    expect(verifySignature('s3cret', '{"a":1}', signBody('s3cret', '{"a":1}', t), 300, now)).toBe(true);
  });

  it('rejects another body, another secret or an old timestamp', () => {
    const header = signBody('s3cret', '{"a":1}', t);
    expect(verifySignature('s3cret', '{"a":2}', header, 300, now)).toBe(false);
    expect(verifySignature('other', '{"a":1}', header, 300, now)).toBe(false);
    expect(verifySignature('s3cret', '{"a":1}', header, 300, now + 301_000)).toBe(false);
  });
});
