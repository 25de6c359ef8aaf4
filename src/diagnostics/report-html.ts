/**
 * The HTML of a performance report: one self-contained page (inline CSS, SVG and a few
 * lines of script; no external resources) with a summary, the task stream (one row per
 * worker or thread, a rectangle per task colored by group, hover for details), time per
 * task group, and memory over time. See ./performance-report.ts for how data is gathered.
 */
import { formatBytes } from "../graph/sizes.js";
import type { TaskEvent } from "../graph/task-events.js";
import { colorMap, escapeXML, formatMs, ticks } from "./html.js";

/** Memory of this process at one moment (epoch ms, bytes). */
export interface MemorySample {
  readonly t: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly arrayBuffers: number;
}

/** A cluster worker's memory over time (from the scheduler's dashboard). */
export interface WorkerMemory {
  readonly worker: string;
  readonly samples: Array<{ readonly t: number; readonly rss: number; readonly managed: number; readonly spilled: number }>;
}

/** Everything a report shows. */
export interface ReportData {
  readonly title: string;
  /** The report's window, epoch milliseconds. */
  readonly startMs: number;
  readonly stopMs: number;
  readonly events: readonly TaskEvent[];
  readonly memory: readonly MemorySample[];
  /** Set when the measured code threw. */
  readonly error?: string;
  /** Cluster workers' memory, when a dashboard was polled. */
  readonly workerMemory?: readonly WorkerMemory[];
  /** Why the dashboard gave nothing, if it did not. */
  readonly workerMemoryError?: string;
}

/** Per-group figures of a report. */
export interface GroupStats {
  readonly group: string;
  readonly count: number;
  readonly errors: number;
  readonly totalMs: number;
  readonly maxMs: number;
  readonly nbytes: number;
}

/** Task count, errors, time and output bytes of each group, most time first. */
export function groupStats(events: readonly TaskEvent[]): GroupStats[] {
  const by = new Map<string, { count: number; errors: number; totalMs: number; maxMs: number; nbytes: number }>();
  for (const e of events) {
    let s = by.get(e.group);
    if (!s) by.set(e.group, (s = { count: 0, errors: 0, totalMs: 0, maxMs: 0, nbytes: 0 }));
    const ms = e.stopMs - e.startMs;
    s.count++;
    if (e.status === "error") s.errors++;
    s.totalMs += ms;
    s.maxMs = Math.max(s.maxMs, ms);
    s.nbytes += e.nbytes ?? 0;
  }
  return [...by].map(([group, s]) => ({ group, ...s })).sort((a, b) => b.totalMs - a.totalMs || a.group.localeCompare(b.group));
}

/** Workers in display order: "main", then threads by number, then cluster workers by name. */
export function workerOrder(events: readonly TaskEvent[]): string[] {
  const rank = (w: string): [number, number, string] => {
    if (w === "main") return [0, 0, w];
    const m = /^thread-(\d+)$/.exec(w);
    return m ? [1, Number(m[1]), w] : [2, 0, w];
  };
  return [...new Set(events.map((e) => e.worker))].sort((a, b) => {
    const [ra, na, sa] = rank(a), [rb, nb, sb] = rank(b);
    return ra - rb || na - nb || sa.localeCompare(sb);
  });
}

/** "sync", "threads" or "cluster", from where tasks ran. */
export function schedulerOf(workers: readonly string[]): string {
  if (workers.length === 0) return "none (no tasks ran)";
  if (workers.every((w) => w === "main")) return "sync (the calling thread)";
  if (workers.every((w) => /^thread-\d+$/.test(w))) return `threads (${workers.length} worker thread${workers.length === 1 ? "" : "s"})`;
  return `cluster (${workers.length} worker${workers.length === 1 ? "" : "s"})`;
}

const WIDTH = 1000;
const LABEL = 110;
const ROW = 18;

