/**
 * Resources to release after a computation, whatever its outcome. A layer lists them
 * in its annotations (`{ cleanup: [{ op, args }] }`): plain data naming a registered op
 * and literal arguments, like a task. `compute` / `persist` run every action of the
 * graphs they were given once the scheduler is done — after success, failure or
 * cancellation — so a shuffle's staging folder never outlives its computation.
 * Actions must be idempotent (they also run when the layer was culled and never ran).
 */
import type { LayeredGraph } from "./graph.js";
import { getOp } from "./ops.js";

/** One cleanup: an op called with literal arguments. */
export interface CleanupAction {
  readonly op: string;
  readonly args: readonly unknown[];
}

/**
 * Layer annotations that ask for cleanups.
 * @example layer(name, tasks, deps, cleanupAnnotation([{ op: "my.rm-dir", args: [dir] }]))
 */
export function cleanupAnnotation(actions: readonly CleanupAction[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...extra, cleanup: actions };
}

/** The cleanups the layers of some graphs ask for, each once. */
export function cleanupActions(graphs: readonly LayeredGraph[]): CleanupAction[] {
  const out = new Map<string, CleanupAction>();
  for (const g of graphs) {
    for (const layer of g.layers.values()) {
      const list = layer.annotations?.cleanup as readonly CleanupAction[] | undefined;
      if (!Array.isArray(list)) continue;
      for (const a of list) out.set(JSON.stringify(a), a);
    }
  }
  return [...out.values()];
}

/**
 * Runs cleanups; a failing one is reported as a warning and never replaces the
 * computation's own result or error.
 */
export async function runCleanups(actions: readonly CleanupAction[]): Promise<void> {
  for (const a of actions) {
    try {
      await getOp(a.op).fn(...a.args);
    } catch (error) {
      process.emitWarning(`tusk: cleanup ${a.op} failed: ${String(error)}`, { code: "TUSK_CLEANUP" });
    }
  }
}
