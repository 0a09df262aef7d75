/*
 * The container image without a container engine (issue 16). Reads the Dockerfile's final stage
 * (command, working directory, health check, user, where node_modules comes from) and the
 * .dockerignore, then runs each service's entry command from the production build (dist/) the
 * way the image does, with the shared launcher of the benchmark and fault suites, against the
 * test Kafka and Redis, and runs the image's HEALTHCHECK command against it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix } from 'node:path';
import { testStack, uniqueId } from '@vigil/testing';
import { launchServices, RunningService, stopServices } from '../bench/support/services';
import {
  copies,
  healthcheck,
  imageCommand,
  lastInstruction,
  readDockerfile,
  ROOT,
  scriptOf,
  serviceCommand,
  SERVICES,
  Stage,
  stageEnv,
  stageWorkdir,
} from './deploy-support';

const dockerfile = readDockerfile();
const final: Stage = dockerfile.stages[dockerfile.stages.length - 1];
const stageNamed = (name: string) => dockerfile.stages.find((s) => s.name === name);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Files under dir (recursively), relative to dir; symlinked directories are not followed. */
function walk(dir: string, keep: (path: string) => boolean, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const rel = posix.join(prefix, entry.name);
    if (entry.isDirectory()) return walk(dir, keep, rel);
    return entry.isFile() && keep(rel) ? [rel] : [];
  });
}

