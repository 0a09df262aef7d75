import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { Kafka } from 'kafkajs';
import { produceAll } from './ceiling';

export interface HopsFloorResult {
  messages: number;
  elapsedMs: number;
  eventsPerSecond: number;
}

interface Worker {
  process: ChildProcess;
  ready: Promise<void>;
  done: Promise<number>;
}

function startWorker(args: string[]): Worker {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'hops-floor-worker.ts'), ...args], {
    env: { SWC_NODE_PROJECT: 'tsconfig.base.json', ...process.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let onReady: () => void = () => undefined;
  let onDone: (at: number) => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  let finished = false;
  const done = new Promise<number>((resolve, reject) => {
    onDone = (at) => {
      finished = true;
      resolve(at);
    };
    child.once('exit', (code) => {
      if (!finished) reject(new Error(`hops floor ${args[0]} exited with ${code}`));
    });
  });
  // The relay never reports done; its exit before the end still fails the sinks' wait (they stall).
  done.catch(() => undefined);
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const message = JSON.parse(line) as { ready?: boolean; done?: number };
    if (message.ready) onReady();
    if (message.done) onDone(message.done);
  });
  return { process: child, ready, done };
}

/**
 * The design's floor: the Kafka hops an event takes through Vigil when it is produced to the
 * intake topic, with no detection work. A load generator produces the messages (batches of 500,
 * 4 in flight, acks=all); an ingestion-shaped relay process consumes them and republishes each
 * batch to a second topic; two sink processes (velocity's and review-analysis's consumer
 * groups) read it. Separate processes, as the services are. Timed from the first send to the
 * last message read by both sinks. Vigil's pipeline cannot sustain more than this on the same
 * machine: it is the cost of the topology and the client alone.
 */
export async function measureHopsFloor(kafka: Kafka, brokers: string, prefix: string, payloads: readonly string[], partitions: number): Promise<HopsFloorResult> {
  const intake = `${prefix}.floor.intake`;
  const events = `${prefix}.floor.events`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [intake, events].map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })) });
  await admin.disconnect();
  const workers = [
    startWorker(['relay', brokers, `${prefix}.floor.relay`, intake, events]),
    startWorker(['sink', brokers, `${prefix}.floor.velocity`, events, String(payloads.length)]),
    startWorker(['sink', brokers, `${prefix}.floor.review`, events, String(payloads.length)]),
  ];
  try {
    await Promise.race([Promise.all(workers.map((w) => w.ready)), timeout(60_000, 'the hops floor workers did not join')]);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const startedAt = Date.now();
    await produceAll(producer, intake, payloads);
    await producer.disconnect();
    const finishedAt = Math.max(...(await Promise.race([Promise.all(workers.slice(1).map((w) => w.done)), timeout(120_000, 'the hops floor sinks did not finish')])));
    const elapsedMs = finishedAt - startedAt;
    return { messages: payloads.length, elapsedMs, eventsPerSecond: (payloads.length / elapsedMs) * 1000 };
  } finally {
    for (const worker of workers) worker.process.kill('SIGTERM');
  }
}

function timeout(ms: number, message: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(message)), ms).unref());
}
