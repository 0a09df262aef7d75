import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FraudSignal, topicNames } from '@vigil/contracts';
import { createRedisClient, RedisClient } from '@vigil/redis';
import { parseRulesFile } from '@vigil/rules';
import { SIGNAL_SOURCE as SELLER_DETECTORS_SOURCE } from '@vigil/seller-detectors';
import { ANALYST_PATTERN, DecidedAlert, fetchDecidedAlerts, labelsFromAlerts, PATTERN_NAMES, prepareStream, runOfflinePass, sendEvents, simulate, subjectKey } from '@vigil/simulator';
import { appUrl, testStack, TopicProbe, waitFor } from '@vigil/testing';
import { SIGNAL_SOURCE as VELOCITY_SOURCE, VELOCITY_RULES_OPTIONS } from '@vigil/velocity-scoring';
import { startSystem } from './system';

/*
 * The offline backtest (npm run backtest -- --events) claims to decide what the live velocity
 * service decides. One simulated stretch with every pattern goes through both: the offline pass
 * (no Kafka, no service) and the four services, replayed over HTTP. Velocity's signals (its rules
 * and the seller/fund-flow detectors) must be the same: ids, rule, subject. Then two of the live
 * alerts are decided through alerting's API and labels:export must read them back as labels.
 */
const TENANT = 'tenant-offline';
/** ALERTING_DASHBOARD_TOKEN of startSystem. */
const DASHBOARD_TOKEN = 'e2e-token';
const SHIPPED_RULES = join(__dirname, '../../services/velocity/rules/velocity-rules.yaml');
/** Sources of the signals velocity publishes (review-analysis's are not the backtest's business). */
const VELOCITY_SOURCES: ReadonlySet<string> = new Set([VELOCITY_SOURCE, SELLER_DETECTORS_SOURCE]);

const fingerprint = (s: FraudSignal) => `${s.signalId} ${s.ruleId} ${subjectKey(s.subject)}`;
const fingerprints = (signals: readonly FraudSignal[]) => [...new Set(signals.map(fingerprint))].sort();

describe('offline backtest: the same signals as a live replay through the services; labels from decisions', () => {
  // 40 minutes: the shortest period the simulator injects every pattern into (~4,500 events).
  const simulation = simulate({ seed: 17, minutes: 40, inject: ['all'], tenantId: TENANT });
  const rules = parseRulesFile(readFileSync(SHIPPED_RULES, 'utf8'), VELOCITY_RULES_OPTIONS);
  let redis: RedisClient;
  let offline: FraudSignal[] = [];

  beforeAll(() => {
    redis = createRedisClient({ url: testStack().redisUrl, cluster: process.env['VIGIL_TEST_REDIS_CLUSTER'] === 'true', keyPrefix: '' });
  });
  afterAll(() => redis?.disconnect());

  it('runs offline on a state of its own, deleted afterwards', async () => {
    expect(new Set(simulation.injected.map((p) => p.pattern))).toEqual(new Set(PATTERN_NAMES));
    const stream = prepareStream(simulation.events);
    expect(stream.invalid).toEqual([]);
    const keyPrefix = `vigil-backtest:e2e-${Date.now()}`;
    offline = await runOfflinePass({ redis, events: stream.events, rules, keyPrefix });
    // Enough rules and both sources fire for the comparison to mean something.
    expect(new Set(offline.map((s) => s.ruleId)).size).toBeGreaterThanOrEqual(10);
    expect(new Set(offline.map((s) => s.source))).toEqual(VELOCITY_SOURCES);
    const [, left] = await redis.scan('0', 'MATCH', `${keyPrefix}:*`, 'COUNT', 100_000);
    expect(left).toEqual([]);
  }, 120_000);

  it('does not depend on where the chunks are cut', async () => {
    const small = await runOfflinePass({ redis, events: prepareStream(simulation.events).events, rules, chunkSize: 97 });
    expect(fingerprints(small)).toEqual(fingerprints(offline));
  }, 180_000);

  it('gives the signals the live services publish for the same events', async () => {
    expect(offline.length).toBeGreaterThan(0);
    const system = await startSystem(TENANT);
    const probe = await TopicProbe.start<FraudSignal>(testStack().brokers, [topicNames(system.topicPrefix).signals]);
    const live = () => probe.messages.map((m) => m.value).filter((s) => VELOCITY_SOURCES.has(s.source));
    try {
      const sent = await sendEvents(simulation.events, { url: system.ingestionUrl, apiKey: system.apiKey, batchSize: 500, rate: 'max' });
      expect(sent.accepted).toBe(simulation.events.length);
      // Until live has as many distinct signals as offline, then until nothing more came for 6 s;
      // a shortfall is left to the comparison below, which names the missing signals.
      await waitFor('the offline number of live signals', () => fingerprints(live()).length >= fingerprints(offline).length, 240_000, 250).catch(() => undefined);
      let seen = -1;
      let quietSince = Date.now();
      await waitFor('the signal stream to settle', () => {
        if (probe.messages.length !== seen) [seen, quietSince] = [probe.messages.length, Date.now()];
        return Date.now() - quietSince > 6000;
      }, 60_000, 250);
      expect(fingerprints(live())).toEqual(fingerprints(offline));

      // labels:export reads what analysts decided through the real alerting API.
      const alerting = appUrl(system.apps[system.apps.length - 1]);
      const headers = { authorization: `Bearer ${DASHBOARD_TOKEN}`, 'content-type': 'application/json' };
      const { alerts } = (await (await fetch(`${alerting}/v1/alerts?limit=2`, { headers })).json()) as { alerts: DecidedAlert[] };
      expect(alerts).toHaveLength(2);
      const [fraud, legit] = alerts;
      for (const [alert, decision] of [[fraud, 'confirmed_fraud'], [legit, 'false_positive']] as const) {
        const response = await fetch(`${alerting}/v1/alerts/${alert.alertId}/decisions`, { method: 'POST', headers, body: JSON.stringify({ decision }) });
        expect(response.status).toBe(202);
      }
      const decided = await waitFor('both decisions applied', async () => {
        const read = await fetchDecidedAlerts({ url: alerting, token: DASHBOARD_TOKEN, tenantId: TENANT });
        return read.alerts.length === 2 && read;
      }, 30_000, 250);
      expect(decided.truncated).toEqual([]);
      const labels = labelsFromAlerts(decided.alerts);
      expect(labels).toContainEqual({ entityType: fraud.subject.type, entityId: fraud.subject.id, label: 'fraud', pattern: ANALYST_PATTERN });
      if (legit.subject.id !== fraud.subject.id) {
        expect(labels).toContainEqual({ entityType: legit.subject.type, entityId: legit.subject.id, label: 'legit', pattern: 'ordinary' });
      }
    } finally {
      await probe.stop();
      await system.stop();
    }
  }, 420_000);
});
