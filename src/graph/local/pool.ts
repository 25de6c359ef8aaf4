/**
 * The piscina pool behind the threads executor: one per thread count, made on first
 * use, kept for later computations, closed by {@link shutdownPools}. Idle threads do
 * not keep the process alive. When this file runs from TypeScript source (tests, tsx),
 * threads load the TypeScript entry through tsx; from the build, the compiled `.js`.
 */
import { Piscina } from "piscina";
import type { BatchRequest, BatchResponse } from "./batch.js";

const pools = new Map<number, Piscina<BatchRequest, BatchResponse>>();

function entryFile(): { filename: string; execArgv: string[] } {
  const self = import.meta.url;
  if (self.endsWith(".ts")) {
    return { filename: new URL("./worker-entry.ts", self).href, execArgv: ["--import", "tsx"] };
  }
  return { filename: new URL("./worker-entry.js", self).href, execArgv: [] };
}

/** The pool of `nthreads` threads. */
export function getPool(nthreads: number): Piscina<BatchRequest, BatchResponse> {
  let pool = pools.get(nthreads);
  if (!pool) {
    const { filename, execArgv } = entryFile();
    pool = new Piscina<BatchRequest, BatchResponse>({
      filename,
      execArgv,
      minThreads: nthreads,
      maxThreads: nthreads,
      idleTimeout: 30_000,
      // Each thread runs one batch at a time; the executor itself bounds what is queued.
      concurrentTasksPerWorker: 1,
      atomics: "disabled",
    });
    // When a batch is aborted while its thread is already posting the result, piscina
    // receives a message for a task it no longer tracks and emits "error" on the pool;
    // unhandled, that would crash the process. The computation was cancelled, so the
    // late result is simply dropped; any other pool error is reported as a warning.
    pool.on("error", (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (message.startsWith("Unexpected message from Worker")) return;
      process.emitWarning(`tusk thread pool: ${message}`, { code: "TUSK_POOL" });
    });
    pools.set(nthreads, pool);
  }
  return pool;
}

/**
 * Starts the threads of the pool of `nthreads` now, and has each import `modules`: a
 * caller that is about to build a graph (e.g. `readCSV` sniffing a file) overlaps the
 * threads' start-up (~0.3 s each, plus their op modules: Arrow alone is ~0.5 s) with its
 * own work, instead of paying for it when the computation starts. Nothing to do when
 * the pool exists already. The promise resolves when every thread is ready (callers may
 * ignore it); a failure to import shows up again, with its cause, in the computation
 * that needs it.
 * @example warmPool(4, opModulesFor([{ op: "dataframe.io.read-csv", args: [] }]));
 */
export function warmPool(nthreads: number, modules: readonly string[]): Promise<void> {
  if (pools.has(nthreads)) return Promise.resolve();
  const pool = getPool(nthreads);
  const request: BatchRequest = { modules, tasks: [], keep: new Uint8Array(0), inputs: [] };
  const runs = Array.from({ length: nthreads }, () => pool.run(request).then(() => undefined, () => undefined));
  return Promise.all(runs).then(() => undefined);
}

/** Closes every pool (e.g. at the end of a script or a notebook). */
export async function shutdownPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.destroy()));
}
