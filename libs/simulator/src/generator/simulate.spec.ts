import { validateEvent } from '@vigil/contracts';
import { eventsToNdjson } from './ndjson';
import { labelsToCsv, parseLabelsCsv } from './labels';
import { PATTERN_NAMES } from './patterns';
import { simulate } from './simulate';

describe('simulate', () => {
  const run = simulate({ seed: 42, minutes: 60, inject: ['all'] });

  it('is deterministic: the same seed gives byte-identical events and labels', () => {
    const again = simulate({ seed: 42, minutes: 60, inject: ['all'] });
    expect(eventsToNdjson(again.events)).toBe(eventsToNdjson(run.events));
    expect(labelsToCsv(again.labels)).toBe(labelsToCsv(run.labels));
  });

  it('gives different traffic for a different seed', () => {
    expect(eventsToNdjson(simulate({ seed: 43, minutes: 60, inject: ['all'] }).events)).not.toBe(eventsToNdjson(run.events));
  });

  it('generates only events the contract accepts', () => {
    const failures = run.events
      .map((event) => ({ event, result: validateEvent(JSON.parse(JSON.stringify(event))) }))
      .filter(({ result }) => !result.ok);
    expect(failures.slice(0, 3)).toEqual([]);
    expect(run.events.length).toBeGreaterThan(3_000);
  });

  it('sorts events by occurredAt and gives each a unique id', () => {
    const times = run.events.map((e) => Date.parse(e.occurredAt));
    expect(times.every((t, i) => i === 0 || times[i - 1] <= t)).toBe(true);
    expect(new Set(run.events.map((e) => e.id)).size).toBe(run.events.length);
  });

  it('labels every account, seller and listing that appears in the events', () => {
    const labelled = new Set(run.labels.map((l) => l.entityId));
    const ids = run.events.flatMap((e) => {
      const data = e.data as unknown as Record<string, unknown>;
      return ['accountId', 'sellerId', 'buyerId', 'authorId', 'listingId'].map((k) => data[k]).filter((v): v is string => typeof v === 'string');
    });
    expect(ids.filter((id) => !labelled.has(id))).toEqual([]);
  });

  it('injects every pattern and labels its entities as fraud', () => {
    expect(run.injected.map((i) => i.pattern)).toEqual(PATTERN_NAMES);
    for (const pattern of PATTERN_NAMES) {
      expect({ pattern, fraud: run.labels.some((l) => l.pattern === pattern && l.label === 'fraud') }).toEqual({ pattern, fraud: true });
    }
    expect(run.labels.filter((l) => l.label === 'legit').length).toBeGreaterThan(run.labels.filter((l) => l.label === 'fraud').length);
  });

  it('round-trips labels through CSV', () => {
    expect(parseLabelsCsv(labelsToCsv(run.labels))).toEqual(run.labels);
  });

  it('rejects unknown pattern names and too short periods with patterns', () => {
    expect(() => simulate({ seed: 1, minutes: 60, inject: ['nope'] })).toThrow(/unknown pattern/);
    expect(() => simulate({ seed: 1, minutes: 10, inject: ['all'] })).toThrow(/at least/);
  });

  it('produces no fraud labels without injection', () => {
    const clean = simulate({ seed: 7, minutes: 20 });
    expect(clean.labels.filter((l) => l.label === 'fraud')).toEqual([]);
  });
});
