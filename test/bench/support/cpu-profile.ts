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

/**
 * Top self-time functions of the newest .cpuprofile in `dir` (written by node --cpu-prof),
 * leaving out the first `skipMs` of the profile (start-up: module loading and compilation).
 */
export function summariseCpuProfile(dir: string, top = 15, skipMs = 0): SelfTimeEntry[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  if (files.length === 0) return [];
  const profile = JSON.parse(readFileSync(join(dir, files[files.length - 1]), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  let elapsedUs = 0;
  profile.samples.forEach((nodeId, i) => {
    const node = byId.get(nodeId);
    const delta = profile.timeDeltas[i] ?? 0;
    elapsedUs += delta;
    if (!node || elapsedUs < skipMs * 1000) return;
    totalUs += delta;
    const frame = node.callFrame;
    // Idle time is waiting, not work: leave it out so the percentages are shares of busy time.
    if (frame.functionName === '(idle)') return;
    const where = frame.url ? `${frame.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|services|libs)\//, '$1/')}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'}\u0000${where}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
  });
  return [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, us]) => {
      const [functionName, location] = key.split('\u0000');
      return { functionName, location, selfMs: us / 1000, percent: totalUs ? (us / totalUs) * 100 : 0 };
    });
}
