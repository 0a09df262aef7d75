import { decodeCursor, encodeCursor, isAfter, mergeSlices } from './cursor';

describe('search cursor', () => {
  it('round-trips', () => {
    const c = { score: 1764950400123, id: 'al-abc-1' };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });

  it.each(['', 'not base64!', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('[1,"{bad}"]').toString('base64url'), Buffer.from('["1","x"]').toString('base64url'), 'x'.repeat(500)])(
    'refuses %j',
    (text) => expect(decodeCursor(text)).toBeUndefined(),
  );

  it('orders by score, then id, descending', () => {
    expect(isAfter({ score: 1, id: 'z' }, { score: 2, id: 'a' })).toBe(true);
    expect(isAfter({ score: 2, id: 'a' }, { score: 2, id: 'b' })).toBe(true);
    expect(isAfter({ score: 2, id: 'b' }, { score: 2, id: 'b' })).toBe(false);
  });

  it('merges tenants newest first and stops at the horizon of a full slice', () => {
    const a = [{ score: 10, id: 'a1' }, { score: 8, id: 'a2' }]; // full (fetched 2): b's entries below 8 may be missing... a's too
    const b = [{ score: 9, id: 'b1' }, { score: 5, id: 'b2' }, { score: 7, id: 'b3' }].sort((x, y) => y.score - x.score).slice(0, 2); // full: 9, 7
    const { entries, horizon } = mergeSlices([a, b], 2);
    expect(horizon).toEqual({ score: 8, id: 'a2' });
    expect(entries.map((e) => e.id)).toEqual(['a1', 'b1', 'a2']);
  });

  it('keeps everything when no slice is full, and drops what is not after the cursor', () => {
    const { entries, horizon } = mergeSlices([[{ score: 3, id: 'x' }, { score: 3, id: 'w' }, { score: 1, id: 'v' }]], 10, { score: 3, id: 'x' });
    expect(horizon).toBeUndefined();
    expect(entries.map((e) => e.id)).toEqual(['w', 'v']);
  });
});
