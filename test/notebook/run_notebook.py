#!/usr/bin/python3
"""Execute a TypeScript (tslab) notebook headlessly and check its outputs.

Copied from ../shared/notebooks/run_notebook.py; run by scripts/ci-notebook.sh.

Uses only Debian's python3-nbclient (+ its deps jupyter-client, nbformat).
Run with /usr/bin/python3 (Debian's Python), not a pyenv/venv Python.

Checks, per code cell:
  * the cell did not fail (tslab: execute_reply status "error"),
  * no stderr output (tslab prints compile errors, thrown errors, and async
    "UncaughtException:"/"UnhandledPromiseRejection:" reports to stderr),
  * optional expectations in cell metadata, e.g.
      "metadata": {"expect": {"stdout": ["hello, CI"], "mime": {"text/html": "<b>hi</b>"}}}
    (a mime expectation may also be a list of strings, each in some output of that type;
    outputs updated in place, e.g. a progress bar, are checked in their final state)
Prints 'N passed, N failed' and exits 1 on any failure.
"""
import argparse
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


def joined(x):
    return "".join(x) if isinstance(x, list) else str(x)


def stream_text(cell, name):
    return "".join(joined(o.get("text", "")) for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == name)


def mime_values(cell, mime):
    vals = []
    for o in cell.get("outputs", []):
        if o.get("output_type") in ("display_data", "execute_result") and mime in o.get("data", {}):
            vals.append(joined(o["data"][mime]))
    return vals


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("notebook")
    ap.add_argument("--out", help="where to write the executed notebook (default: <name>.out.ipynb)")
    ap.add_argument("--timeout", type=int, default=120, help="per-cell timeout, seconds")
    ap.add_argument("--startup-timeout", type=int, default=60)
    ap.add_argument("--kernel", default=None, help="kernel name (default: the notebook's kernelspec)")
    ap.add_argument("--allow-stderr", action="store_true")
    a = ap.parse_args()

    path = os.path.abspath(a.notebook)
    out = a.out or os.path.splitext(path)[0] + ".out.ipynb"
    nb = nbformat.read(path, as_version=4)
    kw = dict(timeout=a.timeout, startup_timeout=a.startup_timeout,
              resources={"metadata": {"path": os.path.dirname(path)}})  # kernel cwd = notebook dir
    if a.kernel:
        kw["kernel_name"] = a.kernel
    replies, started = {}, []  # cell index -> execute_reply status; indices of started cells
    kw["on_cell_start"] = lambda cell, cell_index: started.append(cell_index)
    kw["on_cell_executed"] = lambda cell, cell_index, execute_reply: replies.__setitem__(
        cell_index, execute_reply["content"].get("status"))
    client = NotebookClient(nb, **kw)

    t0 = time.time()
    fatal = None
    try:
        client.execute()
    except CellTimeoutError:
        fatal = f"cell timed out after {a.timeout}s"
    except DeadKernelError:
        fatal = "kernel died"
    except CellExecutionError:
        fatal = "cell failed"
    except Exception as e:  # kernel failed to start, etc.
        fatal = f"{type(e).__name__}: {e}"
    elapsed = time.time() - t0
    nbformat.write(nb, out)

    passed = failed = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        problems = []
        err = stream_text(cell, "stderr")
        status = replies.get(i)
        if status is None:
            problems.append(f"{fatal} here" if fatal and started and started[-1] == i else "not executed")
        elif status != "ok":
            problems.append(f"kernel replied status={status!r}")
        if err and not a.allow_stderr:
            problems.append("stderr output")
        exp = cell.get("metadata", {}).get("expect", {})
        out_text = stream_text(cell, "stdout")
        for s in exp.get("stdout", []):
            if s not in out_text:
                problems.append(f"stdout lacks {s!r}")
        for mime, wants in exp.get("mime", {}).items():
            for want in ([wants] if isinstance(wants, str) else wants):
                if not any(want in v for v in mime_values(cell, mime)):
                    problems.append(f"no {mime} output containing {want!r}")
        if problems:
            failed += 1
            print(f"FAIL cell {i}: {'; '.join(problems)}")
            print("  source: | " + cell.source.replace("\n", "\n          | "))
            if err:
                print("  stderr: | " + err.rstrip().replace("\n", "\n          | "))
        else:
            passed += 1
    if fatal:
        print(f"notebook stopped: {fatal}")
    print(f"executed {os.path.basename(path)} in {elapsed:.1f}s -> {out}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if (failed or fatal) else 0)


if __name__ == "__main__":
    main()
