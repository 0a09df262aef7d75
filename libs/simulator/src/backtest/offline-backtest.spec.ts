import { exampleEvent } from '@vigil/contracts';
import { chunksOf, prepareStream } from './offline-backtest';

const order = (id: string, occurredAt: string, tenantId = 't1') => exampleEvent('order.placed', { id, occurredAt, tenantId });

describe('offline backtest: the stream velocity would receive', () => {
  it('orders events by (occurredAt, id) whatever the file order, ids breaking ties', () => {
    const { events } = prepareStream([
      order('evt-c', '2026-03-02T09:00:02.000Z'),
      order('evt-b', '2026-03-02T09:00:01.000Z'),
      order('evt-z', '2026-03-02T09:00:00.000Z'),
      order('evt-a', '2026-03-02T09:00:01.000Z'),
      exampleEvent('account.created', { id: 'evt-0', occurredAt: '2026-03-02T09:00:01.000Z', tenantId: 't1' }),
    ]);
    expect(events.map((e) => e.id)).toEqual(['evt-z', 'evt-0', 'evt-a', 'evt-b', 'evt-c']);
  });

  it('compares times as instants, not as strings', () => {
    // The same instant written with an offset sorts by its time, not by its text.
    const { events } = prepareStream([order('evt-1', '2026-03-02T10:30:00.000+02:00'), order('evt-2', '2026-03-02T09:00:00.000Z')]);
    expect(events.map((e) => e.id)).toEqual(['evt-1', 'evt-2']);
  });

  it('keeps each (tenant, id) once, as ingestion does, and the same id of another tenant', () => {
    const stream = prepareStream([
      order('evt-1', '2026-03-02T09:00:00.000Z', 't1'),
      order('evt-1', '2026-03-02T09:05:00.000Z', 't1'),
      order('evt-1', '2026-03-02T09:00:00.000Z', 't2'),
    ]);
    expect(stream.duplicates).toBe(1);
    expect(stream.events.map((e) => [e.tenantId, e.occurredAt])).toEqual([
      ['t1', '2026-03-02T09:00:00.000Z'],
      ['t2', '2026-03-02T09:00:00.000Z'],
    ]);
  });

  it('reports invalid records with the failing field and skips families velocity does not read', () => {
    const stream = prepareStream([
      order('evt-1', 'yesterday'),
      { nope: true },
      exampleEvent('review.posted', { id: 'evt-r' }),
      exampleEvent('listing.created', { id: 'evt-l' }),
    ]);
    expect(stream.invalid.map((i) => i.index)).toEqual([0, 1]);
    expect(stream.invalid[0].reason).toMatch(/occurredAt/);
    expect(stream.otherFamilies).toBe(1);
    expect(stream.events.map((e) => e.id)).toEqual(['evt-l']);
  });

  it('hands velocity plain JSON, as it reads it from the topic', () => {
    const [event] = prepareStream([order('evt-1', '2026-03-02T09:00:00.000Z')]).events;
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(event.data)).toBe(Object.prototype);
  });

  it('cuts chunks of at most the given size, in order', () => {
    expect(chunksOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunksOf([], 1000)).toEqual([]);
    expect(() => chunksOf([1], 0)).toThrow(/positive integer/);
  });
});
