#!/usr/bin/env python3
"""pandas side of the database load benchmark: the same protocol as Benchmarks/DatabaseBench
(pd.read_sql of the query through SQLAlchemy + psycopg, REPEATS times, median wall time,
peak RSS). Usage: bench_database.py URL QUERY [REPEATS]   (password: PGPASSWORD)"""
import json
import sys
import time

from benchutil import memory_kb


def main():
    url, query = sys.argv[1], sys.argv[2]
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    import pandas as pd
    import sqlalchemy

    engine = sqlalchemy.create_engine(url.replace("postgres://", "postgresql+psycopg://", 1).split("?")[0])
    baseline = memory_kb("VmRSS")
    times = []
    shape = (0, 0)
    for _ in range(repeats):
        start = time.perf_counter()
        with engine.connect() as connection:
            frame = pd.read_sql(sqlalchemy.text(query), connection)
        times.append(time.perf_counter() - start)
        shape = frame.shape
        del frame
    times.sort()
    median = times[len(times) // 2]
    print(json.dumps({
        "tool": f"pandas {pd.__version__} + SQLAlchemy {sqlalchemy.__version__} + psycopg", "rows": shape[0], "columns": shape[1],
        "repeats": repeats, "median_seconds": median, "best_seconds": times[0], "rows_per_second": shape[0] / median,
        "peak_rss_mb": memory_kb("VmHWM") / 1024, "baseline_rss_mb": baseline / 1024,
    }, sort_keys=True))


if __name__ == "__main__":
    main()
