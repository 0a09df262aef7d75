import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTimeEntry {
  functionName: string;
  location: string;
  selfMs: number;
  percent: number;
}

/** Self time of one part of the code (a package, a Vigil library or service, the runtime). */
export interface AreaEntry {
  area: string;
  selfMs: number;
  percent: number;
}

export interface CpuProfileSummary {
  /** Busy (not idle) time of the summarised part of the profile. */
  busyMs: number;
  functions: SelfTimeEntry[];
  /** Self time grouped by where the code lives: a flat function list hides a cost spread over a package. */
  areas: AreaEntry[];
}

/**
 * Where a frame's code lives: the npm package, the Vigil library or service, "node" (the runtime's
 * JavaScript and native stream, buffer and socket code) or a V8 pseudo-frame such as
 * "(garbage collector)".
 */
export function codeArea(frame: { functionName: string; url: string }): string {
  const url = frame.url.replace(/^file:\/\//, '');
  const npm = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (npm) return npm[1];
  const vigil = url.match(/\/(libs|services)\/([^/]+)\//);
  if (vigil) return `${vigil[1]}/${vigil[2]}`;
  if (url.startsWith('node:')) return 'node';
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : 'node';
  return 'other';
}

/**
 * Top self-time functions and areas of the newest .cpuprofile in `dir` (written by node
 * --cpu-prof), leaving out the first `skipMs` of the profile (start-up: module loading and
 * compilation). Shares are of busy time: idle samples are left out of the total.
 */
export function summariseCpuProfile(dir: string, top = 15, skipMs = 0): CpuProfileSummary {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  if (files.length === 0) return { busyMs: 0, functions: [], areas: [] };
  const profile = JSON.parse(readFileSync(join(dir, files[files.length - 1]), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  const areaUs = new Map<string, number>();
  let busyUs = 0;
  let elapsedUs = 0;
  profile.samples.forEach((nodeId, i) => {
    const node = byId.get(nodeId);
    const delta = profile.timeDeltas[i] ?? 0;
    elapsedUs += delta;
    if (!node || elapsedUs < skipMs * 1000) return;
    const frame = node.callFrame;
    // Idle time is waiting, not work.
    if (frame.functionName === '(idle)') return;
    busyUs += delta;
    const where = frame.url ? `${frame.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|services|libs)\//, '$1/')}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'}\u0000${where}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
    const area = codeArea(frame);
    areaUs.set(area, (areaUs.get(area) ?? 0) + delta);
  });
  const share = (us: number) => (busyUs ? (us / busyUs) * 100 : 0);
  return {
    busyMs: busyUs / 1000,
    functions: [...selfUs.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => {
        const [functionName, location] = key.split('\u0000');
        return { functionName, location, selfMs: us / 1000, percent: share(us) };
      }),
    areas: [...areaUs.entries()].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, selfMs: us / 1000, percent: share(us) })),
  };
}
