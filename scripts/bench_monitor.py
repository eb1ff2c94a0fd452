"""Times `runner monitor` against pandas + SciPy computing the same drift statistics.

Both read synth_mixed.csv (50,000 rows) as the current data. runner compares it with the
profile its bundle carries (training split, 40,000 rows, summarized); the Python side reads
the training rows themselves as the reference, as Evidently and NannyML do, and computes per
numeric column the Wasserstein distance normalized by the reference standard deviation and
PSI over reference deciles, per categorical column the Jensen-Shannon distance and PSI over
categories. Best of 5 runs each, in one process run, wall-clock.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from scipy import spatial, stats

SPEC = """version: 1
name: mixed
seed: 1
data: {source: DATA, target: label}
preprocess:
  - impute: {columns: numeric, strategy: median}
  - impute: {columns: categorical, strategy: most_frequent}
  - one_hot: {columns: categorical, handle_unknown: ignore}
  - scale: {columns: numeric}
models:
  - {name: logreg, type: logistic_regression, params: {max_iter: 200}}
search: {cv: 2}
"""


def best(function, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def python_drift(reference_path, current_path):
    reference = pd.read_csv(reference_path, keep_default_na=False, na_values=[""])
    current = pd.read_csv(current_path, keep_default_na=False, na_values=[""])
    results = {}
    for column in reference.columns:
        if column == "label":
            continue
        ref, cur = reference[column].dropna(), current[column].dropna()
        if pd.api.types.is_numeric_dtype(ref):
            edges = np.unique(np.quantile(ref, np.linspace(0.1, 0.9, 9)))
            r = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=len(edges) + 1) / len(ref)
            c = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=len(edges) + 1) / len(cur)
            r, c = np.maximum(r, 1e-4), np.maximum(c, 1e-4)
            results[column] = (stats.wasserstein_distance(ref, cur) / max(np.std(ref), 1e-3), float(np.sum((c - r) * np.log(c / r))))
        else:
            categories = sorted(set(ref) | set(cur))
            r = ref.value_counts().reindex(categories, fill_value=0).to_numpy(float)
            c = cur.value_counts().reindex(categories, fill_value=0).to_numpy(float)
            rs, cs = np.maximum(r / r.sum(), 1e-4), np.maximum(c / c.sum(), 1e-4)
            results[column] = (float(spatial.distance.jensenshannon(r, c)), float(np.sum((cs - rs) * np.log(cs / rs))))
    return results


def main(shared):
    data = os.path.abspath(os.path.join(shared, "datasets", "synth_mixed.csv"))
    runner = os.path.abspath(".build/release/runner")
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "exp.yaml"), "w") as spec:
            spec.write(SPEC.replace("DATA", data))
        subprocess.run([runner, "run", "exp.yaml", "--quiet"], cwd=folder, check=True, stdout=subprocess.DEVNULL)
        bundle = os.path.join(folder, "out", "mixed", "model.bundle")
        command = [runner, "monitor", bundle, "--data", data, "--json"]
        report = json.loads(subprocess.run(command, capture_output=True, text=True).stdout)
        runner_seconds = best(lambda: subprocess.run(command, capture_output=True))
        # The Python side's reference: the training rows themselves (here the whole file, a
        # little more than the 40,000 training rows runner profiled).
        python_seconds = best(lambda: python_drift(data, data))
        bundle_kib = os.path.getsize(bundle) / 1024
    print(f"rows checked: {report['rows']}, columns: {len(report['columns'])}, status: {report['status']}")
    print(f"runner monitor (read, predict, {len(report['columns'])} column tests, predictions, metrics): {runner_seconds * 1000:.0f} ms")
    print(f"pandas + SciPy (read reference and current, distances and PSI per column): {python_seconds * 1000:.0f} ms")
    print(f"ratio: {python_seconds / runner_seconds:.1f}x; the reference travels in a {bundle_kib:.0f} KiB bundle instead of the training CSV")


if __name__ == "__main__":
    main(sys.argv[1])
