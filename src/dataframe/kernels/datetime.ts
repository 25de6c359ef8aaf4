/**
 * `dt.` kernels on datetime columns (Float64 milliseconds since the epoch) or on
 * string columns holding dates (each distinct string parsed once, as danfo does with
 * `new Date(text)`). Fields are taken in UTC; danfo uses the process's local time zone,
 * so results agree when `TZ=UTC`. Months are 0-based and days of the week start at
 * Sunday = 0, as in danfo (JavaScript's `getUTCMonth`/`getUTCDay`).
 */
import { ValidationError } from "../../errors.js";
import type { Dtype } from "../meta.js";
import { isValid, type ColumnData } from "../partition.js";
import { buildColumn } from "./rowwise-ops.js";

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

type DtFn = (ms: number) => number | string;

/** The datetime methods (danfo's names) and their output dtypes. */
export const DATETIME_METHODS: Readonly<Record<string, { fn: DtFn; out: Dtype }>> = {
  year: { fn: (ms) => new Date(ms).getUTCFullYear(), out: "int32" },
  month: { fn: (ms) => new Date(ms).getUTCMonth(), out: "int32" },
  dayOfMonth: { fn: (ms) => new Date(ms).getUTCDate(), out: "int32" },
  dayOfWeek: { fn: (ms) => new Date(ms).getUTCDay(), out: "int32" },
  hours: { fn: (ms) => new Date(ms).getUTCHours(), out: "int32" },
  minutes: { fn: (ms) => new Date(ms).getUTCMinutes(), out: "int32" },
  seconds: { fn: (ms) => new Date(ms).getUTCSeconds(), out: "int32" },
  monthName: { fn: (ms) => MONTHS[new Date(ms).getUTCMonth()]!, out: "string" },
  dayOfWeekName: { fn: (ms) => DAYS[new Date(ms).getUTCDay()]!, out: "string" },
  date: { fn: (ms) => new Date(ms).toLocaleString("en-US", { timeZone: "UTC" }), out: "string" },
};

/** Runs a datetime method on a datetime (or date-string) column. */
export function datetimeOp(c: ColumnData, method: string, out: Dtype, n: number): ColumnData {
  const m = DATETIME_METHODS[method];
  if (!m) throw new ValidationError(`Unknown dt method ${method}`);
  const safe = (ms: number): number | string | null => (Number.isFinite(ms) ? m.fn(ms) : null);
  if (c.dtype === "string") {
    const perEntry = c.dictionary.map((s) => safe(new Date(s).getTime()));
    return buildColumn(out, n, (i) => (isValid(c.validity, i) ? perEntry[c.indices[i]!] : null));
  }
  if (c.dtype !== "datetime" && c.dtype !== "float64" && c.dtype !== "int32") throw new ValidationError(`dt.${method} needs a datetime column, got ${c.dtype}`);
  const vals = c.values;
  return buildColumn(out, n, (i) => (isValid(c.validity, i) ? safe(vals[i]!) : null));
}
