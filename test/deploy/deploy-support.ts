/*
 * What the deployment tests (image, compose, kustomize) share: the four services with their
 * config classes, the variables a deployment must set for each (derived from the config
 * classes, not listed by hand), and a reader of the Dockerfile's instructions.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { RuntimeConfig } from '@vigil/config';
import { AlertingConfig } from '../../services/alerting/src/config';
import { IngestionConfig } from '../../services/ingestion/src/config';
import { ReviewAnalysisConfig } from '../../services/review-analysis/src/config';
import { VelocityConfig } from '../../services/velocity/src/config';

export const ROOT = join(__dirname, '..', '..');

export interface ServiceInfo {
  name: 'ingestion' | 'velocity' | 'review-analysis' | 'alerting';
  config: new () => RuntimeConfig;
  /** Its documented port (the config's default), which compose and Kubernetes keep. */
  port: number;
  /** Serves an API others call (a Kubernetes Service); the consumers-only ones still serve /health and /metrics. */
  httpApi: boolean;
}

export const SERVICES: ServiceInfo[] = [
  { name: 'ingestion', config: IngestionConfig, port: new IngestionConfig().PORT, httpApi: true },
  { name: 'velocity', config: VelocityConfig, port: new VelocityConfig().PORT, httpApi: true },
  { name: 'review-analysis', config: ReviewAnalysisConfig, port: new ReviewAnalysisConfig().PORT, httpApi: false },
  { name: 'alerting', config: AlertingConfig, port: new AlertingConfig().PORT, httpApi: true },
];

/** Every environment variable a config class reads (its fields, with the shared RuntimeConfig ones). */
export function configVariables(config: new () => RuntimeConfig): string[] {
  return Object.keys(new config());
}

/** Credentials of a config class: the fields that refuse the public demo values (@NoDemoSecret). */
export function secretVariables(config: new () => RuntimeConfig): string[] {
  const storage = getMetadataStorage();
  const names = storage
    .getTargetValidationMetadatas(config, '', true, false)
    .filter((m) => m.constraintCls && storage.getTargetValidatorConstraints(m.constraintCls).some((c) => c.name === 'noDemoSecret'))
    .map((m) => m.propertyName);
  return [...new Set(names)].sort();
}

/**
 * What a deployment of the service must set: its port, every variable whose default points at
 * this machine's loopback (Kafka and Redis are elsewhere in a container), and its credentials
 * (empty defaults leave the service closed).
 */
export function requiredVariables(config: new () => RuntimeConfig): string[] {
  const defaults = new config() as unknown as Record<string, unknown>;
  const loopback = Object.keys(defaults).filter((key) => /127\.0\.0\.1|localhost/.test(JSON.stringify(defaults[key])));
  return [...new Set(['PORT', ...loopback, ...secretVariables(config)])].sort();
}

/** Variables a container may set besides the config's: Node's own and the listen address. */
export const RUNTIME_EXTRA_VARIABLES = ['NODE_ENV', 'NODE_OPTIONS', 'HOST'];

