/**
 * Per-rule precision of the signals a run produced (enforce and shadow alike), against the labels
 * of the simulated run. A signal counts as "on fraud" when its subject is labelled fraud; a
 * subject the labels do not cover (an IP, a shipping address) is judged by the account behind
 * the signal's triggering event ("attributed"), so IP and address rules get a figure too.
 */
import { EntityLabel } from '../generator/labels';

export interface SignalRecord {
  signalId: string;
  ruleId: string;
  mode?: string;
  subject: { type: string; id: string };
  reason?: string;
  measurements?: { name: string; window?: string }[];
  triggeringEvents?: { eventId: string }[];
}

export interface EventRecord {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** One replayed run: its signals, the labels and events of its simulation, and a name (e.g. "seed 7"). */
export interface PrecisionRun {
  name: string;
  signals: readonly SignalRecord[];
  labels: readonly EntityLabel[];
  events: readonly EventRecord[];
}

/** Signals per combination of comparisons that held (for an `any` rule: which branch fired). */
export interface ConditionSplit {
  held: string;
  onFraud: number;
  onLegit: number;
}

export interface RulePrecision {
  ruleId: string;
  mode: string;
  /** Distinct signal ids. */
  signals: number;
  /** Signals whose subject (or, for unlabelled subjects, the triggering account) is labelled fraud. */
  onFraud: number;
  onLegit: number;
  /** Neither the subject nor the triggering account is labelled. */
  unknown: number;
  /** onFraud / (onFraud + onLegit); null without a judged signal. */
  precision: number | null;
  subjects: number;
  fraudSubjects: number;
  legitSubjects: number;
  /** Signals judged through the triggering account (subject not labelled). */
  attributed: number;
  /** Injected patterns among the fraud subjects. */
  patterns: string[];
  /** The reason of one false alarm (the first by signal id), to see what ordinary traffic trips it. */
  exampleFalseAlarm?: string;
  /** Precision of each run on its own (null: nothing judged in that run). */
  perRun: { name: string; onFraud: number; onLegit: number; precision: number | null }[];
  conditions: ConditionSplit[];
}

const ACTOR_FIELDS = ['buyerId', 'accountId', 'authorId', 'sellerId'];

function actorOf(event: EventRecord | undefined): string | undefined {
  if (!event) return undefined;
  for (const field of ACTOR_FIELDS) {
    const value = event.data[field];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

export function isSignalRecord(value: unknown): value is SignalRecord {
  const v = value as Partial<SignalRecord> | null;
  return typeof v === 'object' && v !== null && typeof v.signalId === 'string' && typeof v.ruleId === 'string' && typeof v.subject?.id === 'string';
}

/** The comparisons of a signal that held, e.g. "account.order.count@7d & order.amount". */
function heldOf(signal: SignalRecord): string {
  const names = (signal.measurements ?? []).map((m) => (m.window && !m.name.includes('@') ? `${m.name}@${m.window}` : m.name));
  return [...new Set(names)].sort().join(' & ') || '(none)';
}

type Verdict = 'fraud' | 'legit' | 'unknown';

interface Judged {
  run: number;
  signal: SignalRecord;
  verdict: Verdict;
  pattern?: string;
  attributed: boolean;
}

function judge(run: PrecisionRun, index: number): Judged[] {
  const labelsById = new Map(run.labels.map((l) => [l.entityId, l]));
  const eventsById = new Map(run.events.map((e) => [e.id, e]));
  const unique = new Map<string, SignalRecord>();
  for (const signal of run.signals) if (!unique.has(signal.signalId)) unique.set(signal.signalId, signal);
  return [...unique.values()]
    .sort((a, b) => a.signalId.localeCompare(b.signalId))
    .map((signal) => {
      let label = labelsById.get(signal.subject.id);
      let attributed = false;
      if (!label) {
        const actors = (signal.triggeringEvents ?? []).map((t) => actorOf(eventsById.get(t.eventId))).filter((a): a is string => !!a);
        const actorLabels = actors.map((a) => labelsById.get(a)).filter((l): l is EntityLabel => !!l);
        label = actorLabels.find((l) => l.label === 'fraud') ?? actorLabels[0];
        attributed = !!label;
      }
      return { run: index, signal, verdict: label?.label ?? 'unknown', pattern: label?.label === 'fraud' ? label.pattern : undefined, attributed };
    });
}

const ratio = (fraud: number, legit: number) => (fraud + legit === 0 ? null : fraud / (fraud + legit));

/**
 * Per rule over one or more runs (counts are summed; a subject is a subject of one run).
 * `rules`: rule ids with their configured mode to list even when they never fired, e.g. every
 * rule of velocity-rules.yaml.
 */
export function computeRulePrecision(runs: readonly PrecisionRun[], rules: readonly { id: string; mode: string }[] = []): RulePrecision[] {
  const byRule = new Map<string, Judged[]>();
  for (const rule of rules) byRule.set(rule.id, []);
  runs.forEach((run, index) => {
    for (const judged of judge(run, index)) byRule.set(judged.signal.ruleId, [...(byRule.get(judged.signal.ruleId) ?? []), judged]);
  });
  const configuredMode = new Map(rules.map((r) => [r.id, r.mode]));

  return [...byRule.entries()]
    .map(([ruleId, list]) => {
      const count = (verdict: Verdict, of = list) => of.filter((j) => j.verdict === verdict).length;
      const subjectVerdict = new Map<string, Verdict>();
      for (const j of list) {
        const key = `${j.run}:${j.signal.subject.id}`;
        if (subjectVerdict.get(key) !== 'fraud') subjectVerdict.set(key, j.verdict);
      }
      const verdicts = [...subjectVerdict.values()];
      const conditions = new Map<string, ConditionSplit>();
      for (const j of list) {
        const held = heldOf(j.signal);
        const split = conditions.get(held) ?? { held, onFraud: 0, onLegit: 0 };
        if (j.verdict === 'fraud') split.onFraud++;
        if (j.verdict === 'legit') split.onLegit++;
        conditions.set(held, split);
      }
      const modes = [...new Set(list.map((j) => j.signal.mode).filter((m): m is string => !!m))].sort();
      const exampleFalseAlarm = list.find((j) => j.verdict === 'legit')?.signal.reason;
      return {
        ruleId,
        mode: modes.length > 0 ? modes.join('+') : (configuredMode.get(ruleId) ?? '?'),
        signals: list.length,
        onFraud: count('fraud'),
        onLegit: count('legit'),
        unknown: count('unknown'),
        precision: ratio(count('fraud'), count('legit')),
        subjects: subjectVerdict.size,
        fraudSubjects: verdicts.filter((v) => v === 'fraud').length,
        legitSubjects: verdicts.filter((v) => v === 'legit').length,
        attributed: list.filter((j) => j.attributed).length,
        patterns: [...new Set(list.map((j) => j.pattern).filter((p): p is string => !!p))].sort(),
        ...(exampleFalseAlarm ? { exampleFalseAlarm } : {}),
        perRun: runs.map((run, index) => {
          const of = list.filter((j) => j.run === index);
          return { name: run.name, onFraud: count('fraud', of), onLegit: count('legit', of), precision: ratio(count('fraud', of), count('legit', of)) };
        }),
        conditions: [...conditions.values()].sort((a, b) => a.held.localeCompare(b.held)),
      };
    })
    .sort((a, b) => a.ruleId.localeCompare(b.ruleId));
}

const fmt = (p: number | null) => (p === null ? 'n/a' : p.toFixed(2));

/** Markdown: one row per rule, then which comparison held for rules that fired on ordinary traffic through more than one. */
export function rulePrecisionMarkdown(rows: readonly RulePrecision[]): string {
  const runNames = rows[0]?.perRun.map((r) => r.name) ?? [];
  const perRunHeader = runNames.length > 1 ? ` ${runNames.map((n) => `${n} |`).join(' ')}` : '';
  const lines = [
    `| rule | mode | signals | on fraud | on ordinary | precision |${perRunHeader} subjects (fraud / ordinary) | patterns caught | a false alarm |`,
    `|---|---|---:|---:|---:|---:|${runNames.length > 1 ? runNames.map(() => '---:|').join('') : ''}---|---|---|`,
  ];
  for (const r of rows) {
    const unknown = r.unknown > 0 ? ` (+${r.unknown} unjudged)` : '';
    const attributed = r.attributed > 0 ? ` (${r.attributed} via account)` : '';
    const perRun = runNames.length > 1 ? ` ${r.perRun.map((p) => `${fmt(p.precision)} (${p.onFraud}/${p.onFraud + p.onLegit}) |`).join(' ')}` : '';
    lines.push(
      `| ${r.ruleId} | ${r.mode} | ${r.signals}${attributed} | ${r.onFraud} | ${r.onLegit}${unknown} | ${fmt(r.precision)} |${perRun} ${r.subjects} (${r.fraudSubjects} / ${r.legitSubjects}) | ${r.patterns.join(', ') || '-'} | ${(r.exampleFalseAlarm ?? '-').replace(/\|/g, '/')} |`,
    );
  }
  const split = rows.filter((r) => r.conditions.length > 1 && r.onLegit > 0);
  if (split.length > 0) {
    lines.push('', 'Which comparisons held (rules with more than one way to fire and a false alarm):', '', '| rule | comparisons that held | on fraud | on ordinary | precision |', '|---|---|---:|---:|---:|');
    for (const r of split) for (const c of r.conditions) lines.push(`| ${r.ruleId} | ${c.held} | ${c.onFraud} | ${c.onLegit} | ${fmt(ratio(c.onFraud, c.onLegit))} |`);
  }
  return lines.join('\n');
}
