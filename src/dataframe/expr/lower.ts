/**
 * Optimization and lowering of frame expressions to task graphs.
 *
 * 1. **Projection pushdown.** Lowering walks down with the set of columns the result
 *    needs; every row-wise stage adds the columns its expressions read and drops the
 *    outputs nobody reads; a source is asked for exactly the columns left
 *    (`SourceExpr.lower(columns)`), so a column never used is never materialized.
 * 2. **Fusion of row-wise steps.** A chain of row-wise stages (filters, column
 *    selections and element-wise expressions, also Series from the same frame combined)
 *    lowers to ONE task per partition whose op ("dataframe.pipeline") runs the stages
 *    in order on typed arrays. The generic linear fusion of the graph core then also
 *    folds the read task into it, so `read → filter → assign` is one task.
 */
import { LayeredGraph, layer } from "../../graph/graph.js";
import { keyName, makeKey, makeName, tokenize, type Key } from "../../graph/key.js";
import { lit, list, ref, task, type Task } from "../../graph/task.js";
import type { FrameMeta } from "../meta.js";
import { columnsOf, externalsOf, type ColExpr } from "./column.js";
import { exprToken, zipName, type FrameExpr, type Stage } from "./frame-expr.js";

/** A lowered frame: its graph, one key per partition, and the meta of each partition. */
export interface Lowered {
  readonly graph: LayeredGraph;
  readonly keys: Key[];
  readonly meta: FrameMeta;
  /** Layers whose keys are `keys` (for `dependsOn`). */
  readonly layers: readonly string[];
}

/** A pipeline stage as it travels in a task. */
export type ProgramStage =
  | { readonly s: "filter"; readonly mask: ColExpr; readonly keep: readonly string[] }
  | { readonly s: "select"; readonly cols: ReadonlyArray<readonly [string, ColExpr]> };

/** What one "dataframe.pipeline" task runs. */
export interface Program {
  /** Number of input partitions; with more than one, column c of input k is `zipName(k, c)`. */
  readonly inputs: number;
  readonly stages: readonly ProgramStage[];
  /** Output meta (names and dtypes, in order). */
  readonly meta: FrameMeta;
  /** Keys of the lazy scalars the expressions read, in the order of the task's third argument. */
  readonly externals?: readonly string[];
}

function restrict(meta: FrameMeta, columns: ReadonlySet<string>): FrameMeta {
  return { columns: meta.columns.filter((c) => columns.has(c.name)) };
}

/**
 * Lowers `e` with only `columns` (default: all) in its output partitions.
 * @example const { graph, keys } = lowerFrame(df.expr, ["fare"]);
 */
export function lowerFrame(e: FrameExpr, columns?: readonly string[], cache: Map<string, Lowered> = new Map()): Lowered {
  const wanted = columns ?? e.meta.columns.map((c) => c.name);
  const cacheKey = `${exprToken(e)}|${tokenize(wanted)}`;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  const out = lowerUncached(e, wanted, cache);
  cache.set(cacheKey, out);
  return out;
}

function lowerUncached(e: FrameExpr, wanted: readonly string[], cache: Map<string, Lowered>): Lowered {
  switch (e.kind) {
    case "source": {
      const meta = restrict(e.meta, new Set(wanted));
      const names = meta.columns.map((c) => c.name);
      const { tasks, keys } = e.lower(names);
      const layerName = keys.length > 0 ? keyName(keys[0]!) : makeName(e.name, exprToken(e), names);
      return { graph: new LayeredGraph([layer(layerName, tasks, [], { kind: e.name, columns: names })]), keys: [...keys], meta, layers: [layerName] };
    }
    case "graph":
      return { graph: e.graph, keys: [...e.keys], meta: e.meta, layers: [...new Set(e.keys.map(keyName))] };
    case "blockwise": {
      const input = lowerFrame(e.input, undefined, cache);
      const name = makeName(e.label, exprToken(e));
      const tasks: Task[] = input.keys.map((k, i) => task(
        makeKey(name, i), e.op, ref(k), ...e.args.map(lit), ...(e.perPartition ? [lit(e.perPartition[i])] : []),
      ));
      return { graph: LayeredGraph.from(layer(name, tasks, input.layers), input.graph), keys: tasks.map((t) => t.key), meta: e.meta, layers: [name] };
    }
    case "rowwise": case "zip":
      return lowerPipeline(e, wanted, cache);
  }
}

function lowerPipeline(e: FrameExpr, wanted: readonly string[], cache: Map<string, Lowered>): Lowered {
  const stages: Stage[] = [];
  let node = e;
  let label = "rowwise";
  while (node.kind === "rowwise") {
    if (stages.length === 0) label = node.label;
    stages.unshift(node.stage);
    node = node.input;
  }
  const leaf = node;
  // Walk back from the output: what each stage must produce and what it reads.
  let needed = new Set(wanted);
  const program: ProgramStage[] = [];
  for (let i = stages.length - 1; i >= 0; i--) {
    const st = stages[i]!;
    if (st.s === "select") {
      const cols = st.cols.filter(([n]) => needed.has(n));
      needed = new Set();
      for (const [, ex] of cols) columnsOf(ex, needed);
      program.unshift({ s: "select", cols });
    } else {
      const keep = [...needed];
      columnsOf(st.mask, needed);
      program.unshift({ s: "filter", mask: st.mask, keep });
    }
  }
  const inputs: Lowered[] = [];
  if (leaf.kind === "zip") {
    leaf.inputs.forEach((input, k) => {
      const cols = input.meta.columns.map((c) => c.name).filter((n) => needed.has(zipName(k, n)));
      inputs.push(lowerFrame(input, cols, cache));
    });
  } else {
    const cols = leaf.meta.columns.map((c) => c.name).filter((n) => needed.has(n));
    if (stages.length === 0) return lowerFrame(leaf, cols, cache);
    inputs.push(lowerFrame(leaf, cols, cache));
  }
  const wantedSet = new Set(wanted);
  const meta = restrict(e.meta, wantedSet);
  const externals = new Map<string, LayeredGraph>();
  for (const st of program) {
    if (st.s === "filter") externalsOf(st.mask, externals);
    else for (const [, ex] of st.cols) externalsOf(ex, externals);
  }
  const extKeys = [...externals.keys()];
  const prog: Program = extKeys.length ? { inputs: inputs.length, stages: program, meta, externals: extKeys } : { inputs: inputs.length, stages: program, meta };
  const name = makeName(label, exprToken(e), wanted);
  const n = inputs[0]!.keys.length;
  const tasks: Task[] = [];
  const extArg = list(extKeys.map((k) => ({ call: { op: "dataframe.scalar-of", args: [ref(k as Key)] } })));
  for (let i = 0; i < n; i++) {
    const args = [list(inputs.map((inp) => ref(inp.keys[i]!))), lit(prog)];
    if (extKeys.length) args.push(extArg);
    tasks.push(task(makeKey(name, i), "dataframe.pipeline", ...args));
  }
  const extLayers = [...externals.values()].flatMap((g) => [...g.layers.keys()]);
  const graph = LayeredGraph.from(layer(name, tasks, [...inputs.flatMap((x) => x.layers), ...extLayers], { kind: "rowwise", label }), ...inputs.map((x) => x.graph), ...externals.values());
  return { graph, keys: tasks.map((t) => t.key), meta, layers: [name] };
}
