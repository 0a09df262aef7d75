import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

/** Thrown at start-up when an environment variable is missing or malformed. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; reason: string }[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p.variable}: ${p.reason}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

function flatten(errors: ValidationError[]): { variable: string; reason: string }[] {
  return errors.flatMap((e) =>
    Object.values(e.constraints ?? {}).map((reason) => ({ variable: e.property, reason })),
  );
}

/**
 * Reads a config class from the environment: class-transformer applies the defaults and
 * conversions declared on the class, class-validator checks every field, and a failure names
 * each bad variable with its reason (so an SRE sees `KAFKA_BROKERS: must be ...`, not a stack).
 */
export function loadConfig<T extends object>(
  configClass: new () => T,
  env: Record<string, string | undefined> = process.env,
): T {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const config = plainToInstance(configClass, defined, { exposeDefaultValues: true });
  const errors = validateSync(config, { skipMissingProperties: false, forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigError(flatten(errors));
  return config;
}
