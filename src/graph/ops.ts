/**
 * The op registry. Functions cannot cross a thread or socket boundary, so every task
 * names an op defined here. Built-in ops are defined when their module is imported;
 * a module that defines ops registers its own URL with {@link registerOpModule} so that
 * every executor (worker threads, cluster workers) imports it before running tasks.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { GraphError } from "../errors.js";

/** What an op receives besides its arguments. */
export interface OpContext {
  /** The key of the task being computed. */
  readonly key: string;
  /** Aborted when the computation is cancelled. */
  readonly signal?: AbortSignal;
}

/** An op: resolved arguments in, a value (or a promise of one) out. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OpFn = (...args: any[]) => unknown;

interface OpEntry {
  readonly fn: OpFn;
  readonly withContext: boolean;
}

const registry = new Map<string, OpEntry>();
const modules = new Set<string>();

/**
 * Defines an op. Defining the same name twice with a different function is an error,
 * so two modules cannot silently replace each other's kernels.
 * @example defineOp("array.add", (a, b) => addChunks(a, b));
 */
export function defineOp(name: string, fn: OpFn, options: { withContext?: boolean } = {}): void {
  const existing = registry.get(name);
  if (existing && existing.fn !== fn && existing.fn.toString() !== fn.toString()) {
    throw new GraphError("ERR_OP_REDEFINED", `Op ${name} is already defined by another function; pick another name`);
  }
  registry.set(name, { fn, withContext: options.withContext ?? false });
}

/** Looks an op up; the error lists what to do when it is missing. */
export function getOp(name: string): OpEntry {
  const entry = registry.get(name);
  if (!entry) {
    throw new GraphError(
      "ERR_UNKNOWN_OP",
      `Unknown op ${name}. Ops must be defined in a module registered with tk.ops.register(new URL("./my-ops.js", import.meta.url)) ` +
        `so that every worker imports it (registered modules: ${[...modules].join(", ") || "none"})`,
    );
  }
  return entry;
}

/** True when `name` is defined in this thread. */
export function hasOp(name: string): boolean {
  return registry.has(name);
}

/** Registers a module (file URL) that defines ops; workers import it before running tasks. */
export function registerOpModule(url: string | URL): void {
  modules.add(typeof url === "string" ? url : url.href);
}

/** Modules registered so far, in registration order. */
export function opModules(): string[] {
  return [...modules];
}

const imported = new Map<string, Promise<unknown>>();

/** Imports the given op modules once each (in a worker or in the caller). */
export async function importOpModules(urls: Iterable<string>): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (const url of urls) {
    let p = imported.get(url);
    if (!p) {
      p = import(url).catch((error: unknown) => requireTypeScript(url, error));
      imported.set(url, p);
      modules.add(url);
    }
    pending.push(p);
  }
  await Promise.all(pending);
}

/**
 * Worker threads started with `--import tsx` on Node 20 get tsx's CommonJS hook but not
 * its ESM hook, so `import()` of a `.ts` op module fails there with
 * ERR_UNKNOWN_FILE_EXTENSION (the worker entry itself was loaded through the CommonJS
 * hook). Loading the module through `require` keeps it in the same module instances as
 * the worker entry (one op registry). Compiled `.js` modules never take this path.
 */
function requireTypeScript(url: string, error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== "ERR_UNKNOWN_FILE_EXTENSION" || !/\.[cm]?ts$/.test(url) || !url.startsWith("file:")) throw error;
  return createRequire(import.meta.url)(fileURLToPath(url));
}
