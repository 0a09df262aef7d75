/*
 * Where Redis's time goes inside the counters script (issue 13). Redis has no profiler for Lua, so
 * this measures by ablation: velocity's pass (libs/velocity-scoring VelocityPass, the shipped rules)
 * runs over the same simulated events once per variant of the script, each variant with one part
 * switched off, on a key prefix of its own. The variants take turns chunk by chunk, and Redis's
 * CPU (INFO cpu) is read around every chunk, so a slower or busier moment of this shared machine
 * falls on all of them alike (each chunk starts at another variant). "full" runs twice: the gap
 * between its two runs is the noise of the method.
 * A variant's saving is what that part costs; a variant that switches off a read gives wrong
 * values, so its signal count may differ (only the cost is compared).
 *   [BENCH_MINUTES=120] [BENCH_CHUNK=100] VIGIL_TEST_REDIS_URL=redis://127.0.0.1:6379 \
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/counters-ablation.bench.ts
 * Writes test/bench/reports/counters-ablation.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { COUNTERS_LUA, COUNTERS_SCRIPT_NAME } from '@vigil/counters';
import { createRedisClient, RedisClient, RedisKeys } from '@vigil/redis';
import { parseRulesFile } from '@vigil/rules';
import { resolveOptions, SellerDetectors } from '@vigil/seller-detectors';
import { chunksOf, deleteKeyPrefix, prepareStream, simulate } from '@vigil/simulator';
import { PassEvent, VELOCITY_RULES_OPTIONS, VelocityPass } from '@vigil/velocity-scoring';

const MINUTES = Number(process.env['BENCH_MINUTES'] ?? 120);
const CHUNK = Number(process.env['BENCH_CHUNK'] ?? 100);
const RULES = parseRulesFile(readFileSync(join(__dirname, '../../services/velocity/rules/velocity-rules.yaml'), 'utf8'), VELOCITY_RULES_OPTIONS);

interface Ablation {
  name: string;
  off: string;
  /** [text of the script, its replacement]: each must occur, or the ablation is out of date. */
  cuts: [string, string][];
}

const ABLATIONS: Ablation[] = [
  { name: 'full', off: 'nothing', cuts: [] },
  { name: 'no dedupe markers', off: 'ZADD of the event id, trim of the markers', cuts: [["redis.call('ZADD', ddKey, 'NX', e.t, e.id) == 1", 'true'], ["redis.call('ZREMRANGEBYSCORE', ddKey, '-inf', '(' .. (wm - late))", '']] },
  { name: 'no counter updates', off: 'HINCRBYFLOAT of the sub-buckets', cuts: [["redis.call('HINCRBYFLOAT', cntKey,", '(function() end)(']] },
  { name: 'no window reads', off: 'HMGET of the sub-buckets of each window', cuts: [["redis.call('HMGET', cntKey, unpack(fields))", '{}']] },
  { name: 'no baselines', off: 'reading and folding the baselines', cuts: [["if u.bl and u.k ~= 'distinct' then", 'if false then']] },
  { name: 'no distinct members', off: 'adding members of distinct counters', cuts: [['        addMember(u.c, u.v, e.t)\n', '']] },
  { name: 'no distinct reads', off: 'counting the members of each window', cuts: [['    readDistinct(e, r)\n', '\n']] },
  { name: 'no first-seen sets', off: 'HEXISTS, PEXPIRE and HLEN of the sets', cuts: [["redis.call('HEXISTS', k, f.v) == 0", 'false'], ["        redis.call('PEXPIRE', k, ttl)\n", ''], ["entry.size = redis.call('HLEN', setKeys[f.f])", 'entry.size = 0']] },
  { name: 'no facts read', off: 'HGETALL of the facts per event', cuts: [["local facts = redis.call('HGETALL', factsKey)", 'local facts = {}']] },
  { name: 'no trims', off: 'the amortised trims (HLEN per event, and the trims they start)', cuts: [['    trimCounts()\n    trimDistinct(false)\n', '']] },
  { name: 'no replay record', off: 'SET of the entity\'s last call', cuts: [["redis.call('SET', lastKey, cjson.encode(record), 'PX', math.min(p.redo, ttl))", '']] },
  { name: 'no expiries', off: 'PEXPIRE of the four keys per call', cuts: [["for _, k in ipairs({ factsKey, ddKey, cntKey, dstKey }) do redis.call('PEXPIRE', k, ttl) end", '']] },
  { name: 'arguments decoded twice', off: 'nothing; adds a second cjson.decode of the call\'s arguments (its cost, with the sign reversed)', cuts: [['local p = cjson.decode(ARGV[1])', 'local p = cjson.decode(ARGV[1]) p = cjson.decode(ARGV[1])']] },
  {
    name: 'call only',
    off: 'everything but the call: the script decodes its arguments and answers "late" for every event',
    cuts: [[COUNTERS_LUA, `local p = cjson.decode(ARGV[1]) local o = {} for i = 1, #p.events do o[i] = '{"s":"late","c":{},"a":{},"b":{}}' end return '[' .. table.concat(o, ',') .. ']'`]],
  },
  { name: 'full (again)', off: 'nothing: the gap to "full" is the noise of the method', cuts: [] },
];

