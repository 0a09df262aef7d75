import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AlertDecision, isVerdict, TopicNames } from '@vigil/contracts';
import { BatchConsumerFactory, BatchConsumerRunner, deadLetterMessage, DecodedMessage, MESSAGE_PUBLISHER, MessagePublisher } from '@vigil/kafka';
import { consumerGroupId, SERVICE_CONFIG, TOPICS } from '@vigil/service-runtime';
import { AlertingConfig } from '../config';
import { AlertFeed } from './alert-feed';
import { AlertStore } from './alert-store';
import { alertToDecisionSeconds, decisionsTotal } from './alerting.metrics';
import { jsonDecoder } from './signal-processor.service';

/**
 * Consumes fraud.decisions into the read model: the API only publishes decisions, this
 * consumer applies them, so replaying the topic rebuilds the alert states.
 */
@Injectable()
export class DecisionProcessor implements OnApplicationBootstrap {
  readonly runner: BatchConsumerRunner<AlertDecision>;

  constructor(
    consumers: BatchConsumerFactory,
    @Inject(SERVICE_CONFIG) private readonly config: AlertingConfig,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(MESSAGE_PUBLISHER) private readonly publisher: MessagePublisher,
    private readonly store: AlertStore,
    private readonly feed: AlertFeed,
  ) {
    this.runner = consumers.create<AlertDecision>({
      groupId: consumerGroupId(config, 'alerting-decisions'),
      topics: [topics.decisions],
      deadLetterTopic: topics.deadLetter,
      fromBeginning: true,
      decode: jsonDecoder(AlertDecision),
      handle: (messages) => this.handle(messages),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
  }

  async handle(messages: DecodedMessage<AlertDecision>[]): Promise<void> {
    const decisions = messages.map((m) => m.value);
    const outcomes = await this.store.applyDecisions(decisions);
    // Never dropped: a decision whose alert is not in the read model (past the retention, or
    // never raised) is dead-lettered with the reason, to be replayed or investigated.
    const orphans = outcomes.flatMap((o, i) => (o.outcome === 'missing' ? [messages[i]] : []));
    if (orphans.length > 0) {
      await this.publisher.publish(
        orphans.map((m) =>
          deadLetterMessage(
            this.topics.deadLetter,
            this.runner.groupId,
            m.message,
            `decision ${m.value.decisionId} found no alert ${m.value.alertId} in the read model (older than ALERTING_RETENTION_MS = ${this.config.ALERTING_RETENTION_MS} ms, or never raised)`,
          ),
        ),
      );
      decisionsTotal.inc({ rule: 'unknown', decision: 'dead_lettered' }, orphans.length);
    }
    outcomes.forEach((o, i) => {
      // a lost race for the lock (the holder changed since the analyst looked): recorded nowhere, counted
      if (o.outcome === 'conflict') decisionsTotal.inc({ rule: 'case', decision: 'assignment_conflict' });
      if (o.outcome !== 'applied' || !o.alert) return;
      if (isVerdict(decisions[i].decision)) for (const rule of Object.keys(o.alert.contributions)) decisionsTotal.inc({ rule, decision: decisions[i].decision });
      if (o.firstDecisionAfterMs !== undefined) alertToDecisionSeconds.observe(Math.max(0, o.firstDecisionAfterMs / 1000));
      this.feed.publish({ kind: 'decision', alert: o.alert, atMs: Date.now() });
    });
  }
}
