#!/usr/bin/env python3
"""Re-measures scikit-learn's linear-family grid search (logistic regression / ridge) per
dataset with the protocol of ../shared/bench/sklearn_baseline.py (imported from there, so
preprocessing, split, folds and grids are exactly the reference's). Prints one JSON line per
dataset: wall seconds of GridSearchCV.fit (n_jobs=2, as the reference) and its best CV score.
Usage: sklearn_linear_search.py BENCH_DIR [DATASET ...]"""
import importlib.util
import json
import os
import sys
import time
import warnings


def main():
    bench = sys.argv[1]
    spec = importlib.util.spec_from_file_location("sklearn_baseline", os.path.join(bench, "sklearn_baseline.py"))
    base = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(base)
    from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, train_test_split
    from sklearn.pipeline import Pipeline

    names = sys.argv[2:] or sorted(base.DATASETS)
    for name in names:
        target, task = base.DATASETS[name]
        df = base.read_csv(name)
        num, cat = base.split_columns(df, target)
        X = base.to_model_frame(df.drop(columns=[target]), cat)
        y = df[target]
        clf = task != "regression"
        X_tr, _, y_tr, _ = train_test_split(X, y, test_size=0.2, random_state=base.SEED, stratify=y if clf else None)
        cv = StratifiedKFold(5, shuffle=True, random_state=base.SEED) if clf else KFold(5, shuffle=True, random_state=base.SEED)
        family, est, grid = base.model_grid(task)[0]
        pipe = Pipeline([("prep", base.make_preprocessor(num, cat)), ("model", est)])
        search = GridSearchCV(pipe, grid, cv=cv, scoring="accuracy" if clf else "r2", n_jobs=base.N_JOBS, refit=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            search.fit(X_tr, y_tr)
            wall = time.perf_counter() - start
        print(json.dumps({"dataset": name, "family": family, "search_wall_s": wall, "best_cv_score": float(search.best_score_)}), flush=True)


if __name__ == "__main__":
    main()
