#!/usr/bin/env python3
"""Writes Tests/LearnTests/Fixtures/metrics.json: metric values computed by scikit-learn on
fixed predictions, which the Swift tests must reproduce to 1e-9.
Run with a Python that has scikit-learn (e.g. .venv-bench/bin/python); commit the output."""
import json
import os

import numpy as np
import sklearn
from sklearn import metrics as m

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rng = np.random.default_rng(7)


def classification_case(name, y_true, y_pred, proba, n_classes):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = list(range(n_classes))
    values = {
        "accuracy": m.accuracy_score(y_true, y_pred),
        "balanced_accuracy": m.balanced_accuracy_score(y_true, y_pred),
        "precision_macro": m.precision_score(y_true, y_pred, average="macro", zero_division=0),
        "recall_macro": m.recall_score(y_true, y_pred, average="macro", zero_division=0),
        "f1_macro": m.f1_score(y_true, y_pred, average="macro", zero_division=0),
        "precision_weighted": m.precision_score(y_true, y_pred, average="weighted", zero_division=0),
        "recall_weighted": m.recall_score(y_true, y_pred, average="weighted", zero_division=0),
        "f1_weighted": m.f1_score(y_true, y_pred, average="weighted", zero_division=0),
        "log_loss": m.log_loss(y_true, proba, labels=labels),
    }
    if n_classes == 2:
        values["precision"] = m.precision_score(y_true, y_pred, zero_division=0)
        values["recall"] = m.recall_score(y_true, y_pred, zero_division=0)
        values["f1"] = m.f1_score(y_true, y_pred, zero_division=0)
        values["roc_auc"] = m.roc_auc_score(y_true, np.asarray(proba)[:, 1])
    elif len(set(y_true.tolist())) == n_classes:
        values["roc_auc"] = m.roc_auc_score(y_true, proba, multi_class="ovr", average="macro", labels=labels)
    return {"name": name, "task": "classification", "classes": n_classes, "truth": y_true.tolist(),
            "predicted": y_pred.tolist(), "probabilities": np.asarray(proba).tolist(),
            "confusion": m.confusion_matrix(y_true, y_pred, labels=labels).tolist(),
            "values": {k: float(v) for k, v in values.items()}}


def probabilities(n, k, ties=False):
    p = rng.random((n, k))
    if ties:
        p = np.round(p, 1) + 0.05
    return p / p.sum(axis=1, keepdims=True)


cases = []
# Binary, with tied scores.
p = probabilities(40, 2, ties=True)
y = rng.integers(0, 2, 40)
cases.append(classification_case("binary_with_ties", y, (p[:, 1] > 0.5).astype(int), p, 2))
# Three classes; one class is never predicted.
p = probabilities(60, 3)
y = rng.integers(0, 3, 60)
pred = np.where(p.argmax(axis=1) == 2, 0, p.argmax(axis=1))
cases.append(classification_case("multiclass_missing_prediction", y, pred, p, 3))
# Four classes; class 3 appears in neither truth nor prediction (fold without it).
p = probabilities(30, 4)
p[:, 3] = 0.0
p = p / p.sum(axis=1, keepdims=True)
y = rng.integers(0, 3, 30)
cases.append(classification_case("multiclass_absent_class", y, p.argmax(axis=1), p, 4))
# A confident, perfect binary prediction (log loss clipping).
y = np.array([0, 1, 1, 0, 1])
p = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
cases.append(classification_case("binary_perfect", y, y, p, 2))

# Regression.
for name, truth, predicted in [
    ("regression", rng.normal(10, 3, 50), None),
    ("regression_with_zero_targets", np.array([0.0, 1.0, -2.0, 0.0, 5.5]), np.array([0.1, 0.9, -2.5, 0.0, 4.0])),
    ("regression_constant_truth", np.array([3.0, 3.0, 3.0]), np.array([3.0, 2.0, 4.0])),
]:
    if predicted is None:
        predicted = truth + rng.normal(0, 1, truth.shape)
    values = {
        "rmse": m.root_mean_squared_error(truth, predicted),
        "mse": m.mean_squared_error(truth, predicted),
        "mae": m.mean_absolute_error(truth, predicted),
        "r2": m.r2_score(truth, predicted),
        "mape": m.mean_absolute_percentage_error(truth, predicted),
    }
    cases.append({"name": name, "task": "regression", "truth": truth.tolist(), "predicted": predicted.tolist(),
                  "values": {k: float(v) for k, v in values.items()}})

out = os.path.join(ROOT, "Tests", "LearnTests", "Fixtures", "metrics.json")
with open(out, "w") as handle:
    json.dump({"generator": f"scikit-learn {sklearn.__version__}, scripts/make_metric_fixtures.py", "cases": cases}, handle, indent=1)
print(f"wrote {out}: {len(cases)} cases")
