import { ChildProcess, spawn } from 'node:child_process';
import { freePort } from '@vigil/testing';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

export const SERVICE_NAMES = ['ingestion', 'velocity', 'review-analysis', 'alerting'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface RunningService {
  name: ServiceName;
  url: string;
  pid: number;
  process: ChildProcess;
  /** Last lines of stderr/stdout, shown when the service dies or never gets healthy. */
  output: string[];
}

export interface LaunchOptions {
  root: string;
  env: Record<string, string>;
  /** Extra node options per service, e.g. --cpu-prof (not allowed in NODE_OPTIONS). */
  nodeArgs?: Partial<Record<ServiceName, string[]>>;
  healthTimeoutMs: number;
  /** Instances of each service (members of the same consumer groups); 1 by default. */
  instances?: number;
  /** Also append each instance's whole output to <logDir>/<service>-<port>.log (the tail kept in memory is short). */
  logDir?: string;
}

const OUTPUT_LINES_KEPT = 40;


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function startOne(name: ServiceName, port: number, options: LaunchOptions): RunningService {
  const child = spawn(
    process.execPath,
    // The production build (npm run build), as deployed: no TypeScript compiler in the process.
    [
      '--max-old-space-size=200',
      ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      ...(options.nodeArgs?.[name] ?? []),
      join(options.root, 'dist', 'services', name, 'src', 'main.js'),
    ],
    {
      cwd: options.root,
      env: { ...process.env, ...options.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const service: RunningService = {
    name,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    process: child,
    output: [],
  };
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue;
      service.output.push(line.slice(0, 400));
      if (service.output.length > OUTPUT_LINES_KEPT) service.output.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  if (options.logDir) {
    const file = createWriteStream(join(options.logDir, `${name}-${port}.log`), { flags: 'a' });
    child.stdout?.pipe(file, { end: false });
    child.stderr?.pipe(file, { end: false });
    child.once('exit', (code, signal) => file.end(`== exited (${code ?? signal})\n`));
  }
  return service;
}

export async function waitHealthy(service: RunningService, deadline: number): Promise<void> {
  let last = '';
  while (Date.now() < deadline) {
    if (service.process.exitCode !== null) {
      throw new Error(
        `${service.name} exited with ${service.process.exitCode}:\n${service.output.join('\n')}`,
      );
    }
    try {
      const response = await fetch(`${service.url}/health`);
      if (response.ok) return;
      last = `${response.status} ${(await response.text()).slice(0, 300)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(250);
  }
  throw new Error(`${service.name} not healthy in time (last: ${last}):\n${service.output.join('\n')}`);
}

/** Starts the four services (each `instances` times) as separate processes and waits for every /health. */
export async function launchServices(options: LaunchOptions): Promise<RunningService[]> {
  const services: RunningService[] = [];
  try {
    for (const name of SERVICE_NAMES) {
      for (let i = 0; i < (options.instances ?? 1); i++)
        services.push(startOne(name, await freePort(), options));
    }
    const deadline = Date.now() + options.healthTimeoutMs;
    await Promise.all(services.map((s) => waitHealthy(s, deadline)));
    return services;
  } catch (error) {
    await stopServices(services);
    throw error;
  }
}

/** SIGTERM, then SIGKILL after a grace period (a --cpu-prof process writes its profile on a clean exit). */
export async function stopServices(services: readonly RunningService[], graceMs = 8000): Promise<void> {
  await Promise.all(
    services.map(async (service) => {
      if (service.process.exitCode !== null || service.process.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => service.process.once('exit', () => resolve()));
      service.process.kill('SIGTERM');
      const timer = setTimeout(() => service.process.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }),
  );
}

/** Synchronous last resort for process 'exit': kill whatever is still running. */
export function killServicesNow(services: readonly RunningService[]): void {
  for (const service of services) {
    if (service.process.exitCode === null && service.process.signalCode === null)
      service.process.kill('SIGKILL');
  }
}
