/** The kafkajs client instance (only libs/kafka touches kafkajs types directly). */
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
/** The MessagePublisher port. */
export const MESSAGE_PUBLISHER = Symbol('MESSAGE_PUBLISHER');