/** The full page. */
export function renderReport(data: ReportData): string {
  const span = Math.max(1e-3, data.stopMs - data.startMs);
  const groups = groupStats(data.events);
  const colors = colorMap(groups.map((g) => g.group));
  const groupIndex = new Map(groups.map((g, i) => [g.group, i]));
  const workers = workerOrder(data.events);
  const x = (t: number): number => LABEL + ((t - data.startMs) / span) * (WIDTH - LABEL - 10);
  const taskMs = groups.reduce((s, g) => s + g.totalMs, 0);
  const errors = groups.reduce((s, g) => s + g.errors, 0);
  const peak = (f: (m: MemorySample) => number): number => data.memory.reduce((m, s) => Math.max(m, f(s)), 0);

  const summaryRows: Array<[string, string]> = [
    ["Status", data.error ? `failed: ${data.error}` : "completed"],
    ["Duration", formatMs(span)],
    ["Tasks", `${data.events.length.toLocaleString("en-US")}${errors ? ` (${errors} failed)` : ""} in ${groups.length} group${groups.length === 1 ? "" : "s"}`],
    ["Task time", `${formatMs(taskMs)} (${(taskMs / span).toFixed(2)} busy workers on average)`],
    ["Scheduler", schedulerOf(workers)],
    ["Workers", workers.length <= 12 ? workers.join(", ") || "none" : `${workers.length} (${workers.slice(0, 6).join(", ")}, …)`],
    ["Peak memory (this process)", data.memory.length ? `rss ${formatBytes(peak((m) => m.rss))}, JS heap ${formatBytes(peak((m) => m.heapUsed))}, array buffers ${formatBytes(peak((m) => m.arrayBuffers))}` : "not sampled"],
    ["Started", new Date(data.startMs).toISOString()],
  ];
  const summary = `<table class="summary">${summaryRows.map(([k, v]) => `<tr><th>${escapeXML(k)}</th><td>${escapeXML(v)}</td></tr>`).join("")}</table>`;

  const json = JSON.stringify({
    title: data.title, startMs: data.startMs, durationMs: span, tasks: data.events.length, errors,
    scheduler: schedulerOf(workers), workers, error: data.error ?? null, workerMemory: (data.workerMemory ?? []).map((w) => w.worker),
    groups: groups.map((g) => ({ group: g.group, count: g.count, errors: g.errors, totalMs: g.totalMs, maxMs: g.maxMs, nbytes: g.nbytes })),
  }).replace(/</g, "\\u003c");

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXML(data.title)}</title>
<style>${CSS}</style></head>
<body>
<h1>${escapeXML(data.title)}</h1>
<section id="summary"><h2>Summary</h2>${summary}</section>
<section id="task-stream"><h2>Task stream</h2><p class="note">One row per ${workers.some((w) => w.startsWith("thread-")) ? "worker thread" : "worker"}; hover a block for the task, click a group below to highlight it.</p>
${taskStream(data, workers, colors, groupIndex, x, span)}
${legend(groups, colors)}</section>
<section id="groups"><h2>Time per task group</h2>${groupTable(groups, colors, taskMs)}</section>
<section id="memory"><h2>Memory over time (this process)</h2>${memoryChart(data, x, span)}</section>
${data.workerMemory || data.workerMemoryError ? `<section id="worker-memory"><h2>Memory of the cluster's workers</h2>${workerMemoryChart(data, x, span)}</section>` : ""}
<script type="application/json" id="tusk-report-data">${json}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}

function axis(x: (t: number) => number, startMs: number, span: number, y: number): string {
  const unit = span >= 2000 ? 1000 : 1;
  const label = (v: number): string => (unit === 1000 ? `${v} s` : `${v} ms`);
  return ticks(span / unit, 8).map((v) => {
    const px = x(startMs + v * unit).toFixed(1);
    return `<line x1="${px}" x2="${px}" y1="0" y2="${y}" class="grid"/><text x="${px}" y="${y + 12}" class="tick">${label(v)}</text>`;
  }).join("");
}

interface Block { x0: number; x1: number; n: number; ms: number; first: TaskEvent; error: boolean; groups: Map<string, { n: number; ms: number }> }

/** The group with the most time in a block. */
function dominant(block: Block): string {
  let best = block.first.group, ms = -1;
  for (const [g, s] of block.groups) if (s.ms > ms) { best = g; ms = s.ms; }
  return best;
}

