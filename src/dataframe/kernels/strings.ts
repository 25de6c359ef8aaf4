/**
 * `str.` kernels. A string column is dictionary-encoded, so each method runs once per
 * distinct string (the dictionary), never once per row; rows only have their indices
 * remapped or gathered. Semantics follow danfo's `Str` methods (which call JavaScript's
 * String methods) except that a null stays null (danfo gives NaN).
 */
import { ValidationError } from "../../errors.js";
import type { Dtype } from "../meta.js";
import { isValid, type ColumnData } from "../partition.js";
import { buildColumn, remapDictionary } from "./rowwise-ops.js";

type StrFn = (s: string, args: readonly unknown[]) => string | number | boolean;

/** The string methods, with danfo's argument forms and defaults. */
export const STRING_METHODS: Readonly<Record<string, { fn: StrFn; out: Dtype }>> = {
  toLowerCase: { fn: (s) => s.toLowerCase(), out: "string" },
  toUpperCase: { fn: (s) => s.toUpperCase(), out: "string" },
  capitalize: { fn: (s) => s.slice(0, 1).toUpperCase() + s.slice(1).toLowerCase(), out: "string" },
  charAt: { fn: (s, [i = 0]) => s.charAt(Number(i)), out: "string" },
  concat: { fn: (s, [other = "", position = 1]) => (Number(position) === 1 ? s + String(other) : String(other) + s), out: "string" },
  startsWith: { fn: (s, [x = ""]) => s.startsWith(String(x)), out: "boolean" },
  endsWith: { fn: (s, [x = ""]) => s.endsWith(String(x)), out: "boolean" },
  includes: { fn: (s, [x = ""]) => s.includes(String(x)), out: "boolean" },
  indexOf: { fn: (s, [x = ""]) => s.indexOf(String(x)), out: "int32" },
  lastIndexOf: { fn: (s, [x = ""]) => s.lastIndexOf(String(x)), out: "int32" },
  replace: { fn: (s, [a = "", b = ""]) => s.replace(String(a), String(b)), out: "string" },
  repeat: { fn: (s, [k = 1]) => s.repeat(Number(k)), out: "string" },
  search: { fn: (s, [x = ""]) => s.search(String(x)), out: "int32" },
  slice: { fn: (s, [a = 0, b = 1]) => s.slice(Number(a), Number(b)), out: "string" },
  split: { fn: (s, [sep = " "]) => `${s.split(String(sep))}`, out: "string" },
  substr: { fn: (s, [a = 0, k = 1]) => s.substr(Number(a), Number(k)), out: "string" },
  substring: { fn: (s, [a = 0, b = 1]) => s.substring(Number(a), Number(b)), out: "string" },
  trim: { fn: (s) => s.trim(), out: "string" },
  join: { fn: (s, [v = "", sep = " "]) => `${s}${String(sep)}${String(v)}`, out: "string" },
  len: { fn: (s) => s.length, out: "int32" },
};

/** Runs a string method on a string column. */
export function stringOp(c: ColumnData, method: string, args: readonly unknown[], out: Dtype, n: number): ColumnData {
  const m = STRING_METHODS[method];
  if (!m) throw new ValidationError(`Unknown str method ${method}`);
  if (c.dtype !== "string") throw new ValidationError(`str.${method} needs a string column, got ${c.dtype}`);
  const mapped = c.dictionary.map((s) => m.fn(s, args));
  if (out === "string") return remapDictionary(c, mapped as string[], n);
  return buildColumn(out, n, (i) => (isValid(c.validity, i) ? mapped[c.indices[i]!] : null));
}
