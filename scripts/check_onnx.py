#!/usr/bin/env python3
"""Runs runner's ONNX exports in onnxruntime and compares them with runner's own predictions.

Usage: check_onnx.py CASES.json
CASES.json lists {"name", "model" (path to .onnx), "inputs" ({column: [values]}, null = NaN),
"labels" or "values", "probabilities" (rows of class probabilities, optional)}.
Labels must be identical; probabilities and regression values must agree within 1e-9
(absolute, and relative for values larger than 1). Prints one line per case; exits 1 on any
mismatch.
"""
import json
import sys

import numpy as np
import onnxruntime as ort

TOLERANCE = 1e-9


def feed(session, inputs):
    arrays = {}
    for spec in session.get_inputs():
        values = inputs[spec.name]
        if spec.type == "tensor(string)":
            arrays[spec.name] = np.array(values, dtype=object).reshape(-1, 1)
        else:
            arrays[spec.name] = np.array([np.nan if v is None else v for v in values], dtype=np.float64).reshape(-1, 1)
    return arrays


def check(case):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(case["model"], options, providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    results = dict(zip(names, session.run(None, feed(session, case["inputs"]))))
    problems = []
    if "labels" in case:
        labels = [str(label) for label in results["label"].reshape(-1)]
        differing = [i for i, (a, b) in enumerate(zip(labels, case["labels"])) if a != b]
        if len(labels) != len(case["labels"]) or differing:
            problems.append(f"{len(differing)} labels differ (first at row {differing[:3]})")
        expected = np.array(case["probabilities"], dtype=np.float64)
        gap = float(np.max(np.abs(results["probabilities"] - expected))) if expected.size else 0.0
        if not gap <= TOLERANCE:
            problems.append(f"probabilities differ by up to {gap:.3g}")
        detail = f"{len(labels)} labels identical, probabilities within {gap:.2g}"
    else:
        values = results["prediction"].reshape(-1)
        expected = np.array(case["values"], dtype=np.float64)
        scale = np.maximum(1.0, np.abs(expected))
        gap = float(np.max(np.abs(values - expected) / scale))
        if not gap <= TOLERANCE:
            problems.append(f"values differ by up to {gap:.3g} (relative)")
        detail = f"{len(values)} values within {gap:.2g}"
    return problems, detail


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as handle:
        cases = json.load(handle)
    failed = 0
    for case in cases:
        problems, detail = check(case)
        if problems:
            failed += 1
            print(f"FAIL {case['name']}: {'; '.join(problems)}")
        else:
            print(f"ok   {case['name']}: {detail}")
    print(f"{len(cases) - failed} of {len(cases)} exports agree with runner (onnxruntime {ort.__version__})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
