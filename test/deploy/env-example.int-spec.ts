/*
 * .env.example documents every environment variable the services and scripts read: each
 * service config's fields, every `process.env` read in the TypeScript sources, and every
 * `${VAR:-default}` of the shell scripts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { configVariables, ROOT, SERVICES } from './deploy-support';

function files(dir: string, keep: (path: string) => boolean, prefix = ''): string[] {
  return readdirSync(join(ROOT, dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const rel = posix.join(prefix, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : files(dir, keep, rel);
    return entry.isFile() && keep(rel) ? [posix.join(dir, rel)] : [];
  });
}

/** The operating system's, passed through to child processes, not Vigil settings. */
const SYSTEM_VARIABLES = ['PATH', 'HOME'];

const documented = new Set([...readFileSync(join(ROOT, '.env.example'), 'utf8').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));

describe('.env.example', () => {
  it('documents enough to be the list (sanity check of the reader)', () => {
    expect(documented.size).toBeGreaterThan(100);
  });

  it.each(SERVICES.map((s) => [s.name, s.config] as const))('documents every variable of the %s config', (_name, config) => {
    expect(configVariables(config).filter((v) => !documented.has(v))).toEqual([]);
  });

  it('documents every process.env read of the TypeScript sources', () => {
    const read = new Set<string>();
    for (const file of ['services', 'libs', 'test'].flatMap((dir) => files(dir, (p) => p.endsWith('.ts')))) {
      for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(/process\.env(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g)) read.add(m[1] ?? m[2]);
    }
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((v) => !documented.has(v) && !SYSTEM_VARIABLES.includes(v)).sort()).toEqual([]);
  });

  it('documents every variable with a default in the shell scripts', () => {
    const read = new Set<string>();
    const scripts = ['deploy', 'test', 'libs/simulator/bin'].flatMap((dir) => files(dir, (p) => p.endsWith('.sh')));
    expect(scripts).toContain('deploy/local/kafka.sh');
    for (const file of scripts) {
      for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(/\$\{([A-Z][A-Z0-9_]*):?[-=]/g)) read.add(m[1]);
    }
    expect([...read].filter((v) => !documented.has(v)).sort()).toEqual([]);
  });
});
