import { INestApplication } from '@nestjs/common';
import { EVENT_TYPE_NAMES, EVENT_TYPES, exampleEvent, topicNames } from '@vigil/contracts';
import { createKafka } from '@vigil/kafka';
import { Partitioners } from 'kafkajs';
import { appUrl, startTestApp, testConfig, testStack, TopicProbe, uniqueId, waitFor } from '@vigil/testing';
import { AppModule } from './app.module';
import { signPayload } from '@vigil/signature';
import { IngestionConfig } from './config';
import { ApiErrorBody } from './http/api-error';
import { BatchResponse, SingleEventResponse } from './http/events.controller';

type AnyBody = ApiErrorBody & BatchResponse & SingleEventResponse;
const json = async (response: Response): Promise<AnyBody> => (await response.json()) as AnyBody;
const dataOf = (e: { data: unknown }) => e.data as Record<string, unknown>;

const SECRET = 'tenant-b-secret';

describe('ingestion service on the real stack', () => {
  let app: INestApplication;
  let url: string;
  let config: IngestionConfig;
  let probe: TopicProbe<{ id: string; type: string; tenantId: string }>;

  beforeAll(async () => {
    config = testConfig(IngestionConfig, {
      INGESTION_API_KEYS: `tenant-a:key-a,tenant-b:key-b:${SECRET}`,
      INGESTION_MAX_BATCH_EVENTS: '50',
      INGESTION_MAX_BODY_BYTES: '65536',
    });
    app = await startTestApp(AppModule.register(config), config);
    url = appUrl(app);
    const topics = topicNames(config.VIGIL_TOPIC_PREFIX);
    probe = await TopicProbe.start(testStack().brokers, [...Object.values(topics.events), topics.deadLetter]);
  });
  afterAll(async () => {
    await probe?.stop();
    await app?.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = { 'x-api-key': 'key-a' }) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const event = (type: (typeof EVENT_TYPE_NAMES)[number], overrides: Record<string, unknown> = {}) =>
    exampleEvent(type, { id: uniqueId('evt'), tenantId: 'tenant-a', ...overrides });

  it('publishes every event type to its family topic, keyed by the catalogue key', async () => {
    const events = EVENT_TYPE_NAMES.map((type) => event(type));
    const response = await post('/v1/events/batch', { events });
    expect(response.status).toBe(202);
    const body = await json(response);
    expect(body).toMatchObject({ accepted: events.length, duplicates: 0, rejected: 0 });

    const topics = topicNames(config.VIGIL_TOPIC_PREFIX);
    const ids = new Set(events.map((e) => e.id));
    const seen = await probe.waitFor(events.length, (m) => ids.has(m.value.id));
    for (const e of events) {
      const spec = EVENT_TYPES[e.type];
      const message = seen.find((m) => m.value.id === e.id)!;
      expect(message.topic).toBe(topics.events[spec.family]);
      expect(message.key).toBe(spec.key(e.data as never));
      expect(message.value).toEqual(e); // the envelope as validated, nothing invented (no correlationId)
    }
  });

  it('accepts a single event with 202 and says so', async () => {
    const e = event('order.placed', { correlationId: 'journey-1' });
    const response = await post('/v1/events', e);
    expect(response.status).toBe(202);
    expect(await json(response)).toEqual({ id: e.id, status: 'accepted' });
    const [message] = await probe.waitFor(1, (m) => m.value.id === e.id);
    expect(message.value).toMatchObject({ correlationId: 'journey-1' });
    // validated here once: consumers trust the family topics' messages of this schema version
    expect(message.headers).toMatchObject({ 'vigil-schema': 'event/1', 'vigil-event-type': 'order.placed' });
  });

  it('publishes a duplicate id once and acknowledges it again', async () => {
    const e = event('account.login');
    const first = await post('/v1/events', e);
    const [second, third] = await Promise.all([post('/v1/events', e), post('/v1/events', e)]);
    expect(first.status).toBe(202);
    expect(await json(second)).toEqual({ id: e.id, status: 'duplicate' });
    expect(await json(third)).toEqual({ id: e.id, status: 'duplicate' });
    const inBatch = await post('/v1/events/batch', { events: [e, e] });
    expect((await json(inBatch)).duplicates).toBe(2);
    await probe.waitFor(1, (m) => m.value.id === e.id);
    // A later, unrelated event on the same partition key proves the duplicates were not merely late.
    const marker = event('account.login');
    await post('/v1/events', marker);
    await probe.waitFor(1, (m) => m.value.id === marker.id);
    expect(probe.messages.filter((m) => m.value.id === e.id)).toHaveLength(1);
  });

  it('publishes two concurrent identical requests once', async () => {
    const e = event('wallet.transfer');
    const responses = await Promise.all([post('/v1/events', e), post('/v1/events', e)]);
    const statuses = await Promise.all(responses.map(async (r) => (await json(r)).status));
    expect(statuses.sort()).toEqual(['accepted', 'duplicate']);
    const marker = event('wallet.transfer');
    await post('/v1/events', marker);
    await probe.waitFor(1, (m) => m.value.id === marker.id);
    expect(probe.messages.filter((m) => m.value.id === e.id)).toHaveLength(1);
  });

  describe('bad input gets its precise error', () => {
    it('400 invalid_event with every failing field', async () => {
      const bad = event('order.placed', { occurredAt: 'yesterday' });
      dataOf(bad)['amount'] = { amount: -5, currency: 'euro' };
      const response = await post('/v1/events', bad);
      expect(response.status).toBe(400);
      const body = await json(response);
      expect(body).toMatchObject({ statusCode: 400, code: 'invalid_event' });
      const fields = (body.errors ?? []).map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['occurredAt', 'data.amount.amount', 'data.amount.currency']));
      for (const error of body.errors ?? []) expect(error).toEqual({ field: expect.any(String), constraint: expect.any(String), reason: expect.any(String) });
    });

    it('unknown type and unknown version are named', async () => {
      const unknownType = await post('/v1/events', event('order.placed', { type: 'order.teleported' }));
      expect(unknownType.status).toBe(400);
      expect((await json(unknownType)).errors).toContainEqual(expect.objectContaining({ field: 'type', constraint: 'isIn' }));
      const unknownVersion = await post('/v1/events', event('order.placed', { version: 7 }));
      expect(unknownVersion.status).toBe(400);
      expect((await json(unknownVersion)).errors).toContainEqual(expect.objectContaining({ field: 'version', constraint: 'knownVersion' }));
    });

    it('malformed JSON is 400 malformed_json', async () => {
      const response = await post('/v1/events', '{"id": "x",');
      expect(response.status).toBe(400);
      expect(await json(response)).toMatchObject({ code: 'malformed_json' });
    });

    it('an oversized body is 413 payload_too_large, too many events 413 batch_too_large', async () => {
      const big = event('review.posted');
      dataOf(big)['text'] = 'x'.repeat(70_000);
      const tooBig = await post('/v1/events', big);
      expect(tooBig.status).toBe(413);
      expect(await json(tooBig)).toMatchObject({ code: 'payload_too_large' });
      const tooMany = await post('/v1/events/batch', { events: Array.from({ length: 51 }, () => event('account.login')) });
      expect(tooMany.status).toBe(413);
      expect(await json(tooMany)).toMatchObject({ code: 'batch_too_large' });
    });

    it('a batch publishes its valid events and reports the invalid ones by index', async () => {
      const good = event('listing.created');
      const response = await post('/v1/events/batch', { events: [good, { ...event('listing.created'), version: 'one' }] });
      expect(response.status).toBe(202);
      const body = await json(response);
      expect(body).toMatchObject({ accepted: 1, rejected: 1 });
      expect(body.results[0]).toEqual({ index: 0, id: good.id, status: 'accepted' });
      expect(body.results[1]).toMatchObject({ index: 1, status: 'rejected', });
      expect(body.results[1]).toHaveProperty('errors', expect.arrayContaining([expect.objectContaining({ field: 'version' })]));
      await probe.waitFor(1, (m) => m.value.id === good.id);
      const allBad = await post('/v1/events/batch', { events: [{}, 5] });
      expect(allBad.status).toBe(400);
      const errors = (await json(allBad)).errors ?? [];
      expect(new Set(errors.map((e) => e.index))).toEqual(new Set([0, 1]));
      const notABatch = await post('/v1/events/batch', [good]);
      expect(notABatch.status).toBe(400);
      expect(await json(notABatch)).toMatchObject({ code: 'invalid_body' });
    });
  });

  describe('future-dated events (INGESTION_MAX_FUTURE_SKEW, default 5m)', () => {
    const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
    const HOUR = 3_600_000;
    const MINUTE = 60_000;
    const tooFarReason = (occurredAt: string) =>
      new RegExp(`^occurredAt is ${occurredAt.replace(/[.]/g, '\\.')}, more than 5m after the ingestion clock \\(\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)$`);
    const futureCount = async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return Number(/^vigil_ingestion_future_dated_rejected_total\{transport="http"[^}]*\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };

    it('refuses a single event dated an hour ahead with 400 occurredAt, accepts one a minute ahead and one of last month', async () => {
      const countBefore = await futureCount();
      const future = event('order.placed', { occurredAt: at(HOUR) });
      const refused = await post('/v1/events', future);
      expect(refused.status).toBe(400);
      const body = await json(refused);
      expect(body).toMatchObject({ statusCode: 400, code: 'invalid_event', message: 'the event is invalid' });
      expect(body.errors).toEqual([{ field: 'occurredAt', constraint: 'maxFutureSkew', reason: expect.stringMatching(tooFarReason(future.occurredAt)) }]);
      expect((await futureCount()) - countBefore).toBe(1);

      const minuteAhead = event('order.placed', { occurredAt: at(MINUTE) });
      const lastMonth = event('order.placed', { occurredAt: at(-30 * 24 * HOUR) });
      for (const e of [minuteAhead, lastMonth]) {
        const response = await post('/v1/events', e);
        expect(response.status).toBe(202);
        expect(await json(response)).toEqual({ id: e.id, status: 'accepted' });
      }
      // Same partition key: once the later events arrived, the refused one would have too.
      await probe.waitFor(2, (m) => m.value.id === minuteAhead.id || m.value.id === lastMonth.id);
      expect(probe.messages.some((m) => m.value.id === future.id)).toBe(false);
    });

    it('in a batch, refuses the future-dated event by index like any invalid event (400 when none is valid)', async () => {
      const good = event('listing.created', { occurredAt: at(MINUTE) });
      const future = event('listing.created', { occurredAt: at(HOUR) });
      const mixed = await post('/v1/events/batch', { events: [good, future] });
      expect(mixed.status).toBe(202);
      const body = await json(mixed);
      expect(body).toMatchObject({ accepted: 1, duplicates: 0, rejected: 1 });
      expect(body.results[0]).toEqual({ index: 0, id: good.id, status: 'accepted' });
      expect(body.results[1]).toEqual({
        index: 1,
        id: future.id,
        status: 'rejected',
        errors: [{ field: 'occurredAt', constraint: 'maxFutureSkew', reason: expect.stringMatching(tooFarReason(future.occurredAt)) }],
      });

      const allFuture = [event('listing.created', { occurredAt: at(HOUR) }), event('listing.created', { occurredAt: at(2 * HOUR) })];
      const refused = await post('/v1/events/batch', { events: allFuture });
      expect(refused.status).toBe(400);
      const refusedBody = await json(refused);
      expect(refusedBody).toMatchObject({ code: 'invalid_event', message: 'no event of the batch is valid' });
      expect(refusedBody.errors).toEqual(
        allFuture.map((e, index) => ({ index, field: 'occurredAt', constraint: 'maxFutureSkew', reason: expect.stringMatching(tooFarReason(e.occurredAt)) })),
      );

      await probe.waitFor(1, (m) => m.value.id === good.id);
      const marker = event('listing.created');
      await post('/v1/events', marker);
      await probe.waitFor(1, (m) => m.value.id === marker.id);
      const refusedIds = new Set([future.id, ...allFuture.map((e) => e.id)]);
      expect(probe.messages.some((m) => refusedIds.has(m.value.id))).toBe(false);
    });
  });

  describe('authentication', () => {
    it('refuses a missing or unknown key with 401 and publishes nothing', async () => {
      const e = event('account.created');
      const missing = await post('/v1/events', e, {});
      const unknown = await post('/v1/events', e, { 'x-api-key': 'key-z' });
      expect([missing.status, unknown.status]).toEqual([401, 401]);
      expect(await json(unknown)).toMatchObject({ code: 'unauthorized' });
      expect(probe.messages.some((m) => m.value.id === e.id)).toBe(false);
    });

    it('refuses events of another tenant with 403', async () => {
      const response = await post('/v1/events', event('account.created', { tenantId: 'tenant-b' }));
      expect(response.status).toBe(403);
      expect(await json(response)).toMatchObject({ code: 'tenant_mismatch' });
    });

    it('requires a valid HMAC signature for a key with a secret', async () => {
      const e = event('account.created', { tenantId: 'tenant-b' });
      const raw = JSON.stringify(e);
      const unsigned = await post('/v1/events', raw, { 'x-api-key': 'key-b' });
      const wrong = await post('/v1/events', raw, { 'x-api-key': 'key-b', 'x-vigil-signature': signPayload('other-secret', raw) });
      const tampered = await post('/v1/events', raw.replace('acc-1001', 'acc-1002'), { 'x-api-key': 'key-b', 'x-vigil-signature': signPayload(SECRET, raw) });
      expect([unsigned.status, wrong.status, tampered.status]).toEqual([401, 401, 401]);
      expect(await json(wrong)).toMatchObject({ code: 'invalid_signature' });
      // the timestamp is signed: a captured request replayed after the window, or one moved forward, is refused
      const old = Math.floor(Date.now() / 1000) - 301;
      const replayed = await post('/v1/events', raw, { 'x-api-key': 'key-b', 'x-vigil-signature': signPayload(SECRET, raw, old) });
      expect(replayed.status).toBe(401);
      expect(await json(replayed)).toMatchObject({ code: 'invalid_signature', message: expect.stringMatching(/replay window/) });
      const bodyOnly = await post('/v1/events', raw, { 'x-api-key': 'key-b', 'x-vigil-signature': `sha256=${'0'.repeat(64)}` });
      expect(await json(bodyOnly)).toMatchObject({ code: 'invalid_signature', message: expect.stringMatching(/must be t=/) });
      const signed = await post('/v1/events', raw, { 'x-api-key': 'key-b', 'x-vigil-signature': signPayload(SECRET, raw) });
      expect(signed.status).toBe(202);
      const [message] = await probe.waitFor(1, (m) => m.value.id === e.id);
      expect(message.value.tenantId).toBe('tenant-b');
    });
  });

  describe('Kafka intake', () => {
    it('routes valid intake events to their family topic and invalid ones to the dead-letter topic with the field errors', async () => {
      // The intake consumer starts in the background (the HTTP door must not wait for Kafka).
      await waitFor('intake consumer in its group (/health 200)', async () => (await fetch(`${url}/health`)).status === 200, 45_000);
      const topics = topicNames(config.VIGIL_TOPIC_PREFIX);
      const good = event('order.shipped');
      const bad = event('order.shipped', { occurredAt: 'soon' });
      const producer = createKafka(testStack().brokers, 'intake-test').producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({ topic: topics.intake, messages: [{ value: JSON.stringify(good) }, { value: JSON.stringify(bad) }, { value: '{nope' }] });
      await producer.disconnect();
      const [published] = await probe.waitFor(1, (m) => m.value.id === good.id);
      expect(published.topic).toBe(topics.events.orders);
      expect(published.key).toBe(EVENT_TYPES['order.shipped'].key(good.data as never));
      const dead = await probe.waitFor(2, (m) => m.topic === topics.deadLetter);
      const reasons = dead.map((m) => m.value as unknown as { reason: string; details?: { errors: { field: string }[] } });
      expect(reasons.find((r) => r.reason === 'invalid event')?.details?.errors).toContainEqual(expect.objectContaining({ field: 'occurredAt' }));
      expect(reasons.some((r) => r.reason.startsWith('intake message is not JSON'))).toBe(true);
    }, 70_000);

    it('dead-letters a future-dated intake event with the reason naming the limit, publishes one a minute ahead', async () => {
      await waitFor('intake consumer in its group (/health 200)', async () => (await fetch(`${url}/health`)).status === 200, 45_000);
      const topics = topicNames(config.VIGIL_TOPIC_PREFIX);
      const future = event('order.delivered', { occurredAt: new Date(Date.now() + 3_600_000).toISOString() });
      const minuteAhead = event('order.delivered', { occurredAt: new Date(Date.now() + 60_000).toISOString() });
      const key = EVENT_TYPES['order.delivered'].key(future.data as never);
      const producer = createKafka(testStack().brokers, 'intake-future-test').producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({ topic: topics.intake, messages: [future, minuteAhead].map((e) => ({ key, value: JSON.stringify(e) })) });
      await producer.disconnect();

      const [published] = await probe.waitFor(1, (m) => m.value.id === minuteAhead.id);
      expect(published.topic).toBe(topics.events.orders);
      type Dead = { reason: string; payload: string; details?: { errors: { field: string; constraint: string; reason: string }[] } };
      const [dead] = await probe.waitFor(1, (m) => m.topic === topics.deadLetter && (m.value as unknown as Dead).payload.includes(future.id));
      const record = dead.value as unknown as Dead;
      expect(record.reason).toMatch(/^future-dated event: occurredAt is /);
      expect(record.reason.slice('future-dated event: '.length)).toMatch(
        new RegExp(`^occurredAt is ${future.occurredAt.replace(/[.]/g, '\\.')}, more than 5m after the ingestion clock \\(.+Z\\)$`),
      );
      expect(record.details?.errors).toEqual([{ field: 'occurredAt', constraint: 'maxFutureSkew', reason: record.reason.slice('future-dated event: '.length) }]);
      expect(dead.headers['vigil-dlq-reason']).toBe(record.reason.slice(0, 200));
      expect(probe.messages.some((m) => m.value.id === future.id)).toBe(false);
    }, 70_000);
  });
});
