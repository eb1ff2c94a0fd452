#!/usr/bin/env python3
"""Writes a larger table of the same shape as ../shared/datasets/synth_mixed.csv for the
scaling benchmark (scripts/bench-mixed --scale): the design of ../shared/bench/make_synth_mixed.py
(6 numeric columns, 8 categorical columns of 8, 16, 7, 14, 6, 5, 2 and 41 levels with 5%
missing in three, a binary label depending on both) with ROWS rows. Not committed: made on demand.
usage: make_mixed_rows.py ROWS OUT.csv"""
import sys

import numpy as np


def main():
    rows, out = int(sys.argv[1]), sys.argv[2]
    rng = np.random.default_rng(20261205)
    columns, logit = {}, np.zeros(rows)
    columns["age"] = rng.integers(17, 91, rows)
    columns["weight"] = rng.lognormal(12, 0.5, rows).round().astype(int)
    columns["years"] = rng.integers(1, 17, rows)
    columns["gain"] = np.where(rng.random(rows) < 0.08, rng.integers(100, 99999, rows), 0)
    columns["loss"] = np.where(rng.random(rows) < 0.05, rng.integers(100, 4000, rows), 0)
    columns["hours"] = np.clip(rng.normal(40, 12, rows).round(), 1, 99).astype(int)
    logit += 0.04 * (columns["age"] - 40) + 0.25 * (columns["years"] - 9) + 0.00004 * columns["gain"] + 0.03 * (columns["hours"] - 40)
    for index, levels in enumerate([8, 16, 7, 14, 6, 5, 2, 41]):
        codes = rng.choice(levels, rows, p=rng.dirichlet(np.ones(levels) * 0.7))
        logit += rng.normal(0, 0.8, levels)[codes]
        values = np.array([f"c{index}_{level:02d}" for level in range(levels)], dtype=object)[codes]
        if index in (0, 3, 7):
            values[rng.random(rows) < 0.05] = ""
        columns[f"cat{index}"] = values
    label = logit - np.median(logit) + rng.logistic(0, 1.2, rows) > 0
    columns["label"] = np.where(label, "yes", "no")
    names = list(columns)
    with open(out, "w") as handle:
        handle.write(",".join(names) + "\n")
        for row in range(rows):
            handle.write(",".join(str(columns[name][row]) for name in names) + "\n")


if __name__ == "__main__":
    main()
