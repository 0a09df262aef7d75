import { KNOWN_METRICS } from './counter-catalogue';
import { countersOf, entityView } from './entity-view';

describe('entity view', () => {
  it('names counters as rules do, lists linked entities newest first, and leaves out what velocity never saw', () => {
    const counters = Object.fromEntries(countersOf('device').flatMap((c) => c.windowsMs.map((w) => [`${c.counter}@${w === 86_400_000 ? '1d' : w === 3_600_000 ? '1h' : '7d'}`, 1])));
    const view = entityView('device', 'dev-1', { watermarkMs: Date.parse('2026-03-02T08:00:00Z'), counters, facts: {}, members: { 'accounts.distinct': [{ id: 'acc-2', lastSeenMs: 2 }, { id: 'acc-1', lastSeenMs: 1 }] }, sets: {} }, null);
    // every name is one a rule may use
    expect(Object.keys(view.counters).filter((m) => !KNOWN_METRICS.has(m))).toEqual([]);
    expect(view.counters['device.accounts.distinct@24h']).toBe(1);
    expect(view.links.map((l) => `${l.entityType}:${l.entityId}:${l.via}`)).toEqual(['account:acc-2:accounts.distinct', 'account:acc-1:accounts.distinct']);
    expect(view.seenUntil).toBe('2026-03-02T08:00:00.000Z');
    expect(view.listEntry).toBeUndefined();
    expect(entityView('wallet', 'w', { watermarkMs: 0, counters: {}, facts: {}, members: {}, sets: { destinations: ['w-2'] } }, null)).toMatchObject({ links: [{ entityType: 'wallet', entityId: 'w-2', via: 'destinations' }], facts: { destinations: 'w-2' } });
    expect(entityView('wallet', 'w', { watermarkMs: 0, counters: {}, facts: {}, members: {}, sets: {} }, null).seenUntil).toBeUndefined();
  });
});
