"""Scheduler overhead: N trivial tasks through dask's schedulers (copied from /work/shared/peers/bench/sched_dask.py for bench/distributed.ts).

Usage: /usr/bin/python3 sched_dask.py SCHED GRAPH N
  SCHED: sync | threads | dist   (dist = distributed LocalCluster, 2 workers x 1 thread)
  GRAPH: flat  - N independent inc(i) tasks, all N keys requested
         tree  - N leaves inc(i) reduced pairwise by add() to one root (2N-1 tasks)
work_s = time of the get() call only (graph already built); us_per_task = work_s / ntasks.
"""
import json
import sys
import time
from operator import add


def inc(x):
    return x + 1


def main():
    sched, graph, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    import dask
    import dask.local
    import dask.threaded
    client = cluster = None
    if sched == "dist":
        from distributed import Client, LocalCluster
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
        get = client.get
    elif sched == "threads":
        def get(dsk, keys):
            return dask.threaded.get(dsk, keys, num_workers=2)
    elif sched == "sync":
        get = dask.local.get_sync
    else:
        raise SystemExit(f"unknown scheduler {sched}")

    tb = time.perf_counter()
    dsk = {("inc", i): (inc, i) for i in range(n)}
    if graph == "flat":
        keys = [("inc", i) for i in range(n)]
        expect = n * (n + 1) // 2
    else:
        level = [("inc", i) for i in range(n)]
        d = 0
        while len(level) > 1:
            nxt = []
            for j in range(0, len(level) - 1, 2):
                k = ("add", d, j // 2)
                dsk[k] = (add, level[j], level[j + 1])
                nxt.append(k)
            if len(level) % 2:
                nxt.append(level[-1])
            level, d = nxt, d + 1
        keys = level[0]
        expect = n * (n + 1) // 2
    build_s = time.perf_counter() - tb
    t0 = time.perf_counter()
    out = get(dsk, keys)
    work_s = time.perf_counter() - t0
    total = sum(out) if graph == "flat" else out
    assert total == expect, (total, expect)
    ntasks = len(dsk)
    print("RESULT " + json.dumps({"work_s": work_s, "build_s": build_s, "ntasks": ntasks,
                                  "us_per_task": 1e6 * work_s / ntasks,
                                  "result": {"ntasks": ntasks, "total": total}}), flush=True)
    if client is not None:
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()
