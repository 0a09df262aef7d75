/**
 * Key naming. Every key of one entity carries the same hash tag `{tenant:type:id}`, so a Lua
 * script that touches only one entity's keys runs on one Redis Cluster slot.
 *
 *   vigil:{demo-market:account:acc-1}:cnt:order.count:60000
 *   ^pfx  ^------- hash tag -------^  ^--- suffix ----------^
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** The hash tag of an entity. Braces inside ids would break the tag, so they become "_". */
  tag(tenantId: string, entityType: string, entityId: string): string {
    const clean = (part: string) => part.replace(/[{}]/g, '_');
    return `{${clean(tenantId)}:${clean(entityType)}:${clean(entityId)}}`;
  }

  entity(tenantId: string, entityType: string, entityId: string, ...suffix: (string | number)[]): string {
    return [this.prefix, this.tag(tenantId, entityType, entityId), ...suffix].join(':');
  }

  /** A key not tied to one entity (e.g. a global list); its own name is its hash tag. */
  global(...parts: (string | number)[]): string {
    return `${this.prefix}:{${parts.join(':')}}`;
  }
}
