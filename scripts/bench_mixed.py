#!/usr/bin/env python3
"""Reference side of the mixed-type benchmark (scripts/bench-trees --mixed): on one dataset
with numeric and text columns, ../shared/bench/sklearn_baseline.py's protocol (80/20 split,
random_state=42, stratified; numeric mean-imputed and standardized, categorical
most-frequent-imputed and one-hot encoded, unknown ignored).

  grid FAMILY: GridSearchCV(n_jobs=2, refit=True), 5-fold StratifiedKFold(shuffle, 42), the
               baseline's grid (random_forest: max_depth [None, 10], 100 trees;
               hist_gradient_boosting: learning_rate [0.05, 0.1], 200 iterations, no early
               stopping); wall time of the whole fit.
  fit MODEL:   one fit on the preprocessed training split (lightgbm: 100 trees, 31 leaves,
               n_jobs=2; sklearn_hgb: 100 iterations, no early stopping), best of REPEATS;
               lightgbm_native, sklearn_hgb_native: the same with the categorical columns
               ordinal-encoded and split natively (categorical_feature, categorical_features).
Prints one JSON line. Usage: bench_mixed.py grid|fit NAME FILE TARGET [REPEATS]"""
import json
import os
import sys
import time
import warnings

from benchutil import memory_kb


def main():
    mode, name, path, target = sys.argv[1:5]
    repeats = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    df = pd.read_csv(path)
    y = df[target]
    X = df.drop(columns=[target])
    categorical = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    numeric = [c for c in X.columns if c not in categorical]
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y)
    prep = ColumnTransformer([
        ("num", Pipeline([("impute", SimpleImputer(strategy="mean")), ("scale", StandardScaler())]), numeric),
        ("cat", Pipeline([("impute", SimpleImputer(strategy="most_frequent")),
                          ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False))]), categorical),
    ])
    baseline = memory_kb("VmRSS")
    if mode == "grid":
        from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
        if name == "random_forest":
            model, grid = RandomForestClassifier(n_estimators=100, random_state=42), {"model__max_depth": [None, 10]}
        else:
            model = HistGradientBoostingClassifier(max_iter=200, early_stopping=False, random_state=42)
            grid = {"model__learning_rate": [0.05, 0.1]}
        search = GridSearchCV(Pipeline([("prep", prep), ("model", model)]), grid, n_jobs=2, refit=True,
                              cv=StratifiedKFold(5, shuffle=True, random_state=42), scoring="accuracy")
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            search.fit(X_tr, y_tr)
        wall = time.perf_counter() - start
        print(json.dumps({"mode": "grid", "model": name, "file": os.path.basename(path), "search_wall_s": wall,
                          "best_cv_score": search.best_score_, "test_accuracy": accuracy_score(y_te, search.predict(X_te)),
                          "peak_rss_mb": memory_kb("VmHWM") / 1024, "baseline_rss_mb": baseline / 1024}))
        return
    native = name.endswith("_native")
    if native:
        # Categorical columns ordinal-encoded after the same imputation, split natively:
        # scikit-learn's categorical_features, LightGBM's categorical_feature.
        from sklearn.preprocessing import OrdinalEncoder
        prep = ColumnTransformer([
            ("num", Pipeline([("impute", SimpleImputer(strategy="mean")), ("scale", StandardScaler())]), numeric),
            ("cat", Pipeline([("impute", SimpleImputer(strategy="most_frequent")),
                              ("ordinal", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1))]), categorical),
        ])
    categorical_indices = list(range(len(numeric), len(numeric) + len(categorical))) if native else None
    train = prep.fit_transform(X_tr)
    test = prep.transform(X_te)
    fits, score = [], None
    for _ in range(repeats):
        if name.startswith("lightgbm"):
            import lightgbm
            model = lightgbm.LGBMClassifier(n_estimators=100, num_leaves=31, n_jobs=2, random_state=0, verbose=-1)
        else:
            from sklearn.ensemble import HistGradientBoostingClassifier
            model = HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0,
                                                   categorical_features=categorical_indices)
        start = time.perf_counter()
        if name.startswith("lightgbm") and native:
            model.fit(train, y_tr, categorical_feature=categorical_indices)
        else:
            model.fit(train, y_tr)
        fits.append(time.perf_counter() - start)
        score = accuracy_score(y_te, model.predict(test))
    print(json.dumps({"mode": "fit", "model": name, "file": os.path.basename(path), "fit_s": min(fits), "fit_runs": fits,
                      "columns": train.shape[1], "test_accuracy": score, "peak_rss_mb": memory_kb("VmHWM") / 1024}))


if __name__ == "__main__":
    main()
