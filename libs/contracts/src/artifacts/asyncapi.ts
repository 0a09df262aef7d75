import { deadLetterMessage, PUBLISH_BATCH_HEADER, WATERMARK_HEADER } from '@vigil/kafka';
import { AlertDecision, FraudAlert } from '../alerts';
import { eventSchemaFile, partitionKeyField } from '../contract-schemas';
import { eventRecordHeaders, SCHEMA_HEADER } from '../decode-message';
import { EVENT_TYPES, EventType } from '../event-types';
import { exampleEvent } from '../examples';
import { JsonSchema } from '../json-schema';
import { buildSignal, signalRecord } from '../signal-builder';
import { RULE_MODES } from '../signals';
import { EVENT_FAMILIES, EventFamily, topicNames, topicSpecs } from '../topics';

/** The parts of AsyncAPI 3.1 this document uses. */
type Ref = { $ref: string };
interface KafkaMessageBinding {
  key: JsonSchema;
  bindingVersion: string;
}
export interface AsyncApiMessage {
  name: string;
  title: string;
  summary: string;
  contentType: string;
  payload: JsonSchema;
  headers?: JsonSchema;
  bindings: { kafka: KafkaMessageBinding };
  examples?: { name: string; headers?: Record<string, string>; payload: unknown }[];
}
export interface AsyncApiChannel {
  address: string;
  title: string;
  description: string;
  messages: Record<string, Ref>;
  bindings: { kafka: { topic: string; partitions: number; topicConfiguration?: Record<string, number>; bindingVersion: string } };
}
export interface AsyncApiOperation {
  action: 'send' | 'receive';
  channel: Ref;
  title: string;
  summary: string;
  tags: { name: string }[];
}
export interface AsyncApiDocument {
  asyncapi: '3.1.0';
  info: { title: string; version: string; description: string; license: { name: string; url: string } };
  defaultContentType: string;
  servers: Record<string, { host: string; protocol: string; description: string }>;
  channels: Record<string, AsyncApiChannel>;
  operations: Record<string, AsyncApiOperation>;
  components: { messages: Record<string, AsyncApiMessage> };
}

const KAFKA_BINDING_VERSION = '0.5.0';
/** A publish batch header as ingestion writes it (PublishBatchStamper): one order, two partitions with none. */
const EXAMPLE_BATCH_HEADER = '{"id":"3f1c9a20-1","n":{"events.orders":3},"t":{"demo-market":1795428000000},"w":{"demo-market":1795428000000}}';
const SCHEMAS_DIR = 'schemas';

/**
 * What each header means. The header names themselves come from the producers' own functions
 * (eventRecordHeaders, signalRecord, deadLetterMessage, PUBLISH_BATCH_HEADER): a header added
 * there without a line here stops the generator.
 */
const HEADER_DESCRIPTIONS: Record<string, string> = {
  'vigil-event-type': 'the event type (the `type` of the value), to filter without parsing',
  'vigil-tenant': 'the tenantId of the event',
  [SCHEMA_HEADER]: '<contract>/<version> of a message Vigil validated itself: a consumer that understands that version trusts the value; without it (or with another version) the value is validated in full and dead-lettered when invalid',
  [PUBLISH_BATCH_HEADER]:
    'JSON {id, n, t, w} shared by the records of one publish call: n = records per topic (watermark records included), t = earliest and w = latest event time per tenant (epoch ms). Event-time consumers wait for the whole batch before ordering across partitions; once it is complete, each partition it wrote to has passed w (docs/event-time.md)',
  [WATERMARK_HEADER]:
    '"1": a watermark record, no event. Ingestion writes one to each partition of the event topics a publish call wrote no event to, so event-time consumers need not wait for that partition to go idle (docs/event-time.md). Other readers skip it',
  'vigil-rule': 'ruleId of the signal',
  'vigil-mode': 'enforce, or shadow (recorded and measured, never turned into an alert)',
  'vigil-schema-version': 'schemaVersion of the signal',
  'vigil-dlq-reason': 'the reason, cut to 200 characters',
  'vigil-dlq-source': '<topic>/<partition>/<offset> of the original message',
};

