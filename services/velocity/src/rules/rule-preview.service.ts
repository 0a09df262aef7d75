import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { REDIS_CLIENT, RedisClient } from '@vigil/redis';
import { RuleDefinition } from '@vigil/rules';
import { SERVICE_CONFIG } from '@vigil/service-runtime';
import { prepareStream, runOfflinePass } from '@vigil/simulator';
import { RulePreview } from '@vigil/velocity-scoring';
import { randomUUID } from 'node:crypto';
import { VelocityConfig } from '../config';
import { EventLogReader } from './event-log.reader';

const DAY_MS = 86_400_000;
/** Subject ids listed per side of the comparison. */
const LISTED = 20;

/**
 * A rule change's backtest on the last day of stored events: the tenant's events read back from
 * Kafka (EventLogReader), run through the offline backtest's runOfflinePass (VelocityPass: the
 * live evaluation code) once with the rule as it is and once as changed, each on a fresh Redis
 * key prefix deleted afterwards. Same events, same rule: same result (the clock enters only the
 * signals' detectedAt). One preview at a time per instance (bounded cost).
 */
@Injectable()
export class RulePreviewService {
  private running = false;

  constructor(
    private readonly reader: EventLogReader,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(SERVICE_CONFIG) private readonly config: VelocityConfig,
  ) {}

  async preview(tenantId: string, current: RuleDefinition, proposed: RuleDefinition, now = Date.now()): Promise<RulePreview> {
    if (this.running) throw new ConflictException('a preview is running on this instance: try again in a moment');
    this.running = true;
    try {
      const from = now - DAY_MS;
      const stored = await this.reader.readSince(tenantId, from);
      const { events } = prepareStream(stored.records);
      const run = async (rule: RuleDefinition) => {
        const signals = (await runOfflinePass({ redis: this.redis, events, rules: [rule], keyPrefix: `${this.config.REDIS_KEY_PREFIX}:preview:${randomUUID()}` })).filter((s) => s.ruleId === rule.id);
        return { run: { version: rule.version, mode: rule.mode, signals: signals.length, subjects: new Set(signals.map((s) => s.subject.id)).size }, subjects: new Set(signals.map((s) => `${s.subject.type}:${s.subject.id}`)) };
      };
      const before = await run(current);
      const after = await run(proposed);
      return {
        ruleId: current.id,
        from: new Date(from).toISOString(),
        to: new Date(now).toISOString(),
        events: events.length,
        truncated: stored.truncated,
        current: before.run,
        proposed: after.run,
        newlyFlagged: [...after.subjects].filter((s) => !before.subjects.has(s)).sort().slice(0, LISTED),
        noLongerFlagged: [...before.subjects].filter((s) => !after.subjects.has(s)).sort().slice(0, LISTED),
      };
    } finally {
      this.running = false;
    }
  }
}
