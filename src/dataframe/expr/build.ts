/**
 * Helpers that build frame expressions for the DataFrame and Series methods: row-wise
 * stages with their metas, and alignment of Series that come from different frames
 * (zipped partition by partition).
 */
import { ValidationError } from "../../errors.js";
import { getColumn, type ColumnMeta, type Dtype, type FrameMeta } from "../meta.js";
import { col, columnsOf, dtypeOf, substituteCols, type ColExpr } from "./column.js";
import { tokenize } from "../../graph/key.js";
import { exprToken, npartitionsOf, sameFrame, zipName, type FrameExpr, type RowwiseExpr } from "./frame-expr.js";

/** Column name → dtype of a meta. */
export function dtypeMap(meta: FrameMeta): Map<string, Dtype> {
  return new Map(meta.columns.map((c) => [c.name, c.dtype]));
}

/** A frame whose columns are `cols` computed from `input`. */
export function selectExpr(input: FrameExpr, cols: ReadonlyArray<readonly [string, ColExpr]>, label: string): RowwiseExpr {
  const dtypes = dtypeMap(input.meta);
  const seen = new Set<string>();
  for (const [name] of cols) {
    if (seen.has(name)) throw new ValidationError(`Column ${JSON.stringify(name)} appears twice in the result; column names must be unique`, { code: "ERR_DUPLICATE_COLUMN" });
    seen.add(name);
  }
  const meta: FrameMeta = { columns: cols.map(([name, e]) => ({ name, dtype: dtypeOf(e, dtypes) })) };
  return { kind: "rowwise", input, stage: { s: "select", cols }, meta, label };
}

/** A frame keeping the rows of `input` where `mask` is true. */
export function filterExpr(input: FrameExpr, mask: ColExpr, label: string): RowwiseExpr {
  for (const name of columnsOf(mask)) getColumn(input.meta, name);
  return { kind: "rowwise", input, stage: { s: "filter", mask }, meta: input.meta, label };
}

/** The identity selection of some columns of a frame. */
export function passThrough(meta: FrameMeta, rename: (name: string) => string = (n) => n): Array<[string, ColExpr]> {
  return meta.columns.map((c) => [c.name, col(rename(c.name))]);
}

/**
 * Rewrites expressions over `ancestor` as columns of `target`, when `target` is made
 * from `ancestor` by row-wise stages only (e.g. `df.query(m)` from `df`): the values
 * are computed as hidden columns at the ancestor and carried through the filters, so
 * `df.query(m).addColumn("t", df.column("a").add(1))` keeps the rows aligned (what
 * pandas' index alignment gives; danfo would fail on the length mismatch).
 */
function rebase(target: FrameExpr, ancestor: FrameExpr, exprs: readonly ColExpr[]): { frame: FrameExpr; exprs: ColExpr[] } | undefined {
  const chain: RowwiseExpr[] = [];
  let node = target;
  while (!sameFrame(node, ancestor)) {
    if (node.kind !== "rowwise") return undefined;
    chain.unshift(node);
    node = node.input;
  }
  const hidden = exprs.map((e, i) => `\u0002${i}\u0002${tokenize(e)}`);
  let f: FrameExpr = selectExpr(ancestor, [...passThrough(ancestor.meta), ...exprs.map((e, i) => [hidden[i]!, e] as const)], "assign");
  for (const st of chain) {
    if (st.stage.s === "filter") f = filterExpr(f, st.stage.mask, st.label);
    else f = selectExpr(f, [...st.stage.cols, ...hidden.map((h) => [h, col(h)] as const)], st.label);
  }
  return { frame: f, exprs: hidden.map(col) };
}

/**
 * Puts column expressions over different frames onto one frame: the same frame is used
 * as it is; a frame derived from another by row-wise steps gets the other's
 * expressions carried along ({@link rebase}); unrelated frames with the same number of
 * partitions are zipped, partition i beside partition i (their rows must then match in
 * number, checked when computing).
 */
export function align(parts: ReadonlyArray<{ frame: FrameExpr; expr: ColExpr }>, what: string, options: { rebase?: boolean } = {}): { frame: FrameExpr; exprs: ColExpr[] } {
  let frame = parts[0]!.frame;
  let exprs: ColExpr[] = [parts[0]!.expr];
  const rest: Array<{ frame: FrameExpr; expr: ColExpr }> = [];
  for (const p of parts.slice(1)) {
    if (sameFrame(p.frame, frame)) { exprs.push(p.expr); continue; }
    const down = rebase(frame, p.frame, [p.expr]);
    if (down) {
      if (!options.rebase) throw lineageError(what);
      frame = down.frame; exprs.push(down.exprs[0]!); continue;
    }
    if (rebase(p.frame, frame, [])) throw lineageError(what);
    rest.push(p);
    exprs.push(p.expr);
  }
  if (rest.length === 0) return { frame, exprs };
  return zipAll([{ frame, exprs: exprs.slice(0, exprs.length - rest.length) }, ...rest.map((r) => ({ frame: r.frame, exprs: [r.expr] }))], what);
}

function lineageError(what: string): ValidationError {
  return new ValidationError(
    `${what}: one operand comes from a filtered version of the other's frame, so they have different rows. ` +
      `Take both from the same frame: const f = df.query(mask); f.column("a").add(f.column("b"))`,
    { code: "ERR_UNALIGNED" },
  );
}

function zipAll(groups: ReadonlyArray<{ frame: FrameExpr; exprs: readonly ColExpr[] }>, what: string): { frame: FrameExpr; exprs: ColExpr[] } {
  const frames: FrameExpr[] = [];
  const index = new Map<string, number>();
  for (const g of groups) {
    const t = exprToken(g.frame);
    if (!index.has(t)) { index.set(t, frames.length); frames.push(g.frame); }
  }
  const n = npartitionsOf(frames[0]!);
  for (const f of frames) {
    if (npartitionsOf(f) !== n) {
      throw new ValidationError(
        `${what}: the operands have different partitionings (${frames.map(npartitionsOf).join(" vs ")} partitions). ` +
          `Combine columns of the same frame (df.column("a").add(df.column("b"))), or repartition/compute one side first.`,
        { code: "ERR_UNALIGNED" },
      );
    }
  }
  const columns: ColumnMeta[] = frames.flatMap((f, k) => f.meta.columns.map((c) => ({ name: zipName(k, c.name), dtype: c.dtype })));
  const zip: FrameExpr = { kind: "zip", inputs: frames, meta: { columns } };
  const exprs = groups.flatMap((g) => {
    const k = index.get(exprToken(g.frame))!;
    return g.exprs.map((e) => substituteCols(e, (name) => col(zipName(k, name))));
  });
  return { frame: zip, exprs };
}
