/**
 * Global configuration (Dask's `dask.config.set`). Every option can also be given to
 * one `compute` call, which wins over the config.
 */
import { availableParallelism, tmpdir } from "node:os";
import { ValidationError } from "../errors.js";
import type { ComputeScheduler, SchedulerName } from "./scheduler.js";
import { parseBytes } from "./sizes.js";

/** Settings shared by every computation. */
export interface TuskConfig {
  /** "threads" (default), "sync", or a connected `Client`. */
  scheduler: SchedulerName | ComputeScheduler;
  /** Worker threads of the local pool (default: available cores). */
  nthreads: number;
  /** Results held in memory before spilling to disk (bytes, or "2GB"); undefined = no limit. */
  memoryLimit: number | undefined;
  /** Where spill files go (a fresh folder inside it per computation). */
  localDirectory: string;
  /** Show a progress bar on a terminal. */
  progress: boolean;
}

/** What `config.set` accepts. */
export type ConfigInput = Partial<Omit<TuskConfig, "memoryLimit">> & { memoryLimit?: number | string | null };

const defaults = (): TuskConfig => ({
  scheduler: "threads",
  nthreads: availableParallelism(),
  memoryLimit: undefined,
  localDirectory: tmpdir(),
  progress: true,
});

let current: TuskConfig = defaults();

/** Checks and normalizes config input (also used for per-compute options). */
export function normalizeConfig(input: ConfigInput): Partial<TuskConfig> {
  const out: Partial<TuskConfig> = {};
  if (input.scheduler !== undefined) {
    const s = input.scheduler;
    if (s !== "sync" && s !== "threads" && (typeof s !== "object" || s === null || typeof (s as ComputeScheduler).run !== "function")) {
      throw new ValidationError(`scheduler must be "sync", "threads" or a connected Client, got ${JSON.stringify(s)}`);
    }
    out.scheduler = s;
  }
  if (input.nthreads !== undefined) {
    if (!Number.isInteger(input.nthreads) || input.nthreads < 1) {
      throw new ValidationError(`nthreads must be a positive integer, got ${input.nthreads}`);
    }
    out.nthreads = input.nthreads;
  }
  if (input.memoryLimit !== undefined) {
    out.memoryLimit = input.memoryLimit === null ? undefined : parseBytes(input.memoryLimit, "memoryLimit");
  }
  if (input.localDirectory !== undefined) out.localDirectory = input.localDirectory;
  if (input.progress !== undefined) out.progress = Boolean(input.progress);
  return out;
}

/**
 * Global settings.
 * @example tk.config.set({ scheduler: "threads", nthreads: 2, memoryLimit: "2GB" });
 */
export const config = {
  /** Changes settings; returns the previous values of the ones changed (to restore them). */
  set(input: ConfigInput): ConfigInput {
    const next = normalizeConfig(input);
    const previous: ConfigInput = {};
    for (const k of Object.keys(next) as (keyof TuskConfig)[]) (previous as Record<string, unknown>)[k] = current[k] ?? null;
    current = { ...current, ...next };
    return previous;
  },
  /** The current settings. */
  get(): Readonly<TuskConfig> {
    return current;
  },
  /** Back to the defaults. */
  reset(): void {
    current = defaults();
  },
};
