import { KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { isTransient, PublisherOverloadedError, TransientError } from './errors';

/** Errors as the clients throw them (message, name, code), not as a test would like them to be. */
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isTransient: an outage is retried, never taken for a poison message', () => {
  it.each([
    ['a TransientError and its subclasses', new PublisherOverloadedError(5)],
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:6379', 'ECONNREFUSED')],
    ['ioredis on a closed connection', new Error('Connection is closed.')],
    ['kafkajs out of retries', new KafkaJSNumberOfRetriesExceeded(new Error('boom'), { retryCount: 5, retryTime: 100 })],
    ['a Redis failover (replica not yet promoted)', new Error('CLUSTERDOWN The cluster is down')],
    ['a replica that was a primary a moment ago', new Error("READONLY You can't write against a read only replica.")],
    // ioredis's own wording (cluster/index.js handleError) when nodes still disagree on a slot's owner
    ['ioredis bouncing between nodes during a failover', new Error('Too many Cluster redirections. Last error: ReplyError: MOVED 1484 127.0.0.1:17001')],
    ['ioredis with no reachable startup node', new Error('None of startup nodes is available')],
    ['a transient cause under a wrapper', new Error('events could not be stored', { cause: new Error('Connection is closed.') })],
  ])('%s: transient', (_, error) => {
    expect(isTransient(error)).toBe(true);
  });

  it.each([
    ['a script error', new Error('ERR user_script:12: Script attempted to access a non local key')],
    ['a type error in a handler', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a refusal that only mentions MOVED later on', new Error('invalid event: field "MOVED 1 x" is unknown')],
    ['a non-error value', 'Too many Cluster redirections'],
    ['nothing', undefined],
  ])('%s: permanent', (_, error) => {
    expect(isTransient(error)).toBe(false);
  });

  it('follows causes only so deep (a cycle cannot loop)', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as Error & { cause?: unknown }).cause = b;
    expect(isTransient(a)).toBe(false);
    expect(isTransient(new Error('outer', { cause: new TransientError('inner') }))).toBe(true);
  });
});