/** Headers schema from a real record's headers; `fixed` names take the sample's value as their only value. */
function headersSchema(sample: Record<string, string>, fixed: Record<string, JsonSchema> = {}): JsonSchema {
  const properties = Object.fromEntries(
    Object.keys(sample).map((name) => {
      const description = HEADER_DESCRIPTIONS[name];
      if (!description) throw new Error(`header ${name} has no description in asyncapi.ts`);
      return [name, { type: 'string', description, ...fixed[name] }];
    }),
  );
  return { type: 'object', required: Object.keys(sample), properties };
}

const key = (description: string, nullable = false): KafkaMessageBinding => ({
  key: { type: nullable ? ['string', 'null'] : 'string', description },
  bindingVersion: KAFKA_BINDING_VERSION,
});

/** Sample records, built by the producers' functions: their headers name the headers, and they are the examples. */
function samples() {
  const trigger = exampleEvent('payment.attempted');
  const signal = buildSignal(
    {
      ruleId: 'card-testing',
      ruleVersion: 1,
      mode: 'enforce',
      severity: 'high',
      subject: { type: 'card', id: 'card-4f1d', tenantId: trigger.tenantId },
      reason: '7 failed payments on one card within 10 minutes (limit 5)',
      measurements: [{ name: 'payment.failed.count', value: 7, threshold: 5, comparator: '>', window: '10m' }],
    },
    trigger,
    '2026-11-23T10:00:01.000Z',
    'velocity',
  );
  const alert: FraudAlert = {
    alertId: 'alt-card-4f1d-1',
    schemaVersion: 1,
    revision: 1,
    subject: signal.subject,
    severity: 'high',
    score: 72,
    status: 'open',
    signals: [signal],
    summary: 'card card-4f1d (tenant demo-market): score 72 (high) from 1 rule over 1 signal. card-testing: 7 failed payments on one card within 10 minutes (limit 5)',
    firstSeenAt: signal.occurredAt,
    lastSeenAt: signal.occurredAt,
  };
  const decision: AlertDecision = {
    decisionId: 'dec-1',
    alertId: alert.alertId,
    decision: 'confirmed_fraud',
    analyst: 'alice',
    comment: 'card testing confirmed with the issuer',
    decidedAt: '2026-11-23T10:05:00.000Z',
  };
  const deadLetter = deadLetterMessage(
    topicNames().deadLetter,
    'vigil-ingestion-intake',
    { topic: topicNames().intake, partition: 0, offset: '42', key: 'acc-1001', value: Buffer.from('{"id":"evt-1"'), headers: {}, timestamp: '1795428000000' },
    'intake message is not JSON: Unexpected end of JSON input',
  );
  return { signal, signalRecord: signalRecord(signal), alert, decision, deadLetter };
}

const familyChannelId = (family: EventFamily) => `events.${family}`;
const eventMessageId = (type: EventType, version: number) => `${type}.v${version}`;
const ref = ($ref: string): Ref => ({ $ref });

/**
 * The AsyncAPI 3 document of every Vigil topic: channels from topics.ts (unprefixed addresses;
 * each environment prefixes them with VIGIL_TOPIC_PREFIX), one message per event type and
 * version, the signal, alert, decision and dead-letter messages with their keys and headers,
 * and which service sends or receives each. Payloads reference the committed JSON Schemas.
 */
