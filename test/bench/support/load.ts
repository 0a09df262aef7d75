import { CompressionTypes, Producer } from 'kafkajs';
import { markerEvent, TrafficSource } from './traffic';

/** The two doors a platform can use: ingestion's HTTP batch API or the Kafka intake topic. */
export type Door = 'http' | 'intake';

export interface StepLoad {
  rate: number;
  durationMs: number;
  batchSize: number;
  /** Batches in flight at once (HTTP: keep-alive connections; intake: concurrent produce calls). */
  connections: number;
  /** One marker every `markerEvery` events (100 = 1 %). */
  markerEvery: number;
}

export interface LoadResult {
  offered: number;
  accepted: number;
  failedRequests: number;
  requests: number;
  elapsedMs: number;
  /** Events the door answered for but did not accept (rejected or duplicate), and the first such answer. */
  notAccepted: number;
  firstRefusal?: string;
  /** Marker id -> wall-clock ms when its batch was sent. */
  markersSent: Map<string, number>;
  firstError?: string;
}

/** What a door said of one batch: events accepted, and events it refused or had seen before (HTTP answers per event). */
export interface BatchOutcome {
  accepted: number;
  notAccepted?: number;
  firstRefusal?: string;
}

/** Sends one batch through a door; throws when the door refused the whole batch. */
export type BatchSender = (events: Record<string, unknown>[]) => Promise<BatchOutcome>;

export function httpSender(url: string, apiKey: string): BatchSender {
  const endpoint = `${url}/v1/events/batch`;
  return async (events) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({ events }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${response.status} ${text.slice(0, 300)}`);
    const answer = JSON.parse(text) as { accepted?: number; results?: { status: string; errors?: unknown }[] };
    const refused = (answer.results ?? []).filter((r) => r.status !== 'accepted');
    return {
      accepted: answer.accepted ?? 0,
      notAccepted: refused.length,
      firstRefusal: refused[0] ? JSON.stringify(refused[0]).slice(0, 300) : undefined,
    };
  };
}

/** Produces raw events to the intake topic as a platform would (acks=all, keyed by event id). */
export function intakeSender(producer: Producer, topic: string): BatchSender {
  return async (events) => {
    await producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: events.map((event) => ({ key: String(event.id), value: JSON.stringify(event) })),
    });
    return { accepted: events.length };
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Paced open-loop load: batch k is due at start + k * batchSize / rate; `connections` workers
 * take the next due batch. A worker that falls behind sends at once, so the offered rate
 * measured is what the client really managed.
 */
export async function driveStep(send: BatchSender, traffic: TrafficSource, stepId: string, load: StepLoad): Promise<LoadResult> {
  const totalBatches = Math.max(1, Math.round((load.rate * load.durationMs) / 1000 / load.batchSize));
  const result: LoadResult = { offered: 0, accepted: 0, notAccepted: 0, failedRequests: 0, requests: 0, elapsedMs: 0, markersSent: new Map() };
  let nextBatch = 0;
  let eventCounter = 0;
  const startedAt = Date.now();

  const worker = async () => {
    for (;;) {
      const k = nextBatch++;
      if (k >= totalBatches) return;
      const wait = startedAt + (k * load.batchSize * 1000) / load.rate - Date.now();
      if (wait > 0) await sleep(wait);
      const events: Record<string, unknown>[] = [];
      const markers: string[] = [];
      for (let i = 0; i < load.batchSize; i++) {
        if (++eventCounter % load.markerEvery === 0) {
          const markerId = `${stepId}-${eventCounter}`;
          markers.push(markerId);
          events.push(markerEvent(traffic.tenant, markerId, traffic.currentEventTimeMs()));
        } else {
          events.push(traffic.next());
        }
      }
      const sentAt = Date.now();
      for (const m of markers) result.markersSent.set(m, sentAt);
      result.offered += events.length;
      result.requests++;
      try {
        const outcome = await send(events);
        result.accepted += outcome.accepted;
        result.notAccepted += outcome.notAccepted ?? 0;
        result.firstRefusal ??= outcome.firstRefusal;
      } catch (error) {
        result.failedRequests++;
        result.firstError ??= (error as Error).message;
        for (const m of markers) result.markersSent.delete(m);
      }
    }
  };
  await Promise.all(Array.from({ length: load.connections }, worker));
  result.elapsedMs = Date.now() - startedAt;
  return result;
}
