"""Checks runner's drift statistics against SciPy (a reference tool only).

Reads the cases Tests/MonitorTests/DriftStatisticsTests.swift wrote (inputs and runner's
results) and recomputes each with scipy.stats / scipy.spatial: ks_2samp (method="auto"),
kstwo.sf, chi2_contingency, chi2.sf, wasserstein_distance, jensenshannon. Exact results
must agree within 1e-9, asymptotic ones within 1e-6. Prints one line per disagreement and a
summary; exits 1 on any disagreement.
"""
import json
import sys

import numpy as np
from scipy import stats
from scipy.spatial import distance


def close(ours, theirs, tolerance):
    if theirs is None or ours is None:
        return ours is None and theirs is None
    if np.isnan(theirs):
        return ours is None or np.isnan(ours)
    return abs(ours - theirs) <= tolerance * max(1.0, abs(theirs))


def main(path):
    cases = json.load(open(path))
    failures = 0
    for case in cases:
        kind = case["kind"]
        checks = []
        if kind == "ks":
            result = stats.ks_2samp(case["reference"], case["current"], method="auto")
            exact = max(len(case["reference"]), len(case["current"])) <= 10000
            tolerance = 1e-9 if exact else 1e-6
            checks = [("statistic", case["statistic"], float(result.statistic), 1e-12),
                      ("p-value", case["p"], float(result.pvalue), tolerance)]
        elif kind == "kstwo":
            checks = [("sf", case["sf"], float(stats.kstwo.sf(case["x"], case["n"])), 1e-6)]
        elif kind == "chi2":
            table = np.array(case["table"], dtype=float)
            keep = table.sum(axis=0) > 0
            result = stats.chi2_contingency(table[:, keep], correction=True)
            checks = [("statistic", case["statistic"], float(result.statistic), 1e-9),
                      ("p-value", case["p"], float(result.pvalue), 1e-9),
                      ("dof", case["dof"], float(result.dof), 0)]
        elif kind == "chi2sf":
            checks = [("sf", case["sf"], float(stats.chi2.sf(case["x"], case["dof"])), 1e-9)]
        elif kind == "wasserstein":
            checks = [("distance", case["distance"], float(stats.wasserstein_distance(case["reference"], case["current"])), 1e-9)]
        elif kind == "jensenshannon":
            checks = [("distance", case["distance"], float(distance.jensenshannon(case["p"], case["q"])), 1e-9)]
        else:
            raise SystemExit(f"unknown case kind {kind}")
        for name, ours, theirs, tolerance in checks:
            if not close(ours, theirs, tolerance):
                failures += 1
                print(f"{case['name']}: {name} runner {ours!r} scipy {theirs!r}")
    print(f"{len(cases) - failures} of {len(cases)} cases agree with scipy {__import__('scipy').__version__}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
