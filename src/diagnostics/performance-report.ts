/**
 * `tk.performanceReport(filename, fn)`: Dask's `with performance_report(filename=...)`.
 * While `fn` runs, every task event of every computation (sync, threads, or a cluster
 * client that reports them) is collected and this process's memory is sampled; then
 * one self-contained HTML file is written (./report-html.ts). The report is written
 * even when `fn` throws (it then says so), and the error is rethrown.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { TuskError, ValidationError } from "../errors.js";
import { addTaskEventListener, nowMs, type TaskEvent } from "../graph/task-events.js";
import { renderReport, type MemorySample, type WorkerMemory } from "./report-html.js";

/** Options of {@link performanceReport}. */
export interface PerformanceReportOptions {
  /** The page's title. Default "tusk performance report". */
  title?: string;
  /** Milliseconds between memory samples (10 to 10,000). Default 50. */
  sampleIntervalMs?: number;
  /**
   * On a cluster: the scheduler's dashboard (e.g. `cluster.dashboardUrl` and
   * `cluster.token`), polled for the workers' memory every 250 ms or so.
   */
  dashboard?: { url: string; token?: string };
}

/** Polls the dashboard's `/json` summary for each worker's memory until stopped. */
function pollDashboard(dashboard: { url: string; token?: string }, everyMs: number): { stop(): Promise<{ workers: WorkerMemory[]; error?: string }> } {
  const base = dashboard.url.endsWith("/") ? dashboard.url : `${dashboard.url}/`;
  const headers: Record<string, string> = dashboard.token ? { authorization: `Bearer ${dashboard.token}` } : {};
  const byWorker = new Map<string, WorkerMemory>();
  let error: string | undefined;
  let stopped = false;
  const poll = async (): Promise<void> => {
    try {
      const res = await fetch(new URL("json", base), { headers, signal: AbortSignal.timeout(2000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}${res.status === 401 ? " (pass dashboard.token)" : ""}`);
      const snap = await res.json() as { workers?: Array<{ id: string; rss: number; managed: number; spilled: number }> };
      const t = nowMs();
      for (const w of snap.workers ?? []) {
        let m = byWorker.get(w.id);
        if (!m) byWorker.set(w.id, (m = { worker: w.id, samples: [] }));
        m.samples.push({ t, rss: w.rss, managed: w.managed, spilled: w.spilled });
      }
      error = undefined;
    } catch (e) {
      error = (e as Error).message;
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await poll();
      if (!stopped) await new Promise((r) => setTimeout(r, everyMs).unref());
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { workers: [...byWorker.values()], ...(error !== undefined && byWorker.size === 0 ? { error } : {}) };
    },
  };
}

/**
 * Runs `fn`, recording every task it computes and this process's memory, and writes an
 * HTML report to `filename`: summary, task stream (one row per worker thread or cluster
 * worker), time per task group, and memory over time. Returns what `fn` returns; when
 * `fn` throws, the report is still written (marked failed) and the error rethrown.
 * @example
 * const total = await tk.performanceReport("report.html", async () => df.column("fare").sum().compute());
 */
export async function performanceReport<T>(filename: string, fn: () => T | Promise<T>, options: PerformanceReportOptions = {}): Promise<T> {
  if (typeof filename !== "string" || filename.length === 0) {
    throw new ValidationError(`performanceReport: filename must be a non-empty path like "report.html", got ${JSON.stringify(filename)}`);
  }
  if (typeof fn !== "function") {
    throw new ValidationError(`performanceReport: the second argument must be a function to measure, e.g. async () => df.sum().compute(); got ${typeof fn}`);
  }
  const interval = options.sampleIntervalMs ?? 50;
  if (!Number.isFinite(interval) || interval < 10 || interval > 10_000) {
    throw new ValidationError(`performanceReport: sampleIntervalMs must be between 10 and 10000, got ${interval}`);
  }
  if (options.dashboard !== undefined && (typeof options.dashboard?.url !== "string" || !/^https?:\/\//.test(options.dashboard.url))) {
    throw new ValidationError(`performanceReport: dashboard.url must be the dashboard's address, e.g. cluster.dashboardUrl; got ${JSON.stringify(options.dashboard?.url)}`);
  }
  const path = resolve(filename);
  const events: TaskEvent[] = [];
  const memory: MemorySample[] = [];
  let lastSample = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    lastSample = nowMs();
    memory.push({ t: lastSample, rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers });
  };
  const startMs = nowMs();
  sample();
  const unsubscribe = addTaskEventListener((batch) => {
    for (const e of batch) events.push(e);
    // Timers starve while the sync executor runs: sample on event batches too.
    if (nowMs() - lastSample >= interval) sample();
  });
  const timer = setInterval(sample, interval);
  timer.unref();
  const cluster = options.dashboard ? pollDashboard(options.dashboard, Math.max(250, interval)) : undefined;

  let error: unknown;
  let failed = false;
  let value: T | undefined;
  try {
    value = await fn();
  } catch (e) {
    failed = true;
    error = e;
  }
  // Let events already on their way (e.g. from a cluster) arrive.
  await new Promise((r) => setImmediate(r));
  clearInterval(timer);
  unsubscribe();
  sample();
  const workers = await cluster?.stop();
  const html = renderReport({
    title: options.title ?? "tusk performance report",
    startMs, stopMs: nowMs(), events, memory,
    ...(workers ? { workerMemory: workers.workers, ...(workers.error ? { workerMemoryError: workers.error } : {}) } : {}),
    ...(failed ? { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) } : {}),
  });
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, html);
  } catch (writeError) {
    if (failed) throw error; // the computation's error matters more than the report's
    throw new TuskError("ERR_REPORT_WRITE", `performanceReport: could not write ${path}: ${(writeError as Error).message}. Check that the folder is writable`, { cause: writeError });
  }
  if (failed) throw error;
  return value as T;
}
