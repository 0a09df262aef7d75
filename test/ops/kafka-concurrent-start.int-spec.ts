/*
 * `deploy/local/kafka.sh start` succeeds on its own (issue 18): two brokers of the same Kafka
 * version start at the same time, each on its own ports and fresh data dir, sharing one jar cache
 * whose class-data (CDS) state starts empty. The first round makes both brokers dump a class-data
 * archive when they stop (at the same time: the renames must not clash); the second maps the
 * archive; the third finds a truncated archive (the JVM dies with it) and must retry without it.
 * Brokers are stopped at the end, also when an assertion fails. About 60 s on 2 cores.
 */
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

const KAFKA_SH = resolve(__dirname, '../../deploy/local/kafka.sh');
const VERSION = process.env['KAFKA_VERSION'] ?? '4.1.1';
// Unusual ports, at least 3 apart from the test stack (19092/19093) and from each other.
const BROKERS = [
  { name: 'a', port: 19492, controller: 19493 },
  { name: 'b', port: 19592, controller: 19593 },
];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function kafkaSh(args: string[], env: Record<string, string>): Promise<Run> {
  const started = Date.now();
  return new Promise((done) => {
    execFile(
      'bash',
      [KAFKA_SH, ...args],
      { env: { ...process.env, ...env }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) =>
        done({
          code: error ? ((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
          ms: Date.now() - started,
        }),
    );
  });
}

describe('kafka.sh start: two brokers of one version at once, fresh class-data state', () => {
  const work = mkdtempSync(join(tmpdir(), 'vigil-kafka-concurrent-'));
  const cache = join(work, 'cache');
  const cdsDir = join(cache, `kafka-${VERSION}`, 'cds');
  const envOf = (b: (typeof BROKERS)[number]): Record<string, string> => ({
    KAFKA_VERSION: VERSION,
    KAFKA_PORT: String(b.port),
    KAFKA_CONTROLLER_PORT: String(b.controller),
    KAFKA_DATA_DIR: join(work, `kafka-${b.name}`),
    KAFKA_HEAP: '-Xms128m -Xmx384m',
    KAFKA_START_TIMEOUT: '120',
    VIGIL_CACHE_DIR: cache,
    VIGIL_STATE_DIR: join(work, 'state'),
  });
  const startBoth = (): Promise<Run[]> =>
    Promise.all(BROKERS.map((b) => kafkaSh(['start'], { ...envOf(b), KAFKA_FRESH: '1' })));
  const stopBoth = (): Promise<Run[]> => Promise.all(BROKERS.map((b) => kafkaSh(['stop'], envOf(b))));
  const archives = () => (existsSync(cdsDir) ? readdirSync(cdsDir) : []);
  const brokerCmdline = (b: (typeof BROKERS)[number]): string => {
    const pid = readFileSync(join(work, `kafka-${b.name}`, 'node-1', 'kafka.pid'), 'utf8').trim();
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  };
  const expectBothUp = async (runs: Run[]) => {
    runs.forEach((run, i) =>
      expect({
        broker: BROKERS[i].name,
        code: run.code,
        stdout: run.stdout.trim(),
        stderr: run.code ? run.stderr : '',
      }).toEqual({ broker: BROKERS[i].name, code: 0, stdout: `127.0.0.1:${BROKERS[i].port}`, stderr: '' }),
    );
    // Up means a client gets the cluster's metadata, not just a process.
    for (const b of BROKERS) {
      const admin = new Kafka({
        clientId: 'concurrent-start-spec',
        brokers: [`127.0.0.1:${b.port}`],
        logLevel: logLevel.NOTHING,
      }).admin();
      await admin.connect();
      const cluster = await admin.describeCluster();
      await admin.disconnect();
      expect(cluster.brokers.map((x) => x.port)).toEqual([b.port]);
    }
  };

  beforeAll(async () => {
    // The jars of the machine's cache (fetched once), a class-data directory of our own: empty.
    const fetched = await kafkaSh(['fetch'], { KAFKA_VERSION: VERSION });
    expect(fetched.code).toBe(0);
    const lib = fetched.stdout.trim();
    const dist = join(cache, `kafka-${VERSION}`);
    mkdirSync(dist, { recursive: true });
    symlinkSync(lib, join(dist, 'lib'));
    copyFileSync(join(lib, '..', '.complete'), join(dist, '.complete'));
    expect(archives()).toEqual([]);
  }, 300_000);

  afterAll(async () => {
    await stopBoth();
    for (const b of BROKERS)
      expect(existsSync(join(work, `kafka-${b.name}`, 'node-1', 'kafka.pid'))).toBe(false);
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('starts both with no archive yet; both dump one when stopped together, and one archive is kept', async () => {
    await expectBothUp(await startBoth());
    for (const b of BROKERS) expect(brokerCmdline(b)).toContain('-XX:ArchiveClassesAtExit=');
    const stops = await stopBoth();
    expect(stops.map((s) => s.code)).toEqual([0, 0]);
    const kept = archives();
    // one archive per JDK build, renamed into place whole: no temporary file is left behind
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/^[0-9a-f]{12}\.jsa$/);
    expect(statSync(join(cdsDir, kept[0])).size).toBeGreaterThan(1 << 20);
  }, 240_000);

  it('starts both at once mapping the archive', async () => {
    await expectBothUp(await startBoth());
    for (const b of BROKERS) expect(brokerCmdline(b)).toContain('-XX:SharedArchiveFile=');
    expect((await stopBoth()).map((s) => s.code)).toEqual([0, 0]);
  }, 240_000);

  it('retries once without a truncated archive, keeps the failed attempt`s log and drops the archive', async () => {
    const [archive] = archives();
    const path = join(cdsDir, archive);
    // A half-written archive: the JVM dies mapping it (SIGBUS), in the format step or the broker.
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const runs = await startBoth();
    await expectBothUp(runs);
    for (const [i, b] of BROKERS.entries()) {
      expect(brokerCmdline(b)).not.toContain('-XX:SharedArchiveFile=');
      // a broker that died with the archive left its JVM output of that attempt behind
      if (runs[i].stderr.includes("the failed attempt's logs are kept")) {
        expect(
          readFileSync(join(work, `kafka-${b.name}`, 'node-1', 'logs', 'stdout.log.prev'), 'utf8'),
        ).toContain('A fatal error has been detected');
      }
    }
    // Both read the archive at about the same time; one may find it already removed by the other.
    expect(runs.some((r) => r.stderr.includes('retrying once without the class-data archive'))).toBe(true);
    expect(archives()).not.toContain(archive);
  }, 240_000);
});
