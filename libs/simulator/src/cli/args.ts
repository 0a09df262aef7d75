import { parseArgs, ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with a usage text on error: no CLI framework needed for three flat commands. */
export function parseCli(argv: string[], options: Options, usage: string): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${usage}`);
  }
}

export function requireString(values: Record<string, string | boolean | undefined>, name: string, usage: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required\n\n${usage}`);
  return value;
}

export function parseNumber(value: string, name: string, check: (n: number) => boolean = Number.isFinite): number {
  const n = Number(value);
  if (!check(n)) throw new UsageError(`--${name} must be a valid number (got "${value}")`);
  return n;
}

/** Runs a CLI main: usage errors exit 2, anything else 1, both with a one-line reason on stderr. */
export function runCli(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
