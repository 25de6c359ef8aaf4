// Chunked arrays and Zarr: writes a seeded random 1200×800 float64 array (400×400
// chunks) to a Zarr store in a temporary folder, reads it back lazily, checks the round
// trip is exact, then computes mean and std along each axis and a matMul-based reduction
// (sum of xᵀx) from the store, and checks each against plain float64 loops over the
// values held in memory. Exits 1 on any mismatch; removes the store.
//   node examples/zarr-array.mjs
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tk from "tusk";

const [R, C] = [1200, 800];
const problems = [];
// Relative error, with values near 0 measured against 1 (a mean of ±1e-3 has no 9 exact digits in float64).
const rel = (a, b) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1);
function check(what, got, want, tol) {
  let worst = 0;
  if (got.length !== want.length) problems.push(`${what}: ${got.length} values, expected ${want.length}`);
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, rel(got[i], want[i]));
  if (!(worst <= tol)) problems.push(`${what}: relative error ${worst.toExponential(2)} > ${tol}`);
  console.log(`${what.padEnd(34)} ${got.length === 1 ? got[0].toPrecision(12).padEnd(16) : `${got.length} values`.padEnd(16)} max rel. error ${worst.toExponential(2)}`);
}

/** Plain float64 mean and population std (ddof 0) along `axis` of a row-major R×C array. */
function plainMoments(v, axis) {
  const n = axis === 0 ? C : R, len = axis === 0 ? R : C;
  const mean = new Float64Array(n), std = new Float64Array(n);
  const at = (i, k) => (axis === 0 ? v[k * C + i] : v[i * C + k]);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < len; k++) s += at(i, k);
    mean[i] = s / len;
    let q = 0;
    for (let k = 0; k < len; k++) q += (at(i, k) - mean[i]) ** 2;
    std[i] = Math.sqrt(q / len);
  }
  return { mean, std };
}

const dir = mkdtempSync(join(tmpdir(), "tusk-zarr-example-"));
try {
  const x = tk.array.random.normal([R, C], { chunks: [400, 400], seed: 2024 });
  const store = join(dir, "x.zarr");
  await x.toZarr(store);
  const y = await tk.array.fromZarr(store);
  console.log(`wrote and reopened ${store}: shape [${y.shape}], dtype ${y.dtype}, ${y.npartitions} chunks of [${y.chunks.map((c) => c[0])}]`);

  // The round trip is exact: every float64 value comes back bit for bit.
  const original = await x.toTypedArray();
  const back = await y.toTypedArray();
  let differ = 0;
  for (let i = 0; i < original.length; i++) if (!Object.is(original[i], back[i])) differ++;
  if (y.dtype !== x.dtype || String(y.shape) !== String(x.shape) || back.length !== original.length || differ > 0) {
    problems.push(`round trip: ${differ} of ${original.length} values differ (dtype ${y.dtype}, shape [${y.shape}])`);
  }
  console.log(`round trip: ${original.length.toLocaleString()} values, ${differ} differ`);

  // Mean and std along each axis, read from the store, against loops over the values in memory.
  for (const axis of [0, 1]) {
    const want = plainMoments(original, axis);
    check(`mean(axis ${axis})`, await y.mean(axis).toTypedArray(), want.mean, 1e-9);
    check(`std(axis ${axis})`, await y.std(axis).toTypedArray(), want.std, 1e-9);
  }

  // sum(xᵀx) = Σ_k (Σ_j x_kj)²: block products on tfjs (float32 inside each block product,
  // summed in float64), and with { precision: "float64" } (plain float64 kernel).
  let sumSq = 0;
  for (let k = 0; k < R; k++) {
    let row = 0;
    for (let j = 0; j < C; j++) row += original[k * C + j];
    sumSq += row * row;
  }
  const gram = (options) => y.transpose().matMul(y, false, false, options).sum().toTypedArray();
  check("sum(matMul(xᵀ, x)) tfjs blocks", await gram({}), [sumSq], 1e-4);
  check("sum(matMul(xᵀ, x)) float64", await gram({ precision: "float64" }), [sumSq], 1e-9);
} finally {
  rmSync(dir, { recursive: true, force: true });
  await tk.shutdown();
}

if (problems.length > 0) {
  console.error(`zarr example FAILED:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log("zarr example OK: the store round-trips exactly and every reduction matches plain float64 loops");
