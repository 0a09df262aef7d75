/** The service's validated configuration (its RuntimeConfig subclass instance). */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
/** The TopicNames of this environment (prefix applied). */
export const TOPICS = Symbol('TOPICS');