function taskStream(data: ReportData, workers: readonly string[], colors: Map<string, string>, groupIndex: Map<string, number>,
  x: (t: number) => number, span: number): string {
  const rowOf = new Map(workers.map((w, i) => [w, i]));
  const rows: TaskEvent[][] = workers.map(() => []);
  for (const e of data.events) rows[rowOf.get(e.worker)!]!.push(e);
  const height = Math.max(1, workers.length) * ROW;
  const parts: string[] = [axis(x, data.startMs, span, height)];
  rows.forEach((events, r) => {
    events.sort((a, b) => a.startMs - b.startMs);
    const y = r * ROW + 2;
    parts.push(`<text x="${LABEL - 6}" y="${y + 11}" class="row">${escapeXML(workers[r])}</text>`);
    // Tasks narrower than a pixel that fall within one pixel become one block, colored
    // by the group with most time in it: a report of a million tasks stays a few
    // thousand rectangles.
    let cur: Block | undefined;
    const flush = (): void => {
      if (!cur) return;
      const w = Math.max(0.5, cur.x1 - cur.x0);
      const group = dominant(cur);
      const title = cur.n === 1
        ? `${cur.first.key}\n${group} · ${formatMs(cur.ms)}${cur.first.nbytes !== undefined ? ` · ${formatBytes(cur.first.nbytes)}` : ""}${cur.error ? " · FAILED" : ""}`
        : `${cur.n} tasks (${[...cur.groups].map(([g, s]) => `${g} ×${s.n}`).join(", ")}) · ${formatMs(cur.ms)} in all${cur.error ? " · some FAILED" : ""}`;
      parts.push(`<rect x="${cur.x0.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${ROW - 4}" fill="${colors.get(group)}" ` +
        `class="g${groupIndex.get(group)}${cur.error ? " err" : ""}"><title>${escapeXML(title)}</title></rect>`);
      cur = undefined;
    };
    for (const e of events) {
      const x0 = x(e.startMs), x1 = x(e.stopMs);
      const ms = e.stopMs - e.startMs;
      if (cur && x1 - x0 < 1 && x1 <= cur.x0 + 1 && x0 - cur.x1 < 0.5) {
        cur.x1 = Math.max(cur.x1, x1);
        cur.n++;
        cur.ms += ms;
        cur.error ||= e.status === "error";
        const g = cur.groups.get(e.group);
        if (g) { g.n++; g.ms += ms; } else cur.groups.set(e.group, { n: 1, ms });
        continue;
      }
      flush();
      cur = { x0, x1, n: 1, ms, first: e, error: e.status === "error", groups: new Map([[e.group, { n: 1, ms }]]) };
    }
    flush();
  });
  if (workers.length === 0) parts.push(`<text x="${LABEL}" y="12" class="row" text-anchor="start">no tasks ran</text>`);
  return `<svg id="stream" viewBox="0 0 ${WIDTH} ${height + 18}" width="100%" role="img" aria-label="task stream">${parts.join("")}</svg>`;
}

function legend(groups: readonly GroupStats[], colors: Map<string, string>): string {
  return `<div class="legend">${groups.map((g) => `<span><i style="background:${colors.get(g.group)}"></i>${escapeXML(g.group)}</span>`).join("")}</div>`;
}

