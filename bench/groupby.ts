/**
 * `npm run bench -- groupby [rows]`: in-memory reductions and groupby (W1's aggregation
 * without the CSV read), tusk (sync = one thread, and threads) against pandas (Debian's
 * /usr/bin/python3) and danfojs-node on the same data in the same run. The data is
 * generated here with a fixed LCG and handed to pandas as a binary file, so all engines
 * aggregate identical values; results are cross-checked.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as dfd from "danfojs-node";
import { tableFromArrays } from "apache-arrow";
import { fromArrow } from "../src/dataframe/index.js";
import { shutdownPools } from "../src/graph/local/pool.js";

const rows = Number(process.argv[2] ?? 2_000_000);
const danfoRows = Math.min(rows, Number(process.argv[3] ?? 500_000));
let seed = 7;
const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const vendors = ["CMT", "VTS", "DDS", "XYZ", "ABC"];
const vendorIdx = Int32Array.from({ length: rows }, () => Math.floor(rand() * 5));
const fare = Float64Array.from({ length: rows }, () => Math.round(rand() * 6000) / 100);
const tip = Float64Array.from({ length: rows }, () => Math.round(rand() * 1000) / 100);
const id = Int32Array.from({ length: rows }, (_, i) => i);
/** Many groups: rows / 2 distinct keys, each on two rows far apart (in different partitions). */
const user = Int32Array.from({ length: rows }, (_, i) => (i * 7919) % Math.max(1, rows >> 1));
const vendor = Array.from(vendorIdx, (v) => vendors[v]!);

async function best<T>(f: () => Promise<T>, repeat = 3): Promise<{ ms: number; out: T }> {
  let out = await f();
  let ms = Infinity;
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    out = await f();
    ms = Math.min(ms, performance.now() - t0);
  }
  return { ms, out };
}

const table = tableFromArrays({ id, vendor, fare, tip, user });
const df = fromArrow(table, { npartitions: 16 });
const w1 = () => df.groupby(["vendor"]).agg({ fare: "mean", tip: "sum", id: "count" });

console.log(`groupby(vendor).agg({ fare: mean, tip: sum, id: count }) and column reductions on ${rows.toLocaleString()} in-memory rows (16 partitions)`);
const sync = await best(() => w1().compute({ scheduler: "sync", progress: false }));
const threads = await best(() => w1().compute({ scheduler: "threads", progress: false }));
const stats = await best(() => df.column("fare").std().compute({ scheduler: "threads", progress: false }));
const median = await best(() => df.column("fare").median().compute({ scheduler: "threads", progress: false }), 1);
// to Arrow: a million-row danfo DataFrame alone takes seconds to build, which is not the groupby
const many = await best(() => df.groupby(["user"]).agg({ fare: "sum" }).toArrow({ scheduler: "sync", progress: false }), 1);

// pandas on the same values
const dir = mkdtempSync(join(tmpdir(), "tusk-groupby-"));
writeFileSync(join(dir, "vendor.bin"), Buffer.from(vendorIdx.buffer));
writeFileSync(join(dir, "fare.bin"), Buffer.from(fare.buffer));
writeFileSync(join(dir, "tip.bin"), Buffer.from(tip.buffer));
writeFileSync(join(dir, "user.bin"), Buffer.from(user.buffer));
const py = `
import numpy as np, pandas as pd, time, json, sys
d = sys.argv[1]
v = np.fromfile(d + "/vendor.bin", dtype=np.int32)
names = np.array(${JSON.stringify(vendors)})
df = pd.DataFrame({"id": np.arange(len(v), dtype=np.int32), "vendor": pd.Categorical(names[v]), "fare": np.fromfile(d + "/fare.bin"), "tip": np.fromfile(d + "/tip.bin")})
def w1(): return df.groupby("vendor", observed=True).agg(fare_mean=("fare", "mean"), tip_sum=("tip", "sum"), id_count=("id", "count"))
def best(f, n=3):
    f(); t = 1e9
    for _ in range(n):
        t0 = time.perf_counter(); r = f(); t = min(t, time.perf_counter() - t0)
    return t, r
t, r = best(w1)
ts, s = best(lambda: df["fare"].std())
tm, m = best(lambda: df["fare"].median(), 1)
df["user"] = np.fromfile(d + "/user.bin", dtype=np.int32)
tg, g = best(lambda: df.groupby("user").agg(fare_sum=("fare", "sum")), 1)
print(json.dumps({"w1": t * 1000, "std": ts * 1000, "median": tm * 1000, "many": tg * 1000, "groups": int(len(g)), "sum_tip": float(r["tip_sum"].sum()), "std_v": float(s), "median_v": float(m)}))
`;
const p = spawnSync("/usr/bin/python3", ["-c", py, dir], { encoding: "utf8" });
rmSync(dir, { recursive: true, force: true });
const pandas = p.status === 0 ? JSON.parse(p.stdout) as { w1: number; std: number; median: number; many: number; groups: number; sum_tip: number; std_v: number; median_v: number } : undefined;
if (!pandas) console.log(`pandas failed: ${p.stderr.slice(0, 400)}`);

// danfo on a prefix (it needs ~1.5 KB per row)
const dd = new dfd.DataFrame({ id: Array.from(id.subarray(0, danfoRows)), vendor: vendor.slice(0, danfoRows), fare: Array.from(fare.subarray(0, danfoRows)), tip: Array.from(tip.subarray(0, danfoRows)) });
const danfo = await best(async () => dd.groupby(["vendor"]).agg({ fare: "mean", tip: "sum", id: "count" }), 1);

const tipSum = (threads.out.column("tip_sum").values as number[]).reduce((a, b) => a + b, 0);
const row = (label: string, ms: number, note = ""): void => console.log(`${label.padEnd(40)} ${ms.toFixed(1).padStart(9)} ms ${note}`);
row("tusk sync (1 thread)", sync.ms);
row("tusk threads", threads.ms);
if (pandas) row("pandas (in memory, categorical key)", pandas.w1, `→ tusk threads / pandas = ${(threads.ms / pandas.w1).toFixed(2)}`);
row(`danfojs-node on ${danfoRows.toLocaleString()} rows`, danfo.ms, `→ per row ${(danfo.ms / danfoRows * rows).toFixed(0)} ms scaled to ${rows.toLocaleString()} rows: tusk threads is ${((danfo.ms / danfoRows * rows) / threads.ms).toFixed(0)}× faster`);
row("tusk fare.std() threads", stats.ms, pandas ? `pandas ${pandas.std.toFixed(1)} ms` : "");
row("tusk fare.median() threads (exact)", median.ms, pandas ? `pandas ${pandas.median.toFixed(1)} ms` : "");
row(`tusk groupby(user) sum → Arrow, ${many.out.numRows.toLocaleString()} groups, sync`, many.ms, pandas ? `pandas ${pandas.many.toFixed(1)} ms (${pandas.groups.toLocaleString()} groups)` : "");
if (pandas) {
  console.log(`check: sum(tip_sum) tusk ${tipSum} pandas ${pandas.sum_tip}; std tusk ${stats.out} pandas ${pandas.std_v}; median tusk ${median.out} pandas ${pandas.median_v}`);
}
await shutdownPools();
