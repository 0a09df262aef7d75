import { clusterConnection } from './redis-client';

describe('clusterConnection', () => {
  it('lists every node and keeps no credentials or TLS when the URLs have none', () => {
    const { nodes, redisOptions } = clusterConnection('redis://127.0.0.1:7001, redis://127.0.0.1:7002,redis://h3');
    expect(nodes).toEqual([
      { host: '127.0.0.1', port: 7001 },
      { host: '127.0.0.1', port: 7002 },
      { host: 'h3', port: 6379 },
    ]);
    expect(redisOptions.password).toBeUndefined();
    expect(redisOptions.username).toBeUndefined();
    expect(redisOptions.tls).toBeUndefined();
  });

  it('carries AUTH (ACL user and password, URL-decoded) and TLS for rediss:// to every node', () => {
    const { nodes, redisOptions } = clusterConnection('rediss://vigil:p%40ss%2Fword@node-1.redis:6380,rediss://node-2.redis:6380');
    expect(nodes).toEqual([
      { host: 'node-1.redis', port: 6380 },
      { host: 'node-2.redis', port: 6380 },
    ]);
    expect(redisOptions).toMatchObject({ username: 'vigil', password: 'p@ss/word', tls: {} });
    expect(redisOptions.maxRetriesPerRequest).toBe(2); // the common options are kept
  });

  it('takes a password without a user name (the default user)', () => {
    expect(clusterConnection('redis://:secret@127.0.0.1:7001').redisOptions).toMatchObject({ password: 'secret' });
    expect(clusterConnection('redis://:secret@127.0.0.1:7001').redisOptions.username).toBeUndefined();
  });
});