function groupTable(groups: readonly GroupStats[], colors: Map<string, string>, taskMs: number): string {
  const rows = groups.map((g, i) => {
    const share = taskMs > 0 ? g.totalMs / taskMs : 0;
    return `<tr data-group="${escapeXML(g.group)}" data-count="${g.count}" data-group-index="${i}">` +
      `<th><i style="background:${colors.get(g.group)}"></i>${escapeXML(g.group)}</th><td>${g.count.toLocaleString("en-US")}</td>` +
      `<td>${g.errors || ""}</td><td>${formatMs(g.totalMs)}</td><td>${formatMs(g.totalMs / g.count)}</td><td>${formatMs(g.maxMs)}</td>` +
      `<td>${g.nbytes ? formatBytes(g.nbytes) : ""}</td>` +
      `<td class="share"><span style="width:${(share * 120).toFixed(1)}px;background:${colors.get(g.group)}"></span>${(share * 100).toFixed(1)}%</td></tr>`;
  }).join("");
  return `<table class="groups"><thead><tr><th>group</th><th>tasks</th><th>failed</th><th>total time</th><th>mean</th><th>max</th><th>output</th><th>share of task time</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const SERIES = [
  { name: "rss", color: "#4e79a7", get: (m: MemorySample) => m.rss },
  { name: "JS heap used (main thread)", color: "#e15759", get: (m: MemorySample) => m.heapUsed },
  { name: "array buffers", color: "#59a14f", get: (m: MemorySample) => m.arrayBuffers },
] as const;

function memoryChart(data: ReportData, x: (t: number) => number, span: number): string {
  if (data.memory.length === 0) return `<p class="note">No memory samples.</p>`;
  return lineChart(SERIES.map((s) => ({ name: s.name, color: s.color, points: data.memory.map((m) => [m.t, s.get(m)] as const) })), data, x, span) +
    `<div class="legend">${SERIES.map((s) => `<span><i style="background:${s.color}"></i>${s.name}</span>`).join("")}<span>${data.memory.length} samples</span></div>`;
}

function workerMemoryChart(data: ReportData, x: (t: number) => number, span: number): string {
  const workers = data.workerMemory ?? [];
  if (workers.length === 0) return `<p class="note">The dashboard gave no worker memory${data.workerMemoryError ? `: ${escapeXML(data.workerMemoryError)}` : ""}.</p>`;
  const colors = colorMap(workers.map((w) => w.worker));
  const series = workers.map((w) => ({ name: `${w.worker} rss`, color: colors.get(w.worker)!, points: w.samples.map((m) => [m.t, m.rss] as const) }));
  const peak = (w: WorkerMemory, f: (m: WorkerMemory["samples"][number]) => number): number => w.samples.reduce((a, m) => Math.max(a, f(m)), 0);
  return lineChart(series, data, x, span) + `<div class="legend">${workers.map((w) => `<span><i style="background:${colors.get(w.worker)}"></i>` +
    `${escapeXML(w.worker)}: peak rss ${formatBytes(peak(w, (m) => m.rss))}, results ${formatBytes(peak(w, (m) => m.managed))}, spilled ${formatBytes(peak(w, (m) => m.spilled))}</span>`).join("")}</div>`;
}

interface Line { readonly name: string; readonly color: string; readonly points: ReadonlyArray<readonly [number, number]> }

/** Lines of bytes over the report's time axis, in MiB. */
function lineChart(lines: readonly Line[], data: ReportData, x: (t: number) => number, span: number): string {
  const H = 160;
  const max = Math.max(1, ...lines.flatMap((l) => l.points.map((p) => p[1])));
  const unit = 2 ** 20;
  const yTicks = ticks(max / unit, 4);
  const top = Math.max(max / unit, yTicks[yTicks.length - 1]!);
  const y = (bytes: number): number => H - (bytes / unit / top) * (H - 6);
  const parts: string[] = [axis(x, data.startMs, span, H)];
  for (const v of yTicks) {
    const py = y(v * unit).toFixed(1);
    parts.push(`<line x1="${LABEL}" x2="${WIDTH - 10}" y1="${py}" y2="${py}" class="grid"/><text x="${LABEL - 6}" y="${py}" class="row">${v} MiB</text>`);
  }
  for (const l of lines) {
    const pts = l.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    parts.push(`<polyline points="${pts}" fill="none" stroke="${l.color}" stroke-width="1.5"><title>${escapeXML(l.name)}</title></polyline>`);
  }
  return `<svg viewBox="0 0 ${WIDTH} ${H + 18}" width="100%" role="img" aria-label="memory over time">${parts.join("")}</svg>`;
}

const CSS = `body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
table{border-collapse:collapse}th,td{padding:3px 10px;text-align:left;border-bottom:1px solid #eee}
table.groups td{text-align:right;font-variant-numeric:tabular-nums}table.groups tbody tr{cursor:pointer}
table.groups tr.sel{background:#fff4d6}td.share{white-space:nowrap;text-align:left!important}
td.share span{display:inline-block;height:10px;margin-right:6px;vertical-align:middle}
i{display:inline-block;width:10px;height:10px;margin-right:5px;vertical-align:middle}
.legend span{margin-right:14px;font-size:12px;white-space:nowrap}.note{color:#666;font-size:12px}
svg text{font-size:10px;fill:#555}svg text.row{text-anchor:end;dominant-baseline:middle}svg text.tick{text-anchor:middle}
svg .grid{stroke:#eee}rect.err{stroke:#c00;stroke-width:1.5}body.focus #stream rect:not(.sel){opacity:.12}`;

const SCRIPT = `document.querySelectorAll("tr[data-group-index]").forEach(function(tr){tr.addEventListener("click",function(){
var on=!tr.classList.contains("sel");document.querySelectorAll(".sel").forEach(function(e){e.classList.remove("sel")});
document.body.classList.toggle("focus",on);if(on){tr.classList.add("sel");
document.querySelectorAll("#stream .g"+tr.getAttribute("data-group-index")).forEach(function(r){r.classList.add("sel")})}})});`;
