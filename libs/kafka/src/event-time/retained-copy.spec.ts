import { InboundMessage } from '../ports';
import { retainedCopy } from './event-time-consumer';
import { PUBLISH_BATCH_HEADER } from './publish-batch';

describe('retainedCopy: what a buffered event keeps of its record', () => {
  // kafkajs hands out each record's value as a slice of the whole fetch response
  const response = Buffer.alloc(2 * 1024 * 1024, 0x20);
  const json = '{"id":"evt-1","type":"order.placed"}';
  response.write(json, 1000);
  const record = (): InboundMessage => ({
    topic: 'vigil.events.orders',
    partition: 3,
    offset: '42',
    key: 'acc-1',
    value: response.subarray(1000, 1000 + json.length),
    headers: { 'vigil-schema': 'event/1', [PUBLISH_BATCH_HEADER]: '{"id":"p-1","n":{},"t":{},"w":{}}' },
    timestamp: '1790000000000',
  });

  it('copies the value out of the fetch response: the same bytes, without the 2 MB behind them', () => {
    const original = record();
    const kept = retainedCopy(original);
    expect(kept.value?.toString()).toBe(json);
    expect(original.value?.buffer.byteLength).toBe(response.length);
    expect(kept.value?.buffer.byteLength).toBeLessThan(64 * 1024);
    response.write('X', 1000); // the response buffer is reused or changed: the kept value is not
    expect(kept.value?.toString()).toBe(json);
    response.write('{', 1000);
  });

  it('drops the publish-batch header (already read) and keeps the rest of the record as it was', () => {
    const original = record();
    const kept = retainedCopy(original);
    expect(kept.headers).toEqual({ 'vigil-schema': 'event/1' });
    expect(original.headers[PUBLISH_BATCH_HEADER]).toBeDefined();
    expect({ ...kept, value: null, headers: {} }).toEqual({ ...original, value: null, headers: {} });
  });

  it('keeps a null value null', () => {
    expect(retainedCopy({ ...record(), value: null }).value).toBeNull();
  });
});
