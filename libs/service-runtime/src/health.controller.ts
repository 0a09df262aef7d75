import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { BatchConsumerFactory, KafkaHealthIndicator } from '@vigil/kafka';
import { RedisHealthIndicator } from '@vigil/redis';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly consumers: BatchConsumerFactory,
  ) {}

  /** Readiness: Kafka and Redis reachable and every consumer of this service in its group. */
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.kafka.check(),
      () => this.redis.check(),
      async () => {
        const indicator = this.indicators.check('consumers');
        const groups = Object.fromEntries(this.consumers.all.map((c) => [c.groupId, c.isRunning ? 'running' : 'stopped']));
        return this.consumers.all.every((c) => c.isRunning) ? indicator.up(groups) : indicator.down(groups);
      },
    ]);
  }

  /** Liveness: the process answers. */
  @Get('live')
  @ApiOkResponse({ description: 'the process answers', schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } })
  live() {
    return { status: 'ok' };
  }
}
