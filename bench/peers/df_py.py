"""Dataframe workloads W1-W5 for pandas and Dask dataframe.

Copied from /work/shared/peers/bench/df_py.py for bench/dataframe.ts (unchanged workloads;
the thread count of dask-threads follows TUSK_BENCH_NTHREADS, default 2).

Usage: /usr/bin/python3 df_py.py PEER WORKLOAD CSV [LOOKUP_CSV]
  PEER: pandas | dask-threads | dask-dist
Prints one line 'RESULT {json}' with work_s (timed section: read + compute),
setup_s (imports / cluster start, not included in work_s) and a result
fingerprint used to cross-check peers.
"""
import json
import sys
import time


def main():
    global peer, wl, path, lookup_path, rd, client, cluster
    t_import = time.perf_counter()
    peer, wl, path = sys.argv[1], sys.argv[2], sys.argv[3]
    lookup_path = sys.argv[4] if len(sys.argv) > 4 else None

    import pandas as pd  # noqa: E402

    client = cluster = None
    if peer.startswith("dask"):
        import dask
        import dask.dataframe as dd
        if peer == "dask-threads":
            import os
            dask.config.set(scheduler="threads", num_workers=int(os.environ.get("TUSK_BENCH_NTHREADS", "2")))
        elif peer == "dask-dist":
            from distributed import Client, LocalCluster
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        else:
            raise SystemExit(f"unknown peer {peer}")
        rd = dd.read_csv
    else:
        rd = pd.read_csv
    setup_s = time.perf_counter() - t_import


    def done(x):
        return x.compute() if hasattr(x, "compute") else x


    def w1():
        df = rd(path)
        g = df.groupby("vendor").agg(mean_fare=("fare", "mean"), sum_tip=("tip", "sum"),
                                     n=("fare", "count"))
        g = done(g).sort_index()
        return {v: [round(float(r.mean_fare), 6), round(float(r.sum_tip), 2), int(r.n)]
                for v, r in g.iterrows()}


    def w2():
        df = rd(path)
        f = df[(df.trip_distance > 5) & (df.passenger_count >= 2)]
        if peer.startswith("dask"):
            import dask
            n, m = dask.compute(f.shape[0], f.tip.mean())
        else:
            n, m = f.shape[0], f.tip.mean()
        return {"count": int(n), "mean_tip": round(float(m), 6)}


    def w3():
        df = rd(path)
        top = done(df.nlargest(100, "fare"))
        return {"n": int(len(top)), "max_fare": float(top.fare.max()),
                "min_fare": float(top.fare.min()), "sum_fare": round(float(top.fare.sum()), 2)}


    def w4():
        lk = pd.read_csv(lookup_path)
        df = rd(path)
        j = df.merge(lk, on="vendor", how="inner")
        g = done(j.groupby("payment").fare.sum()).sort_index()
        return {k: round(float(v), 2) for k, v in g.items()}


    def w5():
        df = rd(path)
        g = df.groupby("origin").delay.agg(["mean", "count"])
        g = done(g)
        g = g.reset_index().sort_values(["count", "origin"], ascending=[False, True]).head(10)
        return [[r.origin, int(r["count"]), round(float(r["mean"]), 4)] for _, r in g.iterrows()]


    t0 = time.perf_counter()
    c0 = time.process_time()
    res = {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5}[wl]()
    work_s = time.perf_counter() - t0
    extra_cpu = time.process_time() - c0
    extra = {"work_cpu_s": extra_cpu}
    if client is not None:
        # peak RSS of worker processes as seen by distributed's own monitor (bytes)
        try:
            info = client.scheduler_info()["workers"]
            extra["worker_rss_now_mib"] = round(sum(w["metrics"]["memory"] for w in info.values()) / 2**20, 1)
        except Exception as e:  # pragma: no cover
            extra["worker_rss_err"] = repr(e)
    print("RESULT " + json.dumps({"work_s": work_s, "setup_s": setup_s, "result": res, **extra}), flush=True)
    if client is not None:
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()
