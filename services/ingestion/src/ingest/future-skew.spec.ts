import { ConfigError, loadConfig } from '@vigil/config';
import { exampleEvent, topicNames } from '@vigil/contracts';
import { MessagePublisher } from '@vigil/kafka';
import { register } from 'prom-client';
import { IngestionConfig } from '../config';
import { futureDatedError, MAX_FUTURE_SKEW_CONSTRAINT } from './future-skew';
import { IdempotencyStore } from './idempotency.store';
import { IngestEventsService } from './ingest-events.service';

const NOW = Date.parse('2026-12-02T09:00:00.000Z');
const FIVE_MINUTES = { maxSkewMs: 5 * 60_000, label: '5m' };

describe('futureDatedError', () => {
  it('refuses an occurredAt later than the clock plus the skew, naming the limit', () => {
    expect(futureDatedError('2026-12-02T10:00:00.000Z', NOW, FIVE_MINUTES)).toEqual({
      field: 'occurredAt',
      constraint: MAX_FUTURE_SKEW_CONSTRAINT,
      reason: 'occurredAt is 2026-12-02T10:00:00.000Z, more than 5m after the ingestion clock (2026-12-02T09:00:00.000Z)',
    });
    // One millisecond past the boundary; an offset is compared as the instant it denotes (and shown in UTC).
    expect(futureDatedError('2026-12-02T09:05:00.001Z', NOW, FIVE_MINUTES)).not.toBeNull();
    expect(futureDatedError('2026-12-02T11:05:00.001+02:00', NOW, FIVE_MINUTES)?.reason).toMatch(/^occurredAt is 2026-12-02T09:05:00\.001Z,/);
  });

  it('accepts up to the skew, the present and the past of any age', () => {
    expect(futureDatedError('2026-12-02T09:05:00.000Z', NOW, FIVE_MINUTES)).toBeNull(); // exactly clock + skew
    expect(futureDatedError('2026-12-02T09:01:00.000Z', NOW, FIVE_MINUTES)).toBeNull();
    expect(futureDatedError('2026-12-02T09:00:00.000Z', NOW, FIVE_MINUTES)).toBeNull();
    expect(futureDatedError('2026-11-02T09:00:00.000Z', NOW, FIVE_MINUTES)).toBeNull(); // last month's replay
    expect(futureDatedError('2001-01-01T00:00:00Z', NOW, FIVE_MINUTES)).toBeNull();
  });

  it('leaves unreadable timestamps to validateEvent', () => {
    expect(futureDatedError('soon', NOW, FIVE_MINUTES)).toBeNull();
  });
});

describe('INGESTION_MAX_FUTURE_SKEW', () => {
  it('defaults to 5m and accepts durations parseDuration reads', () => {
    expect(loadConfig(IngestionConfig, {}).INGESTION_MAX_FUTURE_SKEW).toBe('5m');
    expect(loadConfig(IngestionConfig, { INGESTION_MAX_FUTURE_SKEW: '90s' }).INGESTION_MAX_FUTURE_SKEW).toBe('90s');
  });

  it.each(['5 minutes', '0m', '-5m', '5'])('refuses %p at start-up', (value) => {
    expect(() => loadConfig(IngestionConfig, { INGESTION_MAX_FUTURE_SKEW: value })).toThrow(ConfigError);
    expect(() => loadConfig(IngestionConfig, { INGESTION_MAX_FUTURE_SKEW: value })).toThrow(/INGESTION_MAX_FUTURE_SKEW: .*positive duration/);
  });
});

describe('IngestEventsService.validate with an injected clock', () => {
  const service = (skew = '5m', clock = () => NOW) =>
    new IngestEventsService(
      {} as MessagePublisher,
      topicNames(''),
      {} as IdempotencyStore,
      loadConfig(IngestionConfig, { INGESTION_MAX_FUTURE_SKEW: skew }),
      clock,
    );
  const event = (occurredAt: string) => exampleEvent('order.placed', { occurredAt });
  const refusedCount = async (transport: string) => {
    const metric = register.getSingleMetric('vigil_ingestion_future_dated_rejected_total');
    const values = (await metric?.get())?.values ?? [];
    return values.find((v) => v.labels['transport'] === transport)?.value ?? 0;
  };

  it('refuses future-dated events (counted), accepts a minute ahead and the past', async () => {
    const before = await refusedCount('kafka');
    const [future, minuteAhead, lastMonth] = service().validate(
      [event('2026-12-02T10:00:00.000Z'), event('2026-12-02T09:01:00.000Z'), event('2026-11-02T09:00:00.000Z')],
      'kafka',
    );
    expect(future).toEqual({
      ok: false,
      errors: [{ field: 'occurredAt', constraint: 'maxFutureSkew', reason: 'occurredAt is 2026-12-02T10:00:00.000Z, more than 5m after the ingestion clock (2026-12-02T09:00:00.000Z)' }],
    });
    expect(minuteAhead.ok).toBe(true);
    expect(lastMonth.ok).toBe(true);
    expect((await refusedCount('kafka')) - before).toBe(1);
  });

  it('reads the clock on each call and uses the configured skew', () => {
    let now = NOW;
    const ingest = service('1h', () => now);
    expect(ingest.validate([event('2026-12-02T09:30:00.000Z')], 'http')[0].ok).toBe(true);
    now = NOW - 3_600_000;
    const [refused] = ingest.validate([event('2026-12-02T09:30:00.000Z')], 'http');
    expect(refused).toMatchObject({ ok: false, errors: [{ reason: expect.stringContaining('more than 1h after the ingestion clock (2026-12-02T08:00:00.000Z)') }] });
  });

  it('lists the future date together with the other failing fields', () => {
    const bad = event('2026-12-02T10:00:00.000Z');
    (bad.data as unknown as Record<string, unknown>)['amount'] = { amount: -5, currency: 'euro' };
    const [result] = service().validate([bad], 'http');
    expect(result.ok).toBe(false);
    const fields = result.ok ? [] : result.errors.map((e) => `${e.field}:${e.constraint}`);
    expect(fields).toEqual(expect.arrayContaining(['occurredAt:maxFutureSkew', 'data.amount.amount:min']));
  });
});
