export interface RedisModuleOptions {
  /** redis://host:port[/db]; with cluster, a comma-separated list of node URLs. */
  url: string;
  cluster?: boolean;
  keyPrefix: string;
}

export const REDIS_OPTIONS = Symbol('REDIS_OPTIONS');
/** The ioredis client (Redis or Cluster). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
