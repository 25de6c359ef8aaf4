// Dataframe workloads W1, W2, W5 for danfojs-node (copied from /work/shared/peers/bench/df_node.cjs,
// danfo part only, for bench/dataframe.ts). Usage: node df_danfo.cjs WORKLOAD CSV
// Prints 'RESULT {json}' with work_s (read + compute), setup_s (module load) and the fingerprint.
const t_import = performance.now();
const [wl, path] = process.argv.slice(2);
const r2 = (x, d) => Math.round(x * 10 ** d) / 10 ** d;
const dfd = require('danfojs-node');
const setup = performance.now();
const read = () => dfd.readCSV(path);
const W = {
  async W1() {
    const df = await read();
    const g = df.groupby(['vendor']).agg({ fare: 'mean', tip: 'sum', id: 'count' });
    const out = {};
    for (const r of dfd.toJSON(g, { format: 'column' })) out[r.vendor] = [r2(r.fare_mean, 6), r2(r.tip_sum, 2), r.id_count];
    return Object.fromEntries(Object.entries(out).sort());
  },
  async W2() {
    const df = await read();
    const f = df.query(df['trip_distance'].gt(5).and(df['passenger_count'].ge(2)));
    return { count: f.shape[0], mean_tip: r2(f['tip'].mean(), 6) };
  },
  async W5() {
    const df = await read();
    const g = df.groupby(['origin']).agg({ delay: ['mean', 'count'] });
    const s = g.sortValues('delay_count', { ascending: false }).head(10);
    return dfd.toJSON(s, { format: 'column' }).map((r) => [r.origin, r.delay_count, r2(r.delay_mean, 4)]);
  },
};
(async () => {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const result = await W[wl]();
  const cpu = process.cpuUsage(c0);
  console.log('RESULT ' + JSON.stringify({ work_s: (performance.now() - t0) / 1000, work_cpu_s: (cpu.user + cpu.system) / 1e6, setup_s: (setup - t_import) / 1000, result }));
  process.exit(0);
})().catch((e) => { console.error(e && e.stack ? e.stack : e); process.exit(1); });
