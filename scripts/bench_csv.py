#!/usr/bin/env python3
"""pandas side of the CSV ingest benchmark: the same protocol as Benchmarks/CSVBench
(read the whole file REPEATS times, median wall time, peak RSS from /proc/self/status).
Usage: bench_csv.py FILE [REPEATS]"""
import json
import os
import sys
import time


from benchutil import memory_kb


def main():
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    import pandas as pd  # imported before the baseline, so the baseline includes the library

    baseline = memory_kb("VmRSS")
    times = []
    shape = (0, 0)
    for _ in range(repeats):
        start = time.perf_counter()
        frame = pd.read_csv(path)
        times.append(time.perf_counter() - start)
        shape = frame.shape
        del frame
    times.sort()
    median = times[len(times) // 2]
    size = os.path.getsize(path)
    print(json.dumps({
        "tool": "pandas " + pd.__version__, "file": os.path.basename(path), "bytes": size,
        "rows": shape[0], "columns": shape[1], "repeats": repeats, "median_seconds": median,
        "best_seconds": times[0], "mb_per_second": size / 1e6 / median,
        "peak_rss_mb": memory_kb("VmHWM") / 1024, "baseline_rss_mb": baseline / 1024,
    }, sort_keys=True))


if __name__ == "__main__":
    main()
