/**
 * The notebook progress bar: an HTML bar in the cell that updates in place through
 * tslab's `newDisplay()` (tslab has no widget comms), at most 5 times a second, ending
 * at 100% with the elapsed time (or where it stopped, in red, on failure). It replaces
 * the terminal bar when a computation starts inside a notebook; `progress: false`
 * hides it as it does the terminal bar.
 */
import { keyPrefix } from "../graph/key.js";
import type { ProgressSink } from "../graph/progress.js";
import { escapeHTML } from "./html.js";
import { showHTML } from "./display.js";
import type { NotebookFrontEnd } from "./tslab.js";

/** Redraws at most this often (ms). */
export const PROGRESS_INTERVAL_MS = 200;

/** State of one bar, as drawn. */
export interface ProgressView {
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
  /** Task group of the last finished task. */
  readonly group?: string;
  readonly state: "running" | "finished" | "failed";
}

/**
 * The bar's HTML.
 * @example progressHTML({ done: 3, total: 12, elapsedMs: 400, state: "running" })
 */
export function progressHTML(v: ProgressView): string {
  const frac = v.total === 0 ? (v.state === "running" ? 0 : 1) : Math.min(1, v.done / v.total);
  const pct = Math.floor(frac * 100);
  const colour = v.state === "failed" ? "#d62728" : v.state === "finished" ? "#2ca02c" : "#1f77b4";
  const secs = `${(v.elapsedMs / 1000).toFixed(1)} s`;
  const label = v.state === "finished"
    ? `100% · ${v.total}/${v.total} tasks · done in ${secs}`
    : v.state === "failed"
      ? `stopped at ${v.done}/${v.total} tasks after ${secs}`
      : `${pct}% · ${v.done}/${v.total} tasks · ${secs}${v.group ? ` · ${v.group}` : ""}`;
  return `<div class="tusk-progress" data-state="${v.state}" style="display:flex;align-items:center;gap:8px;font-family:sans-serif;font-size:12px">` +
    `<div style="width:300px;height:14px;background:#e8e8e8;border-radius:3px;overflow:hidden">` +
    `<div style="width:${v.state === "finished" ? 100 : pct}%;height:100%;background:${colour}"></div></div>` +
    `<span>${escapeHTML(label)}</span></div>`;
}

/**
 * A progress sink drawing into a fresh display entry of the notebook.
 * @example setProgressDisplayFactory(() => notebookProgressSink(frontEnd))
 */
export function notebookProgressSink(frontEnd: NotebookFrontEnd, now: () => number = Date.now): ProgressSink {
  const start = now();
  const entry = frontEnd.newDisplay();
  let view: ProgressView = { done: 0, total: 0, elapsedMs: 0, state: "running" };
  let lastDraw = start;
  let live = showHTML(entry, progressHTML(view));
  const draw = (): void => {
    if (live) live = showHTML(entry, progressHTML(view));
  };
  return {
    update(done, total, key) {
      const t = now();
      view = { done, total, elapsedMs: t - start, state: "running", ...(key === undefined ? {} : { group: keyPrefix(key) }) };
      if (t - lastDraw >= PROGRESS_INTERVAL_MS) {
        lastDraw = t;
        draw();
      }
    },
    close(ok) {
      view = { ...view, elapsedMs: now() - start, state: ok ? "finished" : "failed" };
      draw();
    },
  };
}
