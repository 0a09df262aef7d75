import { EventEnvelope, EventPayload, EventType } from '@vigil/contracts';

export type SimulatedEvent = EventEnvelope<EventType>;

interface PendingEvent {
  atMs: number;
  seq: number;
  event: SimulatedEvent;
}

/**
 * Collects events over event time. Ids are a per-run counter (deterministic), and the final
 * order is by occurredAt with the emission order as tie-breaker, so output is byte-stable.
 */
export class Timeline {
  private readonly pending: PendingEvent[] = [];
  private seq = 0;
  private entitySeq = 0;

  constructor(
    private readonly tenantId: string,
    private readonly idPrefix: string,
  ) {}

  emit<T extends EventType>(type: T, atMs: number, data: EventPayload<T>, correlationId?: string): SimulatedEvent {
    const seq = this.seq++;
    const event: SimulatedEvent = {
      id: `${this.idPrefix}-${seq.toString(36).padStart(6, '0')}`,
      type,
      version: 1,
      occurredAt: new Date(Math.round(atMs)).toISOString(),
      tenantId: this.tenantId,
      ...(correlationId ? { correlationId } : {}),
      data: data as EventPayload<EventType>,
    };
    this.pending.push({ atMs: Math.round(atMs), seq, event });
    return event;
  }

  /** Entity ids come from one counter per run, so ids never collide however many worlds emit. */
  nextEntityId(prefix: string): string {
    return `${prefix}-${(this.entitySeq++).toString(36).padStart(5, '0')}`;
  }

  get size(): number {
    return this.pending.length;
  }

  sorted(): SimulatedEvent[] {
    return [...this.pending].sort((a, b) => a.atMs - b.atMs || a.seq - b.seq).map((p) => p.event);
  }
}
