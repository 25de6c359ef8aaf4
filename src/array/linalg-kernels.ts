/**
 * Block products for matMul / dot / tensordot. One output block is the sum over the
 * contracted blocks of (a block) · (b block); each product runs as a 2-d matMul on
 * TensorFlow.js's wasm backend (loaded once per thread, on first use), and the products
 * are summed in float64 in JS.
 *
 * Precision: tfjs has no float64, so each block product is computed in float32 (inputs
 * rounded to float32, float32 accumulation inside the product: relative error about
 * 1e-7·sqrt(k) per element), then the block products are added in float64. Pass
 * `{ precision: "float64" }` for a plain-JS float64 kernel (exact to float64 rounding, slower).
 * If the wasm backend cannot start, we fall back to tfjs's cpu backend with a warning.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { defineOp, registerOpModule } from "../graph/ops.js";
import { makeChunk, type Chunk } from "./chunk.js";
import { size, type DType } from "./chunks.js";
import { transposeChunk } from "./kernels.js";

registerOpModule(import.meta.url);

type Tf = typeof import("@tensorflow/tfjs");
let tfPromise: Promise<Tf> | undefined;
/** Which backend this thread's kernels use ("wasm", or "cpu" after a failed wasm start). */
export let tfBackend: string | undefined;

/** tfjs with the wasm backend, started once per thread. */
export function loadTf(): Promise<Tf> {
  tfPromise ??= (async () => {
    const tf = await import("@tensorflow/tfjs");
    // The emscripten module adds process-wide handlers that rethrow every uncaught
    // exception and rejection (printing the whole wasm glue source); keep the process's own.
    const before = { ex: process.listeners("uncaughtException"), rej: process.listeners("unhandledRejection") };
    try {
      const wasm = await import("@tensorflow/tfjs-backend-wasm");
      const req = createRequire(import.meta.url);
      const dir = dirname(req.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
      wasm.setWasmPaths(`${dir}/`);
      if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') returned false");
      for (const l of process.listeners("uncaughtException")) if (!before.ex.includes(l)) process.removeListener("uncaughtException", l);
      for (const l of process.listeners("unhandledRejection")) if (!before.rej.includes(l)) process.removeListener("unhandledRejection", l);
    } catch (error) {
      process.emitWarning(
        `tusk: TensorFlow.js wasm backend failed to start (${String(error)}); matMul falls back to the slower cpu backend. ` +
          `Check that @tensorflow/tfjs-backend-wasm is installed with its dist/*.wasm files.`,
      );
      await tf.setBackend("cpu");
    }
    await tf.ready();
    tfBackend = tf.getBackend();
    return tf;
  })();
  return tfPromise;
}

/** a (m×k) · b (k×n) in float64 with plain loops (i-k-j order, row-major). */
export function matMulJs(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number, out: Float64Array): void {
  for (let i = 0; i < m; i++) {
    const oi = i * n;
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p]!;
      if (av === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) out[oi + j]! += av * b[bp + j]!;
    }
  }
}

/** A chunk as a 2-d matrix: `free` axes first (rows), contracted axes last (cols), or the other way round. */
function asMatrix(c: Chunk, contracted: readonly number[], contractedFirst: boolean): { data: Chunk["data"]; rows: number; cols: number } {
  const nd = c.shape.length;
  const free = [...Array(nd).keys()].filter((a) => !contracted.includes(a));
  const perm = contractedFirst ? [...contracted, ...free] : [...free, ...contracted];
  const t = perm.every((p, i) => p === i) ? c : transposeChunk(c, perm);
  const kSize = contracted.reduce((acc, a) => acc * c.shape[a]!, 1);
  const fSize = free.reduce((acc, a) => acc * c.shape[a]!, 1);
  return contractedFirst ? { data: t.data, rows: kSize, cols: fSize } : { data: t.data, rows: fSize, cols: kSize };
}

/** Sum over pairs of tensordot(a_p, b_p, [axesA, axesB]) as one chunk of `shape`. */
export async function tensordotBlocks(
  as: readonly Chunk[], bs: readonly Chunk[], axesA: readonly number[], axesB: readonly number[],
  dtype: DType, shape: readonly number[], precision: "float32" | "float64",
): Promise<Chunk> {
  const acc = new Float64Array(size(shape));
  const tf = precision === "float32" ? await loadTf() : undefined;
  for (let p = 0; p < as.length; p++) {
    const A = asMatrix(as[p]!, axesA, false);
    const B = asMatrix(bs[p]!, axesB, true);
    const m = A.rows, k = A.cols, n = B.cols;
    if (m * n === 0) continue;
    if (k === 0) continue;
    if (tf) {
      const prod = tf.tidy(() => tf.matMul(
        tf.tensor2d(A.data instanceof Float32Array ? A.data : Float32Array.from(A.data), [m, k], "float32"),
        tf.tensor2d(B.data instanceof Float32Array ? B.data : Float32Array.from(B.data), [k, n], "float32"),
      ));
      const d = prod.dataSync() as Float32Array;
      prod.dispose();
      for (let i = 0; i < d.length; i++) acc[i]! += d[i]!;
    } else {
      matMulJs(A.data, B.data, m, k, n, acc);
    }
  }
  if (dtype === "float64") return makeChunk(dtype, shape, acc);
  const out = makeChunk(dtype, shape);
  out.data.set(acc);
  return out;
}

defineOp("array.tensordot", (as: Chunk[], bs: Chunk[], axesA: number[], axesB: number[], dtype: DType, shape: number[], precision: "float32" | "float64") =>
  tensordotBlocks(as, bs, axesA, axesB, dtype, shape, precision));
