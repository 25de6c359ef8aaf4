/**
 * Progress: a bar on a terminal (stderr, redrawn in place at most 10 times a second,
 * shown only once a computation has run {@link PROGRESS_DELAY_MS} — short ones stay
 * quiet, as with Dask's `ProgressBar(minimum=...)` — and silent when stderr is not a TTY
 * or `progress: false`), and the user's callback. The
 * notebook bar (issue "Seeing the work") plugs in through the same callback.
 */
import type { ProgressCallback, ProgressEvent } from "./scheduler.js";

/** What an executor calls as tasks finish. */
export interface ProgressSink {
  update(done: number, total: number, key?: string): void;
  close(ok: boolean): void;
}

const WIDTH = 30;
/** The terminal bar appears once a computation has run this long. */
export const PROGRESS_DELAY_MS = 500;

/** Makes another view of progress in place of the terminal bar (the notebook's, installed by src/notebook). */
export type ProgressDisplayFactory = () => ProgressSink | undefined;
let displayFactory: ProgressDisplayFactory | undefined;

/** Installs (or with `undefined` removes) the view used instead of the terminal bar. */
export function setProgressDisplayFactory(factory: ProgressDisplayFactory | undefined): void {
  displayFactory = factory;
}

/** Makes the sink for one computation; returns undefined when nobody listens. */
export function progressSink(options: { bar: boolean; callback?: ProgressCallback; stream?: NodeJS.WriteStream; delayMs?: number }): ProgressSink | undefined {
  const view = options.bar ? displayFactory?.() : undefined;
  if (view) {
    const rest = progressSink({ ...options, bar: false });
    return { update: (d, t, k) => { view.update(d, t, k); rest?.update(d, t, k); }, close: (ok) => { view.close(ok); rest?.close(ok); } };
  }
  const stream = options.stream ?? process.stderr;
  const bar = options.bar && Boolean(stream.isTTY);
  const callback = options.callback;
  if (!bar && !callback) return undefined;
  const start = Date.now();
  const delay = options.delayMs ?? PROGRESS_DELAY_MS;
  let lastDraw = 0;
  let drawn = false;
  let last: ProgressEvent = { done: 0, total: 0, elapsedMs: 0 };
  let scheduled = false;
  // While tasks run longer than a redraw interval, the clock still moves (threads and
  // cluster; the sync executor holds the thread, so its bar moves as tasks finish).
  const timer = bar ? setInterval(() => {
    const now = Date.now();
    if (last.total === 0 || now - start < delay || now - lastDraw < 100) return;
    lastDraw = now;
    last = { ...last, elapsedMs: now - start };
    draw(false);
  }, 100) : undefined;
  timer?.unref();

  const draw = (final: boolean): void => {
    const frac = last.total === 0 ? 1 : last.done / last.total;
    const filled = Math.round(frac * WIDTH);
    const line = `[${"#".repeat(filled)}${" ".repeat(WIDTH - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ` +
      `${last.done}/${last.total} tasks ${(last.elapsedMs / 1000).toFixed(1)}s`;
    stream.write(`\r${line}${final ? "\n" : ""}`);
    drawn = true;
  };
  const flush = (): void => {
    scheduled = false;
    if (callback) callback(last);
  };

  return {
    update(done, total, key) {
      const now = Date.now();
      last = key === undefined ? { done, total, elapsedMs: now - start } : { done, total, elapsedMs: now - start, key: key as never };
      if (callback && !scheduled) {
        scheduled = true;
        queueMicrotask(flush); // never synchronously from inside the executor
      }
      if (bar && now - start >= delay && (now - lastDraw > 100 || done === total)) {
        lastDraw = now;
        draw(false);
      }
    },
    close(ok) {
      if (timer) clearInterval(timer);
      if (bar && (drawn || Date.now() - start >= delay)) {
        if (ok) last = { ...last, done: last.total, elapsedMs: Date.now() - start };
        draw(true);
      }
    },
  };
}