function scriptWithout(ablation: Ablation): string {
  let lua = COUNTERS_LUA;
  for (const [text, replacement] of ablation.cuts) {
    if (!lua.includes(text)) throw new Error(`ablation "${ablation.name}" is out of date: the script has no ${JSON.stringify(text.slice(0, 60))}`);
    lua = lua.split(text).join(replacement);
  }
  return lua;
}

async function redisCpuMs(redis: RedisClient): Promise<number> {
  const info = Object.fromEntries((await redis.info('cpu')).split('\r\n').map((line) => line.split(':')));
  return (Number(info['used_cpu_user']) + Number(info['used_cpu_sys'])) * 1000;
}

async function main() {
  const url = process.env['VIGIL_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const { events } = prepareStream(simulate({ seed: 8, minutes: MINUTES, tenantId: 'ablation' }).events);
  const control = createRedisClient({ url, keyPrefix: '' });
  const runs = ABLATIONS.map((ablation, i) => {
    // A client per variant: the script is registered per client, under the name the engine calls.
    const redis = createRedisClient({ url, keyPrefix: '' });
    redis.defineCommand(COUNTERS_SCRIPT_NAME, { lua: scriptWithout(ablation) });
    const prefix = `vigil-bench-ablation:${Date.now()}:${i}`;
    const keys = new RedisKeys(prefix);
    const pass = new VelocityPass(redis, keys, new SellerDetectors(redis, keys, resolveOptions()), 10 * 60_000);
    return { ablation, redis, prefix, pass, redisMs: 0, nodeMs: 0, signals: 0 };
  });
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  const started = new Date();
  try {
    for (const [index, chunk] of chunksOf(events, CHUNK).entries()) {
      const released: PassEvent[] = chunk.map((value) => ({ value, late: false, beyondLateness: false }));
      // Each chunk starts at another variant, so no variant always runs first or last.
      for (const run of [...runs.slice(index % runs.length), ...runs.slice(0, index % runs.length)]) {
        const redisBefore = await redisCpuMs(control);
        const nodeBefore = process.cpuUsage();
        run.signals += (await run.pass.run(released, RULES)).length;
        const node = process.cpuUsage(nodeBefore);
        run.redisMs += (await redisCpuMs(control)) - redisBefore;
        run.nodeMs += (node.user + node.system) / 1000;
      }
    }
  } finally {
    for (const run of runs) {
      await deleteKeyPrefix(run.redis, run.prefix);
      run.redis.disconnect();
    }
    control.disconnect();
  }
  const perEvent = (ms: number) => ms / events.length;
  const settings = ['BENCH_MINUTES', 'BENCH_CHUNK'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]} `).join('');
  const full = perEvent(runs[0].redisMs);
  const lines = [
    '# Where Redis\'s time goes in the counters script (ablation)',
    '',
    `Run ${started.toISOString()}, ${cpus().length} cores, load average at start ${load}. Command: \`${settings}SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/counters-ablation.bench.ts\``,
    '',
    `${events.length.toLocaleString('en-US')} simulated events (seed 8, ${MINUTES} min of event time) through velocity's pass in chunks of ${CHUNK}, once per variant of the counters script, ` +
      'the variants taking turns chunk by chunk. Redis CPU is the server\'s own (INFO cpu) around each chunk, so it includes the seller detectors\' scripts, which every variant runs unchanged. ' +
      'Node CPU is velocity\'s pass in this process (features, arguments, replies, rules, detectors).',
    '',
    '| variant | switched off | Redis CPU ms/event | saving vs full | Node CPU ms/event | signals |',
    '|---|---|---|---|---|---|',
    ...runs.map((run) => {
      const redis = perEvent(run.redisMs);
      return `| ${run.ablation.name} | ${run.ablation.off} | ${redis.toFixed(3)} | ${(((full - redis) / full) * 100).toFixed(0)} % | ${perEvent(run.nodeMs).toFixed(3)} | ${run.signals} |`;
    }),
    '',
  ];
  const report = join(__dirname, 'reports', 'counters-ablation.md');
  writeFileSync(report, lines.join('\n'));
  console.log(lines.join('\n'));
  console.log(`report: ${report}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
