"""See scripts/bench-diagnostics. Prints a Markdown table for BENCHMARKS.md."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LinearRegression
from sklearn.metrics import classification_report, precision_recall_curve, roc_curve
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB

RUNNER = os.path.abspath(".build/release/runner")
CASES = [
    ("synth_regression.csv", "y", "regression", "linear_regression", "r2"),
    ("synth_classification.csv", "y", "classification", "gaussian_nb", "accuracy"),
]


def runner_seconds(data, target, kind, model, scoring):
    folder = tempfile.mkdtemp(prefix="bench-diagnostics-")
    try:
        spec = f"""version: 1
name: bench
seed: 1
data: {{source: {data}, target: {target}}}
split: {{test_size: 0.2}}
models:
  - {{name: m, type: {model}}}
search: {{cv: 2, scoring: {scoring}}}
package: {{formats: [bundle]}}
"""
        with open(os.path.join(folder, "exp.yaml"), "w") as handle:
            handle.write(spec)
        subprocess.run([RUNNER, "run", "exp.yaml", "--quiet", "--store", "store"], cwd=folder, check=True, stdout=subprocess.DEVNULL)
        results = json.load(open(os.path.join(folder, "out", "bench", "results.json")))
        return next(stage["seconds"] for stage in results["stages"] if stage["name"] == "diagnose")
    finally:
        shutil.rmtree(folder)


def sklearn_seconds(data, target, kind):
    frame = pd.read_csv(data)
    x, y = frame.drop(columns=[target]).to_numpy(dtype=float), frame[target]
    # Labels stay as pandas read them (integers here): runner encodes classes as integers too.
    train_x, test_x, train_y, test_y = train_test_split(x, y, test_size=0.2, random_state=1)
    model = (GaussianNB() if kind == "classification" else LinearRegression()).fit(train_x, train_y)
    start = time.perf_counter()
    prediction = model.predict(test_x)
    if kind == "classification":
        proba = model.predict_proba(test_x)
        classification_report(test_y, prediction, output_dict=True, zero_division=0)
        for index, label in enumerate(model.classes_):
            positive = (test_y == label).to_numpy().astype(int)
            roc_curve(positive, proba[:, index])
            precision_recall_curve(positive, proba[:, index])
            calibration_curve(positive, proba[:, index], n_bins=10)
    permutation_importance(model, test_x, test_y, scoring="accuracy" if kind == "classification" else "r2", n_repeats=5, random_state=0)
    return time.perf_counter() - start


def main():
    shared = os.path.join(sys.argv[1], "datasets")
    print("| data (test rows) | model | runner `diagnose` | scikit-learn | ratio |")
    print("|---|---|---|---|---|")
    for name, target, kind, model, scoring in CASES:
        data = os.path.abspath(os.path.join(shared, name))
        ours = min(runner_seconds(data, target, kind, model, scoring) for _ in range(3))
        theirs = min(sklearn_seconds(data, target, kind) for _ in range(3))
        print(f"| {name} (20,000) | {model} | {ours * 1000:.0f} ms | {theirs * 1000:.0f} ms | {theirs / ours:.1f}x |")


if __name__ == "__main__":
    main()
