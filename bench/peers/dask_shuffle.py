"""The shuffle workloads on Dask, for bench/shuffle.ts (threaded scheduler, 2 workers)
and bench/distributed.ts (a LocalCluster of 2 worker processes x 1 thread).

    /usr/bin/python3 dask_shuffle.py LL|IDX|SORT FILE [threads|cluster]

LL: the large-large join (id, fare) x (id, tip) of the rows where id % 4 == 0;
IDX: the same join on an index set with sorted=True; SORT: a full sort_values("fare").
Prints one line `RESULT {"work_s", "result", "method"}`, results fingerprinted as the
tusk side does. On the cluster the shuffle is p2p when pyarrow is present, else tasks.
"""
import json
import sys
import time

import dask
import dask.dataframe as dd


def main():
    wl, path = sys.argv[1], sys.argv[2]
    where = sys.argv[3] if len(sys.argv) > 3 else "threads"
    method = "tasks"
    client = cluster = None
    if where == "cluster":
        from distributed import Client, LocalCluster
        try:
            import pyarrow  # noqa: F401  (p2p needs it)
            method = "p2p"
        except ImportError:
            pass
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        dask.config.set(scheduler="threads", num_workers=2)

    t0 = time.perf_counter()
    df = dd.read_csv(path)
    if wl == "LL":
        left = df[["id", "fare"]]
        right = df[df.id % 4 == 0][["id", "tip"]]
        j = left.merge(right, on="id", how="inner", shuffle=method)
        n, s = dask.compute(j.shape[0], j.fare.sum())
        res = {"rows": int(n), "sum_fare": round(float(s), 2)}
    elif wl == "IDX":
        ix = df[["id", "fare", "tip"]].assign(k=df.id).set_index("id", sorted=True)
        j = ix[["fare"]].merge(ix[ix.k % 4 == 0][["tip"]], left_index=True, right_index=True, how="inner")
        n, s = dask.compute(j.shape[0], j.fare.sum())
        res = {"rows": int(n), "sum_fare": round(float(s), 2)}
    else:
        out = df.sort_values("fare")
        lens, first = dask.compute(out.map_partitions(len), out.fare.head(1, npartitions=-1, compute=False))
        res = {"rows": int(lens.sum()), "min_fare": float(first.iloc[0])}
    print("RESULT " + json.dumps({"work_s": time.perf_counter() - t0, "result": res, "method": method}), flush=True)
    if client is not None:
        client.close()
        cluster.close()


# Worker processes re-import this file: only the parent runs the workload.
if __name__ == "__main__":
    main()
