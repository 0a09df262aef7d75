import { RuntimeConfig } from '@vigil/config';

/**
 * Consumer group of one consumer of one service: `vigil-<name>`, prefixed with the topic prefix
 * so environments sharing a broker (tests, staging) never share a group.
 */
export function consumerGroupId(config: Pick<RuntimeConfig, 'VIGIL_TOPIC_PREFIX'>, name: string): string {
  return config.VIGIL_TOPIC_PREFIX ? `${config.VIGIL_TOPIC_PREFIX}.vigil-${name}` : `vigil-${name}`;
}
