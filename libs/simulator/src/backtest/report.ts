import { BacktestResult, PatternMetrics, RuleMetrics } from './metrics';
import { changedRules, RuleChange } from './rule-comparison';

export function formatRatio(value: number | null): string {
  return value === null ? '-' : `${(value * 100).toFixed(1)}%`;
}

function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const RULE_HEADER = ['rule', 'mode', 'alerts', 'subjects', 'TP', 'FP', 'unlabelled', 'precision', 'recall'];

function ruleRow(r: RuleMetrics): string[] {
  return [r.ruleId, r.modes.join('/') || '-', String(r.alerts), String(r.subjects), String(r.truePositives), String(r.falsePositives), String(r.unlabelled), formatRatio(r.precision), formatRatio(r.recall)];
}

const PATTERN_HEADER = ['pattern', 'fraud entities', 'flagged', 'recall', 'rules'];

function patternRow(p: PatternMetrics): string[] {
  return [p.pattern, String(p.fraudEntities), String(p.flagged), formatRatio(p.recall), p.rules.join(', ') || '-'];
}

/** "7 of 11 patterns caught": a pattern counts as caught when any of its fraud entities was flagged. */
export function patternsCaughtLine(result: BacktestResult): string {
  const caught = result.patterns.filter((p) => p.flagged > 0).length;
  return `${caught} of ${result.patterns.length} patterns caught`;
}

export function backtestTextReport(result: BacktestResult): string {
  return [
    patternsCaughtLine(result),
    '',
    textTable(RULE_HEADER, [...result.rules.map(ruleRow), ruleRow(result.overall)]),
    '',
    textTable(PATTERN_HEADER, result.patterns.map(patternRow)),
  ].join('\n');
}

/** The candidate rules against the baseline rules on the same events. */
export interface RunComparison {
  /** The baseline rules file, as given. */
  baseline: string;
  changes: RuleChange[];
}

const CHANGE_HEADER = ['rule', 'signals (baseline)', 'signals', 'precision (baseline)', 'precision', 'recall (baseline)', 'recall', 'newly flagged', 'no longer flagged'];

function changeRow(c: RuleChange): string[] {
  return [
    c.ruleId,
    String(c.baselineSignals),
    String(c.signals),
    formatRatio(c.baseline?.precision ?? null),
    formatRatio(c.candidate?.precision ?? null),
    formatRatio(c.baseline?.recall ?? null),
    formatRatio(c.candidate?.recall ?? null),
    String(c.newlyFlagged.length),
    String(c.noLongerFlagged.length),
  ];
}

/** At most this many subjects per rule and direction in the text report (the HTML lists all). */
const TEXT_SUBJECTS = 20;

function subjectList(subjects: readonly string[]): string {
  const shown = subjects.slice(0, TEXT_SUBJECTS).join(', ');
  return subjects.length > TEXT_SUBJECTS ? `${shown}, ... (${subjects.length - TEXT_SUBJECTS} more)` : shown;
}

export function comparisonTextReport(comparison: RunComparison): string {
  const changed = changedRules(comparison.changes);
  const lines = [`Against the baseline rules (${comparison.baseline}): ${changed.length} of ${comparison.changes.length} rules changed`, ''];
  lines.push(textTable(CHANGE_HEADER, comparison.changes.map(changeRow)));
  for (const c of changed) {
    if (c.newlyFlagged.length > 0) lines.push('', `${c.ruleId}: newly flagged (${c.newlyFlagged.length}): ${subjectList(c.newlyFlagged)}`);
    if (c.noLongerFlagged.length > 0) lines.push('', `${c.ruleId}: no longer flagged (${c.noLongerFlagged.length}): ${subjectList(c.noLongerFlagged)}`);
  }
  return lines.join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** Horizontal bars (0..100%) as inline SVG: no script, no CDN, opens anywhere. */
function barChart(title: string, bars: { label: string; value: number | null }[]): string {
  const rowHeight = 22;
  const labelWidth = 240;
  const barWidth = 360;
  const height = bars.length * rowHeight + 30;
  const rows = bars
    .map((bar, i) => {
      const y = 24 + i * rowHeight;
      const width = bar.value === null ? 0 : Math.round(bar.value * barWidth);
      return `<text x="${labelWidth - 6}" y="${y + 14}" text-anchor="end">${escapeHtml(bar.label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 3}" width="${barWidth}" height="14" fill="#eee"/>` +
        `<rect x="${labelWidth}" y="${y + 3}" width="${width}" height="14" fill="#3b6ea5"/>` +
        `<text x="${labelWidth + barWidth + 6}" y="${y + 14}">${formatRatio(bar.value)}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 70}" height="${height}" font-family="sans-serif" font-size="12">` +
    `<text x="0" y="14" font-weight="bold">${escapeHtml(title)}</text>${rows}</svg>`;
}

function htmlTable(header: string[], rows: string[][]): string {
  const head = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function comparisonHtml(comparison: RunComparison): string {
  const changed = changedRules(comparison.changes);
  const subjects = changed
    .flatMap((c) => [
      ...(c.newlyFlagged.length > 0 ? [`<li><b>${escapeHtml(c.ruleId)}</b> newly flagged (${c.newlyFlagged.length}): ${c.newlyFlagged.map(escapeHtml).join(', ')}</li>`] : []),
      ...(c.noLongerFlagged.length > 0 ? [`<li><b>${escapeHtml(c.ruleId)}</b> no longer flagged (${c.noLongerFlagged.length}): ${c.noLongerFlagged.map(escapeHtml).join(', ')}</li>`] : []),
    ])
    .join('\n');
  return `<h2>Against the baseline rules</h2>
<p>Baseline: ${escapeHtml(comparison.baseline)}, on the same events. ${changed.length} of ${comparison.changes.length} rules changed.</p>
${htmlTable(CHANGE_HEADER, comparison.changes.map(changeRow))}
<ul>
${subjects}
</ul>
`;
}

export function backtestHtmlReport(result: BacktestResult, meta: { title: string; inputs: string[] }, comparison?: RunComparison): string {
  const rules = [...result.rules, result.overall];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(meta.title)}</title>
<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
th{background:#f3f3f3}</style></head><body>
<h1>${escapeHtml(meta.title)}</h1>
<p>Inputs: ${meta.inputs.map(escapeHtml).join(', ')}. A subject counts once per rule; TP/FP by subject id against the labels;
recall is over every fraud-labelled entity of the run.</p>
<h2>Per rule</h2>
${htmlTable(RULE_HEADER, rules.map(ruleRow))}
${barChart('Precision per rule', rules.map((r) => ({ label: r.ruleId, value: r.precision })))}
${barChart('Recall per rule', rules.map((r) => ({ label: r.ruleId, value: r.recall })))}
<h2>Per injected pattern</h2>
<p>${escapeHtml(patternsCaughtLine(result))}.</p>
${htmlTable(PATTERN_HEADER, result.patterns.map(patternRow))}
${barChart('Recall per pattern', result.patterns.map((p) => ({ label: p.pattern, value: p.recall })))}
${comparison ? comparisonHtml(comparison) : ''}</body></html>
`;
}