export function asyncApiDocument(): AsyncApiDocument {
  const topics = topicNames();
  const specs = new Map(topicSpecs().map((s) => [s.topic, s]));
  const s = samples();
  const messages: Record<string, AsyncApiMessage> = {};
  const channels: Record<string, AsyncApiChannel> = {};
  const channel = (id: string, address: string, title: string, description: string, messageIds: string[]) => {
    const spec = specs.get(address);
    if (!spec) throw new Error(`topic ${address} is not in topicSpecs()`);
    const retention = spec.config?.['retention.ms'];
    channels[id] = {
      address,
      title,
      description,
      messages: Object.fromEntries(messageIds.map((m) => [m, ref(`#/components/messages/${m}`)])),
      bindings: {
        kafka: { topic: address, partitions: spec.partitions, ...(retention ? { topicConfiguration: { 'retention.ms': Number(retention) } } : {}), bindingVersion: KAFKA_BINDING_VERSION },
      },
    };
  };

  messages['intake.event'] = {
    name: 'IntakeEvent',
    title: 'Event produced by a platform',
    summary: 'Any event type; ingestion validates it in full (validateEvent), deduplicates it and republishes it to its family topic. Invalid events are dead-lettered with every failing field.',
    contentType: 'application/json',
    payload: ref(`${SCHEMAS_DIR}/envelope.json`),
    bindings: { kafka: key('recommended: the partition key of the event type (e.g. data.buyerId for order.placed), so the events of one key stay in order; see services/ingestion/README.md') },
    examples: [{ name: 'order.placed', payload: exampleEvent('order.placed') }],
  };
  channel('intake', topics.intake, 'Intake', 'Raw events a platform produces directly, instead of calling the HTTP API.', ['intake.event']);

  for (const family of EVENT_FAMILIES) {
    const ids: string[] = [];
    for (const [type, spec] of Object.entries(EVENT_TYPES) as [EventType, (typeof EVENT_TYPES)[EventType]][]) {
      if (spec.family !== family) continue;
      for (const version of Object.keys(spec.versions).map(Number)) {
        const id = eventMessageId(type, version);
        const example = exampleEvent(type, { version });
        const headers: Record<string, string> = { ...eventRecordHeaders(example), [PUBLISH_BATCH_HEADER]: EXAMPLE_BATCH_HEADER };
        messages[id] = {
          name: `${type} v${version}`,
          title: type,
          summary: `A validated ${type} event (schema version ${version}), written by ingestion.`,
          contentType: 'application/json',
          payload: ref(`${SCHEMAS_DIR}/${eventSchemaFile(type, version)}`),
          headers: headersSchema(headers, { 'vigil-event-type': { const: type }, [SCHEMA_HEADER]: { const: headers[SCHEMA_HEADER] } }),
          bindings: { kafka: key(`${partitionKeyField(type)}: every event about one entity lands on one partition, in order`) },
          examples: [{ name: type, headers, payload: example }],
        };
        ids.push(id);
      }
    }
    channel(
      familyChannelId(family),
      topics.events[family],
      `Events: ${family}`,
      `Validated ${family} events, one message per type and schema version, and watermark records (no event: skip them).`,
      [...ids, 'watermark'],
    );
  }

  const watermarkHeaders = { [PUBLISH_BATCH_HEADER]: EXAMPLE_BATCH_HEADER, [WATERMARK_HEADER]: '1' };
  messages['watermark'] = {
    name: 'watermark',
    title: 'Watermark record',
    summary: 'No event: the partition has delivered its share of a publish batch (docs/event-time.md). Readers other than the event-time consumers skip it.',
    contentType: 'application/json',
    payload: { type: 'string', const: '', description: 'empty' },
    headers: headersSchema(watermarkHeaders, { [WATERMARK_HEADER]: { const: '1' } }),
    bindings: { kafka: key('none: written to a chosen partition', true) },
    examples: [{ name: 'watermark', headers: watermarkHeaders, payload: '' }],
  };

  messages['signal'] = {
    name: 'FraudSignal',
    title: 'Signal',
    summary: 'One rule or detector fired; built and validated by buildSignal, written by signalRecord.',
    contentType: 'application/json',
    payload: ref(`${SCHEMAS_DIR}/signal.json`),
    headers: headersSchema(s.signalRecord.headers, {
      'vigil-mode': { enum: [...RULE_MODES] },
      'vigil-schema-version': { const: s.signalRecord.headers['vigil-schema-version'] },
      [SCHEMA_HEADER]: { const: s.signalRecord.headers[SCHEMA_HEADER] },
    }),
    bindings: { kafka: key('<tenantId>:<subject type>:<subject id>: the signals about one subject stay in order') },
    examples: [{ name: 'card-testing', headers: s.signalRecord.headers, payload: s.signal }],
  };
  channel('signals', topics.signals, 'Signals', 'Rule and detector hits, the input of alerting. Shadow-mode signals are recorded, never alerted.', ['signal']);

  messages['alert'] = {
    name: 'FraudAlert',
    title: 'Alert',
    summary: 'A scored, deduplicated alert; every update is republished with a higher revision (keep the highest per alertId).',
    contentType: 'application/json',
    payload: ref(`${SCHEMAS_DIR}/alert.json`),
    bindings: { kafka: key('<tenantId>:<subject type>:<subject id> of the alert subject (the same key as its signals)') },
    examples: [{ name: 'card-testing', payload: s.alert }],
  };
  channel('alerts', topics.alerts, 'Alerts', 'What platforms act on: one alert per subject and episode, with every contributing signal.', ['alert']);

  messages['decision'] = {
    name: 'AlertDecision',
    title: 'Decision',
    summary: "An analyst's decision or case action on an alert (verdicts, assignments, comments, by the authenticated analyst); the alert read model is rebuilt from these.",
    contentType: 'application/json',
    payload: ref(`${SCHEMAS_DIR}/decision.json`),
    bindings: { kafka: key('alertId: the decisions on one alert stay in order') },
    examples: [{ name: 'confirmed', payload: s.decision }],
  };
  channel('decisions', topics.decisions, 'Decisions', "Analysts' decisions and case work (assign, unassign, comment) on alerts.", ['decision']);

  messages['rule-change'] = {
    name: 'RuleChange',
    title: 'Rule change',
    summary: "A tenant's change of a velocity rule (mode, thresholds) with its actor and reason: the whole override, so the latest record per key is the rule's state (RuleChange of libs/rules).",
    contentType: 'application/json',
    payload: {
      type: 'object',
      required: ['tenantId', 'ruleId', 'baseVersion', 'revision', 'actor', 'reason', 'at'],
      properties: {
        tenantId: { type: 'string' },
        ruleId: { type: 'string' },
        baseVersion: { type: 'integer', minimum: 1, description: 'the rules file version of the rule it applies to (a newer file version wins)' },
        revision: { type: 'integer', minimum: 1, description: 'signals carry ruleVersion = baseVersion × 1000 + revision' },
        mode: { type: 'string', enum: ['enforce', 'shadow'] },
        thresholds: { type: 'array', items: { type: 'object', required: ['metric', 'value'], properties: { metric: { type: 'string' }, value: { type: 'number' } } } },
        actor: { type: 'string' },
        reason: { type: 'string' },
        at: { type: 'string', format: 'date-time' },
      },
    },
    bindings: { kafka: key('<tenantId>:<rule id>: compaction keeps the latest change of each rule of each tenant') },
    examples: [{ name: 'threshold', payload: { tenantId: 'tenant-demo', ruleId: 'account-order-burst', baseVersion: 1, revision: 1, thresholds: [{ metric: 'account.order.count@10m', value: 8 }], actor: 'boss', reason: 'too many false positives on resellers', at: '2026-11-23T10:00:00.000Z' } }],
  };
  channel('rules', topics.rules, 'Rule changes', "Tenants' rule changes from the dashboard (compacted); every velocity instance reads the whole topic and applies them over the rules file.", ['rule-change']);

  messages['dead-letter'] = {
    name: 'DeadLetterRecord',
    title: 'Dead letter',
    summary: 'A message a consumer gave up on (invalid, or failing after its retries), with the reason and the original payload.',
    contentType: 'application/json',
    payload: ref(`${SCHEMAS_DIR}/dead-letter.json`),
    headers: headersSchema(s.deadLetter.headers ?? {}),
    bindings: { kafka: key('the original message key', true) },
    // the record's own deadLetteredAt is the wall clock: fixed, so the document is the same every time
    examples: [{ name: 'not JSON', headers: s.deadLetter.headers, payload: { ...(JSON.parse(s.deadLetter.value) as object), deadLetteredAt: '2026-11-23T10:00:02.000Z' } }],
  };
  channel('deadLetter', topics.deadLetter, 'Dead letters', 'Messages no consumer could process, kept 14 days (raw payloads, personal data included) to fix and replay.', ['dead-letter']);

  // Who reads and writes what. The consumers' topic lists are in the services (velocity.consumer.ts,
  // review-analysis.service.ts, intake.consumer.ts, signal- and decision-processor.service.ts).
  const operations: Record<string, AsyncApiOperation> = {};
  const operation = (actor: string, action: 'send' | 'receive', channelId: string, summary: string) => {
    const verb = action === 'send' ? 'Sends' : 'Receives';
    operations[`${actor.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}${verb}${channelId.replace(/(^|\.)(\w)/g, (_, _dot: string, c: string) => c.toUpperCase())}`] = {
      action,
      channel: ref(`#/channels/${channelId}`),
      title: `${actor} ${action}s ${channels[channelId].address}`,
      summary,
      tags: [{ name: actor }],
    };
  };
  operation('platform', 'send', 'intake', 'A platform produces its events to Kafka instead of the HTTP API.');
  operation('ingestion', 'receive', 'intake', 'Validates, deduplicates and routes each event; invalid ones are dead-lettered.');
  for (const family of EVENT_FAMILIES) operation('ingestion', 'send', familyChannelId(family), 'Every valid event from HTTP or intake, keyed by its partition key.');
  for (const family of ['accounts', 'orders', 'wallets', 'listings'] as const) operation('velocity', 'receive', familyChannelId(family), 'Counters, rules and the seller and fund-flow detectors, in event-time order.');
  for (const family of ['reviews', 'accounts', 'orders'] as const) operation('review-analysis', 'receive', familyChannelId(family), 'Review bursts, self-dealing, reviewers for hire, campaigns, rating shifts.');
  operation('velocity', 'send', 'signals', 'Rule and detector hits.');
  operation('review-analysis', 'send', 'signals', 'Review detector hits.');
  operation('alerting', 'receive', 'signals', 'Combines signals into scored alerts (cooldowns, snoozes).');
  operation('alerting', 'send', 'alerts', 'Every new alert and revision, also sent to the webhooks.');
  operation('platform', 'receive', 'alerts', 'Acts on alerts: keep the highest revision per alertId.');
  operation('alerting', 'send', 'decisions', "Analysts' decisions from the dashboard and API.");
  operation('alerting', 'receive', 'decisions', 'Applies decisions to the alert read model.');
  operation('velocity', 'send', 'rules', 'A rule change an admin applied after its backtest (lists API key of the tenant, through alerting).');
  operation('velocity', 'receive', 'rules', 'Every instance reads the whole topic and hot-reloads the tenants’ rules.');
  for (const actor of ['ingestion', 'velocity', 'review-analysis', 'alerting']) operation(actor, 'send', 'deadLetter', 'Messages its consumers could not process.');

  return {
    asyncapi: '3.1.0',
    info: {
      title: 'Vigil',
      version: '1',
      description:
        'Every Kafka topic of Vigil. Addresses are shown without prefix: an environment with VIGIL_TOPIC_PREFIX=p uses p.<address>. ' +
        'Generated from libs/contracts (npm run contracts:generate); payload schemas in libs/contracts/schemas.',
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    defaultContentType: 'application/json',
    servers: { local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'the local stack (npm start)' } },
    channels,
    operations,
    components: { messages },
  };
}
