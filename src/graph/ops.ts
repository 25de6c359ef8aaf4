/**
 * The op registry. Functions cannot cross a thread or socket boundary, so every task
 * names an op defined here. Built-in ops are defined when their module is imported;
 * a module that defines ops registers its own URL with {@link registerOpModule} so that
 * every executor (worker threads, cluster workers) imports it before running tasks.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { GraphError } from "../errors.js";
import type { Arg, Call } from "./task.js";

/** What an op receives besides its arguments. */
export interface OpContext {
  /** The key of the task being computed. */
  readonly key: string;
  /** Aborted when the computation is cancelled. */
  readonly signal?: AbortSignal;
  /** Scratch files shared between workers; only on a cluster worker (absent locally). */
  readonly scratch?: ScratchService;
}

/** A byte range of a file in a scratch space. */
export interface ScratchRange {
  readonly name: string;
  readonly offset: number;
  readonly length: number;
}

/**
 * Files a task leaves on its cluster worker for later tasks to read, from any worker
 * (a shuffle's buckets). A scratch space is named by the key that owns it: every worker
 * deletes its files of that space when the owner key is released, and a worker's loss
 * makes the scheduler recompute the owner (so readers never see half of one).
 */
export interface ScratchService {
  /** Where peers reach this worker (put it in what you return, for readers). */
  readonly address: string;
  /** This worker's folder of scratch space `owner` (made on first use). */
  dir(owner: string): string;
  /**
   * Bytes of files of scratch space `owner` on the worker at `address` (this one: read
   * from disk). Rejects when that worker or its files are gone; the task is then
   * re-run once the owner has been recomputed, instead of failing.
   */
  read(address: string, owner: string, ranges: readonly ScratchRange[]): Promise<Uint8Array[]>;
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
/** The file whose top level defined each op in this thread (undefined: not known). */
const definedIn = new Map<string, string | undefined>();

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
  if (!existing) definedIn.set(name, callerFile());
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
  const href = typeof url === "string" ? url : url.href;
  modules.add(href);
}

/** Modules registered so far, in registration order. */
export function opModules(): string[] {
  return [...modules];
}

/** A file name or file URL as a path (what a stack frame and `import.meta.url` agree on). */
function filePath(name: string): string {
  const bare = name.replace(/[?#].*$/, "");
  if (!bare.startsWith("file:")) return bare;
  try {
    return fileURLToPath(bare);
  } catch {
    return bare;
  }
}

/**
 * The file of the code that called `defineOp`, from a raw stack frame (not source-mapped:
 * the file that runs, as its module registers itself). Undefined when not known.
 */
function callerFile(): string | undefined {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 1;
    Error.prepareStackTrace = (_error, sites) => sites;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, defineOp);
    const site = (holder.stack as NodeJS.CallSite[] | undefined)?.[0];
    const name = site?.getFileName() ?? site?.getScriptNameOrSourceURL();
    return name ? filePath(name) : undefined;
  } catch {
    return undefined;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

/**
 * The registered modules a thread must import to run `tasks`, in registration order:
 * those that defined the tasks' ops in this thread, and every registered module that
 * defined none here (e.g. a user module that only workers import). Everything when
 * that is not known: an op not defined in this thread, or defined outside a registered
 * module, or a persisted value (its codec may live in any module). Ops named `tusk.*`
 * are built into every executor. So a worker thread imports only what the graph uses:
 * a CSV groupby never loads the array modules, nor the DataFrame API that concat's
 * module imports.
 */
export function opModulesFor(tasks: Iterable<Call>): string[] {
  const byPath = new Map<string, string>();
  for (const m of modules) byPath.set(filePath(m), m);
  const defining = new Set<string>();
  for (const file of definedIn.values()) {
    const m = file === undefined ? undefined : byPath.get(file);
    if (m !== undefined) defining.add(m);
  }
  const needed = new Set<string>();
  const seen = new Set<string>();
  let all = false;
  const visit = (op: string): void => {
    if (seen.has(op)) return;
    seen.add(op);
    if (op.startsWith("tusk.")) {
      if (op === "tusk.persisted") all = true;
      return;
    }
    const file = definedIn.get(op);
    const m = file === undefined ? undefined : byPath.get(file);
    if (m === undefined) all = true;
    else needed.add(m);
  };
  const walk = (args: readonly Arg[]): void => {
    for (const a of args) {
      if ("call" in a) { visit(a.call.op); walk(a.call.args); }
      else if ("list" in a) walk(a.list);
    }
  };
  for (const t of tasks) {
    visit(t.op);
    walk(t.args);
    if (all) return opModules();
  }
  return [...modules].filter((m) => needed.has(m) || !defining.has(m));
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
