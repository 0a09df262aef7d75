import { PublishBatchStamper, readPublishBatch } from './publish-batch';

describe('publish batch header', () => {
  const stamper = new PublishBatchStamper();

  it('counts only the records on the reader input topics and keeps each tenant earliest time', () => {
    const header = stamper.header([
      { topic: 'events.orders', tenantId: 't1', timeMs: 2000 },
      { topic: 'events.orders', tenantId: 't1', timeMs: 1000 },
      { topic: 'events.accounts', tenantId: 't2', timeMs: 1500 },
      { topic: 'events.reviews', tenantId: 't1', timeMs: 500 },
    ]);
    const batch = readPublishBatch(header, ['events.orders', 'events.accounts']);
    expect(batch?.required).toBe(3);
    expect(batch?.streams).toEqual({ t1: 500, t2: 1500 });
    expect(readPublishBatch(header, ['events.wallets'])?.required).toBe(0);
  });

  it('gives each publish call its own id', () => {
    const a = readPublishBatch(stamper.header([{ topic: 'x', tenantId: 't', timeMs: 1 }]), ['x']);
    const b = readPublishBatch(stamper.header([{ topic: 'x', tenantId: 't', timeMs: 1 }]), ['x']);
    expect(a?.id).not.toEqual(b?.id);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['not JSON', '{"id":'],
    ['not an object', '[1,2]'],
    ['no id', JSON.stringify({ n: { x: 1 }, t: { t: 1 } })],
    ['counts null', JSON.stringify({ id: 'a', n: null, t: { t: 1 } })],
    ['a negative count', JSON.stringify({ id: 'a', n: { x: -1 }, t: { t: 1 } })],
    ['a fractional count', JSON.stringify({ id: 'a', n: { x: 1.5 }, t: { t: 1 } })],
    ['a count as text', JSON.stringify({ id: 'a', n: { x: '3' }, t: { t: 1 } })],
    ['a time as text', JSON.stringify({ id: 'a', n: { x: 1 }, t: { t: 'soon' } })],
    ['times as an array', JSON.stringify({ id: 'a', n: { x: 1 }, t: [1] })],
  ])('treats a malformed header (%s) as no header', (_case, value) => {
    expect(readPublishBatch(value, ['x'])).toBeUndefined();
  });
});
