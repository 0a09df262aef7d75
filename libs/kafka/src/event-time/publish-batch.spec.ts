import { OutboundMessage } from '../ports';
import {
  BatchRecord,
  isWatermarkRecord,
  PartitionLookup,
  PUBLISH_BATCH_HEADER,
  PublishBatchStamper,
  readPublishBatch,
} from './publish-batch';

describe('publish batch header', () => {
  const stamper = new PublishBatchStamper();
  const rec = (topic: string, tenantId: string, timeMs: number, key = `${tenantId}-${timeMs}`): BatchRecord => ({
    topic,
    key,
    value: '{}',
    tenantId,
    timeMs,
  });
  const headerOf = (messages: OutboundMessage[]) => messages[0].headers?.[PUBLISH_BATCH_HEADER];

  it('counts only the records on the reader input topics and keeps each tenant earliest and latest time', () => {
    const stamped = stamper.stamp([
      rec('events.orders', 't1', 2000),
      rec('events.orders', 't1', 1000),
      rec('events.accounts', 't2', 1500),
      rec('events.reviews', 't1', 500),
    ]);
    expect(stamped).toHaveLength(4); // no partition lookup: no watermark records
    expect(new Set(stamped.map((m) => m.headers?.[PUBLISH_BATCH_HEADER])).size).toBe(1);
    const batch = readPublishBatch(headerOf(stamped), ['events.orders', 'events.accounts']);
    expect(batch?.required).toBe(3);
    expect(batch?.streams).toEqual({ t1: 500, t2: 1500 });
    expect(batch?.latest).toEqual({ t1: 2000, t2: 1500 });
    expect(readPublishBatch(headerOf(stamped), ['events.wallets'])?.required).toBe(0);
    expect(stamped.every((m) => !('tenantId' in m) && !isWatermarkRecord(m.headers))).toBe(true);
  });

  it('gives each publish call its own id', () => {
    const a = readPublishBatch(headerOf(stamper.stamp([rec('x', 't', 1)])), ['x']);
    const b = readPublishBatch(headerOf(stamper.stamp([rec('x', 't', 1)])), ['x']);
    expect(a?.id).not.toEqual(b?.id);
  });

  it('writes a watermark record to each partition of the watermarked topics that gets no event, counted in the batch', () => {
    // partitions: orders has 3, accounts 2, wallets unknown yet; the key decides the partition
    const lookup: PartitionLookup = {
      partitionCount: (topic) => ({ 'events.orders': 3, 'events.accounts': 2 })[topic],
      partitionFor: (_topic, key, count) => Number(key) % count,
    };
    const stamped = new PublishBatchStamper(['events.orders', 'events.accounts', 'events.wallets'], lookup).stamp([
      rec('events.orders', 't1', 100, '4'), // partition 1
      rec('events.orders', 't2', 300, '7'), // partition 1
      rec('events.accounts', 't1', 50, '2'), // partition 0
    ]);
    const marks = stamped.filter((m) => isWatermarkRecord(m.headers));
    expect(marks.map((m) => [m.topic, m.partition, m.key, m.value])).toEqual([
      ['events.orders', 0, null, ''],
      ['events.orders', 2, null, ''],
      ['events.accounts', 1, null, ''],
    ]);
    const batch = readPublishBatch(headerOf(stamped), ['events.orders', 'events.accounts']);
    expect(batch?.required).toBe(6);
    expect(batch?.latest).toEqual({ t1: 100, t2: 300 });
    expect(marks.every((m) => m.headers?.[PUBLISH_BATCH_HEADER] === headerOf(stamped))).toBe(true);
  });

  it('reads a header written before watermark records existed (no latest times) as carrying none', () => {
    const batch = readPublishBatch(JSON.stringify({ id: 'a', n: { x: 2 }, t: { t: 1 } }), ['x']);
    expect(batch).toEqual({ id: 'a', required: 2, streams: { t: 1 }, latest: {} });
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
    ['a latest time as text', JSON.stringify({ id: 'a', n: { x: 1 }, t: { t: 1 }, w: { t: 'later' } })],
    ['latest times as an array', JSON.stringify({ id: 'a', n: { x: 1 }, t: { t: 1 }, w: [1] })],
  ])('treats a malformed header (%s) as no header', (_case, value) => {
    expect(readPublishBatch(value, ['x'])).toBeUndefined();
  });
});
