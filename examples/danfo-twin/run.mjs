// Runs the danfo.js script and its tusk twin on the same generated taxi CSV and checks
// that they print the same table: same columns, same groups in the same order, numbers
// within 1e-9 relative (tusk's sums are compensated, danfo's are naive, so the last
// digits may differ). Exits 1 on any difference or failure. What CI runs.
//   node examples/danfo-twin/run.mjs [rows=100000]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tk from "tusk";

const rows = Number(process.argv[2] ?? 100_000);
if (!Number.isInteger(rows) || rows < 1) throw new Error(`rows must be a positive integer, got ${process.argv[2]}`);
const here = fileURLToPath(new URL(".", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "tusk-twin-"));

/** Runs one twin; returns its printed table (the JSON line) and its own time/RSS line. */
function run(script, csv) {
  const child = spawnSync(process.execPath, [join(here, script), csv], { encoding: "utf8", timeout: 120_000, maxBuffer: 64 << 20 });
  if (child.status !== 0) {
    throw new Error(`${script} failed (exit ${child.status ?? child.signal}):\n${child.stderr}${child.stdout}`);
  }
  const line = child.stdout.split("\n").find((l) => l.startsWith("{"));
  if (!line) throw new Error(`${script} printed no JSON result:\n${child.stdout}`);
  return { table: JSON.parse(line), report: child.stderr.trim().split("\n").at(-1) };
}

function close(a, b) {
  if (typeof a !== "number" || typeof b !== "number") return a === b;
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

function compare(danfo, tusk) {
  const problems = [];
  if (JSON.stringify(danfo.columns) !== JSON.stringify(tusk.columns)) {
    problems.push(`columns: danfo ${JSON.stringify(danfo.columns)}, tusk ${JSON.stringify(tusk.columns)}`);
  }
  if (danfo.rows.length !== tusk.rows.length) problems.push(`rows: danfo ${danfo.rows.length}, tusk ${tusk.rows.length}`);
  danfo.rows.forEach((row, i) => {
    const other = tusk.rows[i] ?? [];
    row.forEach((v, j) => {
      if (!close(v, other[j])) problems.push(`row ${i} ${danfo.columns[j]}: danfo ${v}, tusk ${other[j]}`);
    });
  });
  return problems;
}

try {
  const csv = join(dir, "taxi.csv");
  const t0 = performance.now();
  await tk.writeSampleTaxiCsv(csv, rows);
  console.log(`made ${csv} (${rows.toLocaleString()} rows) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const danfo = run("danfo.mjs", csv);
  const tusk = run("tusk.mjs", csv);
  console.log(`danfo.js: ${danfo.report}\ntusk:     ${tusk.report}`);
  if (danfo.table.rows.length === 0) throw new Error("the analysis selected no groups: nothing was compared");
  const problems = compare(danfo.table, tusk.table);
  if (problems.length > 0) {
    console.error(`danfo.js and tusk disagree:\n  ${problems.join("\n  ")}`);
    process.exitCode = 1;
  } else {
    console.log(`same result: ${tusk.table.rows.length} groups x ${tusk.table.columns.length} columns agree (1e-9 relative)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
