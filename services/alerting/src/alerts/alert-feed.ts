import { Injectable } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import { AlertView } from './alert-document';

export interface FeedItem {
  kind: 'alert' | 'decision' | 'signal';
  alert?: AlertView;
  atMs: number;
}

const MINUTES_KEPT = 60;

/**
 * Live feed for the dashboard (Server-Sent Events) and per-minute signal/alert counts for its
 * rate charts. Per instance: with several instances each feed shows what that instance
 * processed (see README). The minute buckets are a fixed ring of 60 entries.
 */
@Injectable()
export class AlertFeed {
  private readonly subject = new Subject<FeedItem>();
  private readonly minutes = new Map<number, { signals: number; alerts: number }>();

  get items(): Observable<FeedItem> {
    return this.subject.asObservable();
  }

  publish(item: FeedItem): void {
    this.subject.next(item);
  }

  count(kind: 'signals' | 'alerts', n: number, atMs = Date.now()): void {
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
