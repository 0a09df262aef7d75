import { isRetriedBrokerResponse } from './kafka-client';

describe('isRetriedBrokerResponse', () => {
  it('recognises the broker answers kafkajs retries by itself (leader or coordinator moving, rebalance)', () => {
    expect(isRetriedBrokerResponse('Response ListOffsets(key: 2, version: 3)', 'This server is not the leader for that topic-partition')).toBe(true);
    expect(isRetriedBrokerResponse('Response Heartbeat(key: 12, version: 3)', 'The group is rebalancing, so a rejoin is needed')).toBe(true);
    expect(isRetriedBrokerResponse('Response GroupCoordinator(key: 10, version: 2)', 'The group coordinator is not available')).toBe(true);
    expect(isRetriedBrokerResponse('Response InitProducerId(key: 22, version: 1)', "The coordinator is loading and hence can't process requests for this group")).toBe(true);
  });

  it('keeps every other error an error', () => {
    expect(isRetriedBrokerResponse('Response Produce(key: 0, version: 7)', 'The request included a message larger than the max message size the server will accept')).toBe(false);
    expect(isRetriedBrokerResponse('Response SaslAuthenticate(key: 36, version: 1)', 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512')).toBe(false);
    expect(isRetriedBrokerResponse('Crash: KafkaJSNumberOfRetriesExceeded', 'This server is not the leader for that topic-partition')).toBe(false);
    expect(isRetriedBrokerResponse('Response ListOffsets(key: 2, version: 3)', undefined)).toBe(false);
  });
});
