/**
 * `npm run bench -- array [options]`: array workloads side by side, each run as its own
 * child process under `/usr/bin/time -v` (wall time and peak RSS of the whole process,
 * worker threads included):
 *   A1 sum of a 20000×20000 float64 uniform random array (chunks 2000×2000)
 *   A2 its mean over axis 0
 *   A3 (x + x.T).mean() for 10000×10000 (chunks 2000×2000)
 *   A4 4000×4000 matMul (chunks 1000×1000)
 * peers: tusk (threads scheduler), numpy (1 thread) and dask.array (threads, 2) from
 * /usr/bin/python3 (bench/peers/arr_py.py), tfjs wasm on the whole tensor
 * (bench/peers/arr_tfjs.cjs, float32: tfjs has no float64).
 *
 * Options:
 *   --workloads A1,A2,A3,A4   --peers tusk,numpy,dask,tfjs   --reps N (default 1)
 *   --big      A1 on 40000×40000 float64 (12.8 GB, never whole) with memoryLimit 2GB,
 *              and a Zarr round trip of a 24000×24000 float64 array (4.6 GB) larger than the limit
 *   --kernels  tfjs wasm vs plain-JS float64 matMul on 1000×1000 blocks, in this process
 * Machine load is printed: the machine is shared, so read figures as ratios within one run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};

interface Row { workload: string; peer: string; work_s?: number; wall_s?: number; peak_mib?: number; result?: unknown; note?: string; extra?: Record<string, unknown> }

// ------------------------------------------------------------------ child: tusk workloads
async function child(workload: string): Promise<void> {
  const tk = await import("../src/index.js");
  const big = workload.endsWith("-big") || workload === "zarr";
  if (big) tk.config.set({ memoryLimit: "2GB" });
  const opts = { progress: false } as const;
  const fp = (v: ArrayLike<number>, shape: readonly number[]): { shape: number[]; mean: number } => {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i]!;
    return { shape: [...shape], mean: Math.round((s / Math.max(1, v.length)) * 1000) / 1000 };
  };
  const t0 = performance.now();
  let result: unknown;
  const extra: Record<string, unknown> = {};
  if (workload === "A1" || workload === "A1-big") {
    const n = workload === "A1" ? 20000 : 40000;
    const x = tk.array.random.uniform([n, n], { chunks: 2000, seed: 0 });
    const r = x.sum();
    result = { shape: [], mean: Math.round((await r.toTypedArray(opts))[0]!) };
    extra.nbytes = x.nbytes;
  } else if (workload === "A2") {
    const x = tk.array.random.uniform([20000, 20000], { chunks: 2000, seed: 0 });
    const r = x.mean(0);
    result = fp(await r.toTypedArray(opts), r.shape);
  } else if (workload === "A3") {
    const x = tk.array.random.uniform([10000, 10000], { chunks: 2000, seed: 0 });
    const r = x.add(x.T).mean();
    result = { shape: [], mean: Math.round((await r.toTypedArray(opts))[0]! * 1000) / 1000 };
  } else if (workload === "A4") {
    const x = tk.array.random.uniform([4000, 4000], { chunks: 1000, seed: 0 });
    const y = tk.array.random.uniform([4000, 4000], { chunks: 1000, seed: 1 });
    const r = x.matMul(y);
    // the fingerprint mean is part of the graph (a chunked mean), so the 128 MB result is never assembled
    result = { shape: [...r.shape], mean: Math.round((await r.mean().toTypedArray(opts))[0]! * 1000) / 1000 };
  } else if (workload === "zarr") {
    const n = 24000;
    const dir = mkdtempSync(join(tmpdir(), "tusk-bench-zarr-"));
    try {
      const x = tk.array.random.uniform([n, n], { chunks: 2000, seed: 7 });
      const path = join(dir, "x.zarr");
      const tw = performance.now();
      await x.toZarr(path, opts);
      extra.write_s = (performance.now() - tw) / 1000;
      const tr = performance.now();
      const y = await tk.array.fromZarr(path);
      const back = (await y.sum().toTypedArray(opts))[0]!;
      extra.read_sum_s = (performance.now() - tr) / 1000;
      const direct = (await x.sum().toTypedArray(opts))[0]!;
      extra.nbytes = x.nbytes;
      extra.equal = back === direct;
      result = { sum_from_zarr: back, sum_direct: direct };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const work_s = (performance.now() - t0) / 1000;
  console.log("RESULT " + JSON.stringify({ work_s, result, ...extra }));
  await tk.shutdown();
}

// ------------------------------------------------------------------ parent: run children
function timed(cmd: string, cmdArgs: string[], env: NodeJS.ProcessEnv = {}, timeoutS = 900): { out: string; wall_s?: number; peak_mib?: number; status: number | null; err: string } {
  const r = spawnSync("/usr/bin/time", ["-v", cmd, ...cmdArgs], { env: { ...process.env, ...env }, encoding: "utf8", timeout: timeoutS * 1000, maxBuffer: 64 << 20 });
  const err = r.stderr ?? "";
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(err);
  const wall_s = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : undefined;
  return { out: r.stdout ?? "", wall_s, peak_mib: rss ? Number(rss[1]) / 1024 : undefined, status: r.status, err };
}

function parseResult(out: string): Record<string, unknown> | undefined {
  const line = out.split("\n").find((l) => l.startsWith("RESULT "));
  return line ? JSON.parse(line.slice(7)) as Record<string, unknown> : undefined;
}

function runPeer(peer: string, workload: string): Row {
  let r: ReturnType<typeof timed>;
  if (peer === "tusk") r = timed(process.execPath, ["--import", "tsx", join(here, "array.ts"), "--child", workload]);
  else if (peer === "numpy" || peer === "dask") {
    if (!existsSync("/usr/bin/python3")) return { workload, peer, note: "skipped: no /usr/bin/python3" };
    const probe = spawnSync("/usr/bin/python3", ["-c", peer === "dask" ? "import dask.array" : "import numpy"]);
    if (probe.status !== 0) return { workload, peer, note: `skipped: /usr/bin/python3 has no ${peer === "dask" ? "dask.array (apt: python3-dask)" : "numpy"}` };
    r = timed("/usr/bin/python3", [join(here, "peers", "arr_py.py"), peer === "dask" ? "dask-threads" : "numpy", workload], { OPENBLAS_NUM_THREADS: "1" });
  } else if (peer === "tfjs") r = timed(process.execPath, [join(here, "peers", "arr_tfjs.cjs"), "whole", workload]);
  else return { workload, peer, note: `unknown peer ${peer}` };
  const res = parseResult(r.out);
  if (!res) return { workload, peer, wall_s: r.wall_s, peak_mib: r.peak_mib, note: `failed (exit ${r.status}): ${r.err.split("\n").filter((l) => !l.startsWith("\t")).slice(-3).join(" | ").slice(0, 300)}` };
  const { work_s, result, ...extra } = res;
  return { workload, peer, work_s: work_s as number, wall_s: r.wall_s, peak_mib: r.peak_mib, result, extra };
}

const f2 = (v: number | undefined): string => (v === undefined ? "–" : v.toFixed(2));

function table(rows: Row[]): void {
  console.log("\n| workload | peer | work s | wall s | peak MiB | tusk speed-up (work) | result | notes |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const mine = rows.find((x) => x.workload === r.workload && x.peer === "tusk");
    const ratio = mine?.work_s && r.work_s && r.peer !== "tusk" ? `${(r.work_s / mine.work_s).toFixed(2)}×` : "";
    const extra = r.extra && Object.keys(r.extra).length ? JSON.stringify(r.extra) : "";
    console.log(`| ${r.workload} | ${r.peer} | ${f2(r.work_s)} | ${f2(r.wall_s)} | ${r.peak_mib === undefined ? "–" : Math.round(r.peak_mib)} | ${ratio} | \`${JSON.stringify(r.result ?? null)}\` | ${r.note ?? ""} ${extra} |`);
  }
}

async function kernels(): Promise<void> {
  const { tensordotBlocks, loadTf, tfBackend } = await import("../src/array/linalg-kernels.js");
  const { makeChunk } = await import("../src/array/chunk.js");
  const n = 1000;
  const a = makeChunk("float64", [n, n], Float64Array.from({ length: n * n }, (_, i) => Math.sin(i)));
  const b = makeChunk("float64", [n, n], Float64Array.from({ length: n * n }, (_, i) => Math.cos(i)));
  await loadTf();
  const time = async (precision: "float32" | "float64"): Promise<number> => {
    await tensordotBlocks([a], [b], [1], [0], "float64", [n, n], precision); // warm-up
    const t = performance.now();
    for (let r = 0; r < 3; r++) await tensordotBlocks([a], [b], [1], [0], "float64", [n, n], precision);
    return (performance.now() - t) / 3000;
  };
  const w = await time("float32");
  const j = await time("float64");
  const { tfBackend: backend } = await import("../src/array/linalg-kernels.js");
  console.log(`\n1000×1000 block product (float64 in, float64 out), mean of 3, load ${loadavg()[0]!.toFixed(1)}:`);
  console.log(`| kernel | s per block product |\n|---|---|\n| tfjs ${backend ?? tfBackend} (float32 product, incl. float64→float32 copies) | ${w.toFixed(3)} |\n| plain JS float64 (i-k-j loops) | ${j.toFixed(3)} |`);
  console.log(`wasm is ${(j / w).toFixed(1)}× faster than the JS loop`);
}

async function main(): Promise<void> {
  const ci = args.indexOf("--child");
  if (ci >= 0) return child(args[ci + 1]!);
  if (args.includes("--kernels")) return kernels();
  const reps = Number(opt("reps", "1"));
  const rows: Row[] = [];
  console.log(`array bench: ${new Date().toISOString()}, load average ${loadavg().map((v) => v.toFixed(1)).join(" ")} on a shared machine`);
  if (args.includes("--big")) {
    for (const w of ["A1-big", "zarr"]) {
      const row = runPeer("tusk", w);
      row.note = `${row.note ?? ""} memoryLimit 2GB; peak RSS ${row.peak_mib && row.peak_mib < 2560 ? "<" : ">="} 2.5 GB`;
      rows.push(row);
      console.log(JSON.stringify(row));
    }
    table(rows);
    return;
  }
  const workloads = opt("workloads", "A1,A2,A3,A4").split(",");
  const peers = opt("peers", "tusk,numpy,dask,tfjs").split(",");
  for (const w of workloads) {
    for (const p of peers) {
      for (let r = 0; r < reps; r++) {
        const row = runPeer(p, w);
        rows.push(row);
        console.log(JSON.stringify(row));
      }
    }
  }
  table(rows);
  console.log(`\nload average after: ${loadavg().map((v) => v.toFixed(1)).join(" ")}`);
}

await main();
