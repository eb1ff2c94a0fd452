"""Bundle benchmarks; run through scripts/bench-bundle (it builds the release binaries)."""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.model_selection import train_test_split

RUNNER = os.path.abspath(".build/release/runner")
BENCH = os.path.abspath(".build/release/bundle-bench")


def wall(command, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def best(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else "../shared"
    data = os.path.join(shared, "datasets", "synth_classification.csv")
    scratch = tempfile.mkdtemp(prefix="bench-bundle-")
    try:
        frame = pd.read_csv(data)
        features, target = frame.drop(columns=["y"]), frame["y"]
        train_x, _, train_y, _ = train_test_split(features, target, test_size=0.2, stratify=target, random_state=42)
        print("| model | fit s | export s | bundle MB | load ms | `runner predict` 100k rows s | sklearn predict s (read_csv + predict) | ratio |")
        print("|---|---|---|---|---|---|---|---|")
        small = os.path.join(scratch, "iris-forest.bundle")
        made = json.loads(subprocess.check_output([BENCH, "make", "random_forest", "experiments/data/iris.csv", "species", small, "2"]))
        load = json.loads(subprocess.check_output([BENCH, "load", small, "21"]))
        print(f"| random forest, 100 trees, iris (120 rows) | {made['fit_s']:.3f} | {made['export_s']:.4f} | {made['bytes'] / 1e6:.2f} | {load['load_ms']:.2f} | | | |")
        for name, model in [("random_forest", RandomForestClassifier(n_estimators=100, max_features="sqrt", random_state=42, n_jobs=2)),
                            ("hist_gradient_boosting", HistGradientBoostingClassifier(max_iter=200, early_stopping=False, random_state=42))]:
            path = os.path.join(scratch, f"{name}.bundle")
            made = json.loads(subprocess.check_output([BENCH, "make", name, data, "y", path, "2"]))
            load = json.loads(subprocess.check_output([BENCH, "load", path, "5"]))
            ours = wall([RUNNER, "predict", path, data, "--out", os.devnull, "-j", "2"], 5)
            model.fit(train_x, train_y)
            predict_only = best(lambda: model.predict(features), 5)
            with_read = best(lambda: model.predict(pd.read_csv(data).drop(columns=["y"])), 5)
            label = "random forest, 100 trees" if name == "random_forest" else "boosting, 200 iterations"
            print(f"| {label}, 80,000 training rows | {made['fit_s']:.2f} | {made['export_s']:.3f} | {made['bytes'] / 1e6:.1f} | {load['load_ms']:.1f} | "
                  f"{ours:.3f} | {predict_only:.3f} ({with_read:.3f}) | {ours / with_read:.2f} ({ours / predict_only:.2f} vs predict alone) |")
    finally:
        shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
