import type { ParsedBlock, ParsedColumn } from "../../../../src/dataframe/io/csv/index.js";

export type Cell = number | string | boolean | null;

export function isValid(col: ParsedColumn, i: number): boolean {
  return col.validity === null || (col.validity[i >> 3]! & (1 << (i & 7))) !== 0;
}

export function cell(col: ParsedColumn, i: number): Cell {
  if (!isValid(col, i)) return null;
  switch (col.dtype) {
    case "string":
      return col.dictionary[col.indices[i]!]!;
    case "boolean":
      return (col.values[i >> 3]! & (1 << (i & 7))) !== 0;
    default:
      return col.values[i]!;
  }
}

/** Columns → values column by column. */
export function columnValues(block: ParsedBlock): Record<string, Cell[]> {
  const out: Record<string, Cell[]> = {};
  block.columns.forEach((name, j) => {
    const col = block.data[j]!;
    out[name] = Array.from({ length: block.nrows }, (_, i) => cell(col, i));
  });
  return out;
}

export function rows(block: ParsedBlock): Cell[][] {
  return Array.from({ length: block.nrows }, (_, i) => block.data.map((c) => cell(c, i)));
}

/** Checks the internal consistency of a block: lengths, null counts, bitmap sizes. */
export function checkBlock(block: ParsedBlock): void {
  for (const col of block.data) {
    const n = block.nrows;
    const len = col.dtype === "string" ? col.indices.length : col.dtype === "boolean" ? col.values.length * 8 : col.values.length;
    if (col.dtype === "boolean" ? len < n : len !== n) throw new Error(`column length ${len} != nrows ${n}`);
    let nulls = 0;
    for (let i = 0; i < n; i++) if (!isValid(col, i)) nulls++;
    if (nulls !== col.nullCount) throw new Error(`nullCount ${col.nullCount} != ${nulls}`);
    if (col.nullCount === 0 && col.validity !== null) throw new Error("validity must be null without nulls");
  }
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
