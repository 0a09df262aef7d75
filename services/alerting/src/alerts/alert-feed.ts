import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { counter } from '@vigil/observability';
import { REDIS_CLIENT, RedisClient, RedisKeys } from '@vigil/redis';
import { Observable, Subject } from 'rxjs';
import { AlertView } from './alert-document';

const feedFailures = counter({
  name: 'vigil_alerting_feed_publish_failures_total',
  help: 'Live-feed messages not fanned out (Redis unreachable); the alerts themselves are stored and published',
});

/** What instances tell each other on the feed channel. */
type FeedMessage = { item: FeedItem } | { count: 'signals' | 'alerts'; n: number; atMs: number };

export interface FeedItem {
  kind: 'alert' | 'decision' | 'signal';
  alert?: AlertView;
  atMs: number;
}

const MINUTES_KEPT = 60;

/**
 * Live feed for the dashboard (Server-Sent Events) and per-minute signal/alert counts for its
 * rate charts. Whatever instance processed an alert, every instance's dashboards see it: each
 * instance publishes what it processed on one Redis pub/sub channel and feeds its own SSE
 * connections (and rate counts) from that channel, its own messages included. Best effort by
 * design: a message lost while Redis is unreachable is counted and the dashboard's next list
 * refresh shows the alert (the store and the alert topic have it). The minute buckets are a
 * fixed ring of 60 entries.
 */
@Injectable()
export class AlertFeed implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AlertFeed.name);
  private readonly subject = new Subject<FeedItem>();
  private readonly minutes = new Map<number, { signals: number; alerts: number }>();
  private readonly channel: string;
  private subscriber?: RedisClient;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    keys: RedisKeys,
  ) {
    this.channel = `${keys.prefix}:alerting-feed`;
  }

  async onModuleInit(): Promise<void> {
    // a subscribed connection can do nothing else, hence a connection of its own
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('message', (_channel: string, message: string) => this.receive(message));
    await this.subscriber.subscribe(this.channel);
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  get items(): Observable<FeedItem> {
    return this.subject.asObservable();
  }

  publish(item: FeedItem): void {
    this.send({ item });
  }

  count(kind: 'signals' | 'alerts', n: number, atMs = Date.now()): void {
    this.send({ count: kind, n, atMs });
  }

  private send(message: FeedMessage): void {
    this.redis.publish(this.channel, JSON.stringify(message)).catch((error: Error) => {
      feedFailures.inc();
      this.logger.warn(`live feed message not fanned out: ${error.message}`);
    });
  }

  private receive(raw: string): void {
    let message: FeedMessage;
    try {
      message = JSON.parse(raw) as FeedMessage;
    } catch {
      // only our instances write to the channel; a foreign message must not crash the listener
      this.logger.warn('ignored a malformed live-feed message');
      return;
    }
    if ('item' in message) this.subject.next(message.item);
    else this.tally(message.count, message.n, message.atMs);
  }

  private tally(kind: 'signals' | 'alerts', n: number, atMs: number): void {
    const minute = Math.floor(atMs / 60_000);
    const bucket = this.minutes.get(minute) ?? { signals: 0, alerts: 0 };
    bucket[kind] += n;
    this.minutes.set(minute, bucket);
    for (const m of this.minutes.keys()) if (m <= minute - MINUTES_KEPT) this.minutes.delete(m);
  }

  /** The last 60 minutes, oldest first, zero-filled. */
  rates(nowMs = Date.now()): { minute: string; signals: number; alerts: number }[] {
    const current = Math.floor(nowMs / 60_000);
    const out = [];
    for (let m = current - MINUTES_KEPT + 1; m <= current; m++) {
      const b = this.minutes.get(m) ?? { signals: 0, alerts: 0 };
      out.push({ minute: new Date(m * 60_000).toISOString(), ...b });
    }
    return out;
  }
}