// --- Dockerfile -------------------------------------------------------------------------------

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  /** The FROM image with build arguments substituted. */
  image: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARG defaults declared before the first FROM. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** Instructions of a Dockerfile: comment lines dropped (also inside continuations), `\` continuations joined. */
export function parseDockerfile(text: string): Dockerfile {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue;
    if (!pending && !raw.trim()) continue;
    if (/\\\s*$/.test(raw)) {
      pending += raw.replace(/\\\s*$/, ' ');
      continue;
    }
    logical.push((pending + raw).trim());
    pending = '';
  }
  if (pending.trim()) logical.push(pending.trim());

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const match = /^(\w+)\s*(.*)$/s.exec(line);
    if (!match) continue;
    const keyword = match[1].toUpperCase();
    const args = match[2].trim();
    if (keyword === 'FROM') {
      const [image, as, name] = args.replace(/^--platform=\S+\s+/, '').split(/\s+/);
      const resolved = image.replace(/\$\{?(\w+)\}?/g, (_, arg: string) => globalArgs[arg] ?? '');
      stages.push({ image: resolved, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      if (keyword === 'ARG') {
        const [key, value = ''] = args.split('=');
        globalArgs[key] = value.replace(/^"|"$/g, '');
      }
    } else {
      stages[stages.length - 1].instructions.push({ keyword, args });
    }
  }
  return { globalArgs, stages };
}

export function readDockerfile(): Dockerfile {
  return parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
}

/** CMD/ENTRYPOINT/HEALTHCHECK CMD arguments: the exec form (JSON array) as is, the shell form through /bin/sh -c. */
export function commandArgs(args: string): string[] {
  if (args.startsWith('[')) return JSON.parse(args) as string[];
  return ['/bin/sh', '-c', args];
}

/** Words of an ENV/USER line, double quotes respected. */
function words(args: string): string[] {
  return [...args.matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map((m) => m[0]);
}

export function lastInstruction(stage: Stage, keyword: string): Instruction | undefined {
  return [...stage.instructions].reverse().find((i) => i.keyword === keyword);
}

/** The environment the stage's ENV lines set (ENV key=value ... and the old ENV key value). */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of stage.instructions.filter((x) => x.keyword === 'ENV')) {
    const parts = words(i.args);
    if (parts.length > 0 && !parts[0].includes('=')) {
      env[parts[0]] = i.args.slice(parts[0].length).trim();
      continue;
    }
    for (const part of parts) {
      const at = part.indexOf('=');
      env[part.slice(0, at)] = part.slice(at + 1).replace(/^"|"$/g, '');
    }
  }
  return env;
}

/** The stage's working directory after all its WORKDIR lines (relative ones resolve against the previous). */
export function stageWorkdir(stage: Stage): string {
  return stage.instructions.filter((i) => i.keyword === 'WORKDIR').reduce((dir, i) => posix.resolve(dir, i.args), '/');
}

/** The final stage's command: ENTRYPOINT (exec form) followed by CMD. */
export function imageCommand(stage: Stage): string[] {
  const entrypoint = lastInstruction(stage, 'ENTRYPOINT');
  const cmd = lastInstruction(stage, 'CMD');
  return [...(entrypoint ? commandArgs(entrypoint.args) : []), ...(cmd ? commandArgs(cmd.args) : [])];
}

const SCRIPT = /^(?:\.\/)?dist\/services\/([\w-]+)\/src\/main\.js$/;

/**
 * The command that runs `service` in the image: the image's default command with its service
 * script swapped (the image serves the four services; compose and Kubernetes pass these).
 */
export function serviceCommand(stage: Stage, service: string): string[] {
  return imageCommand(stage).map((arg) => (SCRIPT.test(arg) ? `dist/services/${service}/src/main.js` : arg));
}

export function scriptOf(command: string[]): { index: number; service: string } | undefined {
  const index = command.findIndex((arg) => SCRIPT.test(arg));
  return index < 0 ? undefined : { index, service: SCRIPT.exec(command[index])![1] };
}

/** HEALTHCHECK options and command of a stage (undefined when there is none or it is NONE). */
export function healthcheck(stage: Stage): { options: Record<string, string>; command: string[] } | undefined {
  const line = lastInstruction(stage, 'HEALTHCHECK');
  if (!line || /^NONE\b/i.test(line.args)) return undefined;
  const options: Record<string, string> = {};
  let rest = line.args;
  for (let m = /^--([\w-]+)=(\S+)\s+/.exec(rest); m; m = /^--([\w-]+)=(\S+)\s+/.exec(rest)) {
    options[m[1]] = m[2];
    rest = rest.slice(m[0].length);
  }
  const cmd = /^CMD\s+(.*)$/is.exec(rest);
  if (!cmd) throw new Error(`HEALTHCHECK without CMD: ${line.args}`);
  return { options, command: commandArgs(cmd[1].trim()) };
}

export interface Copy {
  from?: string;
  sources: string[];
  destination: string;
}

export function copies(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
    .map((i) => {
      const parts = words(i.args);
      const flags = parts.filter((p) => p.startsWith('--'));
      const paths = parts.filter((p) => !p.startsWith('--'));
      const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
      return { from, sources: paths.slice(0, -1), destination: paths[paths.length - 1] };
    });
}

// --- environment of a rendered deployment ---------------------------------------------------------

/** A value that stands in for a referenced secret when checking that an environment loads as the service's config. */
export function secretPlaceholder(variable: string): string {
  if (/_KEYS$/.test(variable)) return 'tenant-placeholder:placeholder-key-0123456789';
  if (variable === 'REDIS_URL') return 'rediss://:placeholder-password@redis.example:6380/0';
  return 'placeholder-secret-value-0123456789';
}
