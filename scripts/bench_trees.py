#!/usr/bin/env python3
"""Reference side of the tree benchmark: one model, the protocol of sklearn_baseline.py's
speed section (80/20 split, random_state=42, stratified for classification; fit on the 80%,
predict the 20%; best of REPEATS). Prints one JSON line with fit/predict seconds, the test
score and the process's peak RSS. Run each model in its own process so peak RSS is its own.
Usage: bench_trees.py MODEL FILE TARGET TASK [REPEATS]
  MODEL: sklearn_rf | sklearn_hgb | lightgbm"""
import json
import os
import sys
import time


from benchutil import memory_kb


def main():
    model_name, path, target, task = sys.argv[1:5]
    repeats = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    import pandas as pd
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.model_selection import train_test_split

    df = pd.read_csv(path)
    X = df.drop(columns=[target]).to_numpy()
    y = df[target].to_numpy()
    clf = task == "classification"
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y if clf else None)
    baseline = memory_kb("VmRSS")

    def make():
        if model_name == "sklearn_rf":
            from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
            cls = RandomForestClassifier if clf else RandomForestRegressor
            return cls(n_estimators=100, n_jobs=2, random_state=0)
        if model_name == "sklearn_hgb":
            from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
            cls = HistGradientBoostingClassifier if clf else HistGradientBoostingRegressor
            return cls(max_iter=100, early_stopping=False, random_state=0)
        import lightgbm
        cls = lightgbm.LGBMClassifier if clf else lightgbm.LGBMRegressor
        return cls(n_estimators=100, n_jobs=2, random_state=0, verbose=-1)

    fits, predicts, score = [], [], None
    for _ in range(repeats):
        model = make()
        start = time.perf_counter()
        model.fit(X_tr, y_tr)
        fits.append(time.perf_counter() - start)
        start = time.perf_counter()
        pred = model.predict(X_te)
        predicts.append(time.perf_counter() - start)
        score = accuracy_score(y_te, pred) if clf else r2_score(y_te, pred)
    print(json.dumps({"model": model_name, "file": os.path.basename(path), "fit_s": min(fits), "predict_s": min(predicts),
                      "fit_runs": fits, "score": score, "peak_rss_mb": memory_kb("VmHWM") / 1024,
                      "baseline_rss_mb": baseline / 1024}))


if __name__ == "__main__":
    main()