describe('Dockerfile', () => {
  it('builds every stage on the Node 20 slim image', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of dockerfile.stages) expect(stage.image).toMatch(/^node:20(\.\d+)*-(\w+-)?slim(@sha256:[0-9a-f]{64})?$/);
  });

  it('runs a service of the production build from an absolute WORKDIR as a non-root user', () => {
    const workdir = stageWorkdir(final);
    expect(workdir).toMatch(/^\/\w/);
    const command = imageCommand(final);
    expect(command[0]).toBe('node');
    expect(SERVICES.map((s) => s.name)).toContain(scriptOf(command)?.service);

    const user = lastInstruction(final, 'USER')?.args ?? '';
    expect(user).not.toBe('');
    const [name, group = ''] = user.split(':');
    expect(['root', '0']).not.toContain(name);
    expect(['root', '0']).not.toContain(group);
    // Numeric, so a Kubernetes runAsNonRoot can check it without reading /etc/passwd.
    expect(name).toMatch(/^\d+$/);
  });

  it('has a HEALTHCHECK that asks /health/live with node (the slim image has no curl)', () => {
    const check = healthcheck(final);
    expect(check).toBeDefined();
    expect(check!.command[0]).toBe('node');
    expect(check!.command.join(' ')).toMatch(/\/health\/live/);
    expect(check!.command.join(' ')).toMatch(/process\.env\.PORT/);
    for (const option of ['interval', 'timeout', 'start-period', 'retries']) expect(check!.options[option]).toBeDefined();
  });

  it('ships node_modules from a stage that installs without devDependencies, and dist/ from the build', () => {
    const fromStages = copies(final);
    const modules = fromStages.filter((c) => c.sources.some((s) => /node_modules\/?$/.test(s)) || /node_modules\/?$/.test(c.destination));
    expect(modules).toHaveLength(1);
    expect(modules[0].from).toBeDefined();
    const deps = stageNamed(modules[0].from!)!;
    expect(deps).toBeDefined();
    const installs = deps.instructions.filter((i) => i.keyword === 'RUN' && /\bnpm\s+(install|i|ci)\b/.test(i.args));
    expect(installs.length).toBeGreaterThan(0);
    for (const run of installs) {
      expect(run.args).toMatch(/--omit=dev\b/);
      // `npm ci` refuses the lockfile on other platforms (optional @swc/core binaries missing).
      expect(run.args).not.toMatch(/\bnpm\s+ci\b/);
    }
    // Nothing brings a full node_modules into the deps stage, and the final stage installs nothing.
    expect(copies(deps).filter((c) => c.sources.some((s) => s.includes('node_modules')))).toEqual([]);
    expect(final.instructions.filter((i) => i.keyword === 'RUN' && /\bnpm\b/.test(i.args))).toEqual([]);

    const dist = fromStages.filter((c) => c.sources.some((s) => /\/dist\/?$/.test(s)));
    expect(dist).toHaveLength(1);
    const build = stageNamed(dist[0].from!)!;
    expect(build.instructions.some((i) => i.keyword === 'RUN' && /deploy\/build\/build\.sh|npm run build/.test(i.args))).toBe(true);
    // The service script resolves under the dist/ the final stage receives.
    const workdir = stageWorkdir(final);
    const script = posix.resolve(workdir, imageCommand(final)[scriptOf(imageCommand(final))!.index]);
    expect(script.startsWith(posix.resolve(workdir, dist[0].destination) + '/')).toBe(true);
    // Nothing else from the build stage (its node_modules has the devDependencies).
    expect(fromStages.filter((c) => c.from === dist[0].from)).toHaveLength(1);
  });

  it('keeps host files out of the build context and lets in everything it copies', () => {
    const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const toRegex = (pattern: string) =>
      new RegExp(
        '^' +
          pattern
            .replace(/^\/+|\/+$/g, '')
            .split('/')
            .map((part) => (part === '**' ? '.*' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
            .join('/')
            .replace(/\.\*\//g, '(?:.*/)?') +
          '$',
      );
    // Docker's rule: the last pattern matching the path or one of its parent directories decides.
    const ignored = (path: string) => {
      const prefixes = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
      let result = false;
      for (const raw of patterns) {
        const negate = raw.startsWith('!');
        const regex = toRegex(negate ? raw.slice(1) : raw);
        if (prefixes.some((p) => regex.test(p))) result = !negate;
      }
      return result;
    };
    for (const path of ['node_modules/kafkajs/package.json', 'dist/services/velocity/src/main.js', '.git/HEAD', 'libs/kafka/node_modules/x/index.js', 'test/e2e/system.ts', 'libs/kafka/src/topic-admin.spec.ts', 'docs/threats.md'])
      expect([path, ignored(path)]).toEqual([path, true]);
    for (const path of ['package.json', 'package-lock.json', 'libs/kafka/src/index.ts', 'services/velocity/rules/velocity-rules.yaml', 'services/alerting/src/dashboard/dashboard.html', 'deploy/build/build.sh'])
      expect([path, ignored(path)]).toEqual([path, false]);
    // Every path the Dockerfile copies from the context exists and is let in.
    const fromContext = dockerfile.stages.flatMap((s) => copies(s)).filter((c) => !c.from).flatMap((c) => c.sources);
    expect(fromContext.length).toBeGreaterThan(0);
    for (const source of fromContext) {
      expect([source, existsSync(join(ROOT, source)), ignored(source)]).toEqual([source, true, false]);
    }
  });
});

describe('the production build the image ships', () => {
  beforeAll(() => {
    // Build when dist/ is missing or older than a source it is made from (the image runs the same build).
    const mains = SERVICES.map((s) => join(ROOT, 'dist', 'services', s.name, 'src', 'main.js'));
    const built = mains.every((m) => existsSync(m)) ? Math.min(...mains.map((m) => statSync(m).mtimeMs)) : 0;
    const sources = ['services', 'libs'].flatMap((top) =>
      walk(join(ROOT, top), (p) => /(^|\/)(src|rules)\//.test(p) && !/\.(int-|e2e-)?spec\.ts$/.test(p)).map((p) => join(ROOT, top, p)),
    );
    const newest = Math.max(...[...sources, join(ROOT, 'tsconfig.build.json'), join(ROOT, 'tsconfig.base.json')].map((p) => statSync(p).mtimeMs));
    if (built < newest) {
      try {
        execFileSync('bash', [join(ROOT, 'deploy/build/build.sh')], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
      } catch (error) {
        const { stdout, stderr } = error as { stdout?: string; stderr?: string };
        throw new Error(`npm run build failed:\n${stdout ?? ''}${stderr ?? ''}`);
      }
    }
  }, 300_000);

  it('requires only packages that an install without devDependencies provides', () => {
    const builtins = new Set(builtinModules);
    const required = new Set<string>();
    for (const file of walk(join(ROOT, 'dist'), (p) => p.endsWith('.js'))) {
      const code = readFileSync(join(ROOT, 'dist', file), 'utf8');
      for (const m of code.matchAll(/\brequire\(["']([^"'./][^"']*)["']\)/g)) {
        const spec = m[1];
        if (spec.startsWith('node:') || builtins.has(spec.split('/')[0])) continue;
        required.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
    // @vigil/* resolve through dist/node_modules links (deploy/build/build.sh).
    for (const name of [...required].filter((n) => n.startsWith('@vigil/'))) {
      expect(existsSync(join(ROOT, 'dist', 'node_modules', name))).toBe(true);
    }
    const packages = [...required].filter((name) => !name.startsWith('@vigil/')).sort();
    expect(packages.length).toBeGreaterThan(5);
    // What `npm install --omit=dev` puts at the top of node_modules: the lockfile's non-dev
    // entries there (a runtime dependency's own dependencies included, e.g. express of
    // @nestjs/platform-express). A package only a devDependency brings would be missing in the image.
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
    };
    const installed = (name: string) => {
      const entry = lock.packages[`node_modules/${name}`];
      return entry !== undefined && entry.dev !== true && entry.devOptional !== true;
    };
    expect(packages.filter((name) => !installed(name))).toEqual([]);
    // And no devDependency is needed by name.
    expect(packages.filter((name) => name in pkg.devDependencies && !(name in pkg.dependencies))).toEqual([]);
  });

  describe('every service started with the image command', () => {
    let services: RunningService[] = [];
    const imageEnv = stageEnv(final);
    const run = (command: string[], env: Record<string, string>) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const [program, ...args] = command;
        const child = execFile(program === 'node' ? process.execPath : program, args, { env, timeout: 20_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, output: stdout + stderr }),
        );
        child.stdin?.end();
      });

    beforeAll(async () => {
      const { brokers, redisUrl } = testStack();
      const isolation = uniqueId('image');
      // The image's ENV, but the launcher gives each service a port of its own.
      const env = Object.fromEntries(Object.entries(imageEnv).filter(([key]) => key !== 'PORT'));
      services = await launchServices({
        root: ROOT,
        env: {
          ...env,
          KAFKA_BROKERS: brokers.join(','),
          REDIS_URL: redisUrl,
          VIGIL_TOPIC_PREFIX: isolation,
          REDIS_KEY_PREFIX: `vigil-test:${isolation}`,
          LOG_LEVEL: 'warn',
        },
        healthTimeoutMs: 150_000,
      });
    }, 200_000);
    afterAll(() => stopServices(services));

    it.each(SERVICES.map((s) => s.name))('%s: the running process is the image command, from the image workdir', (name) => {
      const service = services.find((s) => s.name === name)!;
      const cmdline = readFileSync(`/proc/${service.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const environ = readFileSync(`/proc/${service.pid}/environ`, 'utf8').split('\0');
      const nodeOptions = (environ.find((e) => e.startsWith('NODE_OPTIONS=')) ?? 'NODE_OPTIONS=').slice('NODE_OPTIONS='.length);
      const expected = serviceCommand(final, name);
      const workdir = stageWorkdir(final);
      // The image's WORKDIR is the repository root here: the image holds dist/ and node_modules/ there.
      expect(readlinkSync(`/proc/${service.pid}/cwd`)).toBe(ROOT);
      expect(cmdline[0]).toBe(process.execPath);
      expect(expected[0]).toBe('node');
      const expectedAt = scriptOf(expected)!.index;
      // The same script (the image's path relative to its WORKDIR, here relative to the root) and arguments.
      const at = cmdline.indexOf(join(ROOT, posix.relative(workdir, posix.resolve(workdir, expected[expectedAt]))));
      expect(at).toBeGreaterThan(0);
      expect(cmdline.slice(at + 1)).toEqual(expected.slice(expectedAt + 1));
      // Node options in effect: the command line's and NODE_OPTIONS', for the image and for this process.
      const options = (flags: string[], fromEnv: string) => [...new Set([...flags, ...fromEnv.split(/\s+/).filter(Boolean)])].sort();
      expect(options(cmdline.slice(1, at), nodeOptions)).toEqual(options(expected.slice(1, expectedAt), imageEnv['NODE_OPTIONS'] ?? ''));
    });

    it.each(SERVICES.map((s) => s.name))('%s: ready on /health with Kafka, Redis and its consumers up', async (name) => {
      const service = services.find((s) => s.name === name)!;
      const response = await fetch(`${service.url}/health`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { status: string; info: Record<string, { status: string }> };
      expect(body.status).toBe('ok');
      expect(body.info['kafka'].status).toBe('up');
      expect(body.info['redis'].status).toBe('up');
    });

    it.each(SERVICES.map((s) => s.name))('%s: the image HEALTHCHECK command succeeds against it', async (name) => {
      const service = services.find((s) => s.name === name)!;
      const port = new URL(service.url).port;
      const check = healthcheck(final)!.command;
      const result = await run(check, { PATH: process.env['PATH'] ?? '', ...imageEnv, PORT: port });
      expect(result).toEqual({ code: 0, output: '' });
    });

    it('the HEALTHCHECK command fails when nothing answers on $PORT', async () => {
      const check = healthcheck(final)!.command;
      // A port of a stopped listener: bind, read the number, close.
      const { createServer } = await import('node:net');
      const port = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, '127.0.0.1', () => {
          const address = server.address() as { port: number };
          server.close(() => resolve(address.port));
        });
      });
      const result = await run(check, { PATH: process.env['PATH'] ?? '', ...imageEnv, PORT: String(port) });
      expect(result.code).toBe(1);
    });
  });
});
