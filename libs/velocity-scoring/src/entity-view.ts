import { CounterUpdate, EntitySnapshot, formatDuration, parseDuration } from '@vigil/counters';
import { JsonSchema } from '@vigil/contracts';
import { COUNTERS, CounterName, ENTITY_TYPES, EntityType, update } from './counter-catalogue';
import { ListEntry } from './list-entry';

/** An entity as velocity knows it: what its rules read (counters, facts), its list entry, and the entities it was seen with. */
export interface EntityView {
  entityType: EntityType;
  entityId: string;
  /** Its newest event's time (absent: velocity has never seen it, or its state expired); counters are as of then. */
  seenUntil?: string;
  /** "<entity>.<counter>@<window>" (the rules' metric names) -> value. */
  counters: Record<string, number>;
  facts: Record<string, string>;
  /** Entities seen with it (the members of its distinct counters and first-seen sets), newest first. */
  links: { entityType: string; entityId: string; via: string; lastSeenAt?: string }[];
  listEntry?: ListEntry;
}

/** Which entity type a distinct counter's members are, and a first-seen set's. */
const LINKED: Record<string, string> = { 'ip.distinct': 'ip', 'device.distinct': 'device', 'card.distinct': 'card', 'accounts.distinct': 'account', devices: 'device', ips: 'ip', destinations: 'wallet' };
/** The first-seen sets each entity type keeps (event-features.ts). */
export const ENTITY_SETS: Partial<Record<EntityType, string[]>> = { account: ['devices', 'ips', 'countries'], wallet: ['destinations'] };

export const isEntityType = (type: string): type is EntityType => (ENTITY_TYPES as readonly string[]).includes(type);

/** The counters velocity keeps for an entity type (the catalogue's), as the snapshot reads them. */
export function countersOf(type: EntityType): CounterUpdate[] {
  return (Object.keys(COUNTERS) as CounterName[]).filter((name) => COUNTERS[name].entity === type).map((name) => update(name));
}

/** The snapshot names windows by their length ("1d"); rules name them as the catalogue does ("24h"). */
const METRIC_NAMES = new Map<string, string>(
  Object.values(COUNTERS).flatMap((c) => c.windows.map((w) => [`${c.entity}.${c.counter}@${formatDuration(parseDuration(w))}`, `${c.entity}.${c.counter}@${w}`] as const)),
);

export function entityView(type: EntityType, id: string, snapshot: EntitySnapshot, listEntry: ListEntry | null): EntityView {
  const links: EntityView['links'] = [];
  for (const [counter, members] of Object.entries(snapshot.members)) {
    for (const m of members) if (LINKED[counter]) links.push({ entityType: LINKED[counter], entityId: m.id, via: counter, lastSeenAt: new Date(m.lastSeenMs).toISOString() });
  }
  for (const [set, members] of Object.entries(snapshot.sets)) {
    for (const m of members) if (LINKED[set] && !links.some((l) => l.entityType === LINKED[set] && l.entityId === m)) links.push({ entityType: LINKED[set], entityId: m, via: set });
  }
  return {
    entityType: type,
    entityId: id,
    ...(snapshot.watermarkMs > 0 ? { seenUntil: new Date(snapshot.watermarkMs).toISOString() } : {}),
    counters: Object.fromEntries(Object.entries(snapshot.counters).map(([k, v]) => [METRIC_NAMES.get(`${type}.${k}`) ?? `${type}.${k}`, v])),
    facts: { ...snapshot.facts, ...Object.fromEntries(Object.entries(snapshot.sets).map(([set, members]) => [`${set}`, members.join(' ')])) },
    links,
    ...(listEntry ? { listEntry } : {}),
  };
}

const entityView_: { [K in keyof EntityView]-?: JsonSchema } = {
  entityType: { type: 'string', enum: [...ENTITY_TYPES] },
  entityId: { type: 'string' },
  seenUntil: { type: 'string', format: 'date-time', description: 'its newest event (absent: never seen or expired); counters are as of then' },
  counters: { type: 'object', additionalProperties: { type: 'number' }, description: 'metric name as the rules use it -> value' },
  facts: { type: 'object', additionalProperties: { type: 'string' } },
  links: { type: 'array', items: { type: 'object', required: ['entityType', 'entityId', 'via'], properties: { entityType: { type: 'string' }, entityId: { type: 'string' }, via: { type: 'string', description: 'the counter or set it was seen through' }, lastSeenAt: { type: 'string', format: 'date-time' } } } },
  listEntry: { $ref: '#/components/schemas/ListEntry' },
};
export const ENTITY_API_SCHEMAS: Record<string, JsonSchema> = {
  EntityView: { type: 'object', required: ['entityType', 'entityId', 'counters', 'facts', 'links'], properties: entityView_ },
};
