#!/usr/bin/env python3
"""Checks runner's evaluation outputs against scikit-learn on the same rows and probabilities:
roc_curve, roc_auc_score, average_precision_score, classification_report, calibration_curve,
and permutation_importance (scikit-learn's own model and shuffles: means within 0.01).
Input: the JSON cases Tests/LearnTests/DiagnosticsParityTests.swift writes."""
import csv
import json
import sys

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LinearRegression
from sklearn.metrics import average_precision_score, classification_report, roc_auc_score, roc_curve
from sklearn.naive_bayes import GaussianNB


def close(name, ours, theirs, tolerance, failures):
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    if ours.shape != theirs.shape or not np.allclose(ours, theirs, atol=tolerance, rtol=0):
        failures.append(f"{name}: runner {ours.tolist()} scikit-learn {theirs.tolist()}")
    return 1


def main():
    cases = json.load(open(sys.argv[1]))
    checks, failures = 0, []
    for case in cases:
        name = case["name"]
        with open(case["csv"], newline="") as handle:
            rows = list(csv.DictReader(handle))
        features = case["features"]
        x = np.array([[float(row[f]) for f in features] for row in rows])
        train, test = case["train"], case["test"]
        if case["task"] == "classification":
            classes = case["classes"]
            y = np.array([classes.index(row[case["target"]]) for row in rows])
            truth, proba, predicted = np.array(case["truth"]), np.array(case["probabilities"]), np.array(case["predicted"])
            if not np.array_equal(truth, y[test]):
                failures.append(f"{name}: the test rows' labels differ")
            report = classification_report(truth, predicted, labels=list(range(len(classes))), output_dict=True, zero_division=0)
            for index, scores in enumerate(case["classScores"]):
                theirs = report[str(index)]
                checks += close(f"{name} report {classes[index]}", [scores["precision"], scores["recall"], scores["f1"], scores["support"]],
                                [theirs["precision"], theirs["recall"], theirs["f1-score"], theirs["support"]], 1e-12, failures)
            for curve in case["curves"]:
                index = classes.index(curve["label"])
                positive = (truth == index).astype(int)
                fpr, tpr, _ = roc_curve(positive, proba[:, index])
                checks += close(f"{name} roc_curve {curve['label']}", [curve["roc"]["x"], curve["roc"]["y"]], [fpr, tpr], 1e-12, failures)
                checks += close(f"{name} roc_auc {curve['label']}", curve["rocAUC"], roc_auc_score(positive, proba[:, index]), 1e-12, failures)
                checks += close(f"{name} average_precision {curve['label']}", curve["averagePrecision"], average_precision_score(positive, proba[:, index]), 1e-12, failures)
                observed, predicted_mean = calibration_curve(positive, proba[:, index], n_bins=10)
                checks += close(f"{name} calibration {curve['label']}", [curve["calibration"]["x"], curve["calibration"]["y"]], [predicted_mean, observed], 1e-12, failures)
            model = GaussianNB().fit(x[train], y[train])
            scoring = "accuracy"
        else:
            y = np.array([float(row[case["target"]]) for row in rows])
            model = LinearRegression().fit(x[train], y[train])
            scoring = "r2"
        reference = permutation_importance(model, x[test], y[test], scoring=scoring, n_repeats=case["repeats"], random_state=0)
        ours = {item["column"]: item["mean"] for item in case["importances"]}
        checks += close(f"{name} permutation importance", [ours[f] for f in features], reference.importances_mean, 0.01, failures)
        checks += close(f"{name} importance baseline", case["baseline"], model.score(x[test], y[test]), 1e-6, failures)
    for failure in failures:
        print("MISMATCH", failure)
    print(f"{checks - len(failures)} of {checks} checks agree")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
