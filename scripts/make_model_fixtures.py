#!/usr/bin/env python3
"""Writes Tests/LearnTests/Fixtures/models.json: what scikit-learn learns and predicts on the
copies of iris.csv and diabetes.csv in the same folder, for the Swift tests to compare with.
Run with a Python that has scikit-learn (e.g. .venv-bench/bin/python); commit the output."""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests", "LearnTests", "Fixtures")

iris = pd.read_csv(os.path.join(FIX, "iris.csv"))
diabetes = pd.read_csv(os.path.join(FIX, "diabetes.csv"))
Xi = iris.drop(columns=["species"]).to_numpy()
classes = sorted(iris["species"].unique())
yi = np.array([classes.index(v) for v in iris["species"]])
Xd = diabetes.drop(columns=["target"]).to_numpy()
yd = diabetes["target"].to_numpy()
Xis = StandardScaler().fit_transform(Xi)
Xds = StandardScaler().fit_transform(Xd)
binary = yi != 0  # versicolor or virginica vs setosa -> use versicolor vs virginica rows
Xb, yb = Xis[yi > 0], (yi[yi > 0] == 2).astype(int)

out = {"generator": f"scikit-learn {sklearn.__version__}, scripts/make_model_fixtures.py"}
out["scalers"] = {
    "standard": StandardScaler().fit(Xd).transform(Xd[:5]).tolist(),
    "minmax": MinMaxScaler().fit(Xd).transform(Xd[:5]).tolist(),
    "robust": RobustScaler().fit(Xd).transform(Xd[:5]).tolist(),
}
for name, model in [("linear_regression", LinearRegression()), ("ridge_1", Ridge(alpha=1.0)), ("ridge_100", Ridge(alpha=100.0))]:
    model.fit(Xd, yd)
    out[name] = {"coef": model.coef_.tolist(), "intercept": float(model.intercept_)}
lasso = Lasso(alpha=0.5).fit(Xds, yd)
out["lasso_0.5"] = {"coef": lasso.coef_.tolist(), "intercept": float(lasso.intercept_), "n_iter": int(lasso.n_iter_)}
multi = LogisticRegression(C=1.0, max_iter=1000, tol=1e-8).fit(Xis, yi)
out["logistic_multinomial"] = {"coef": multi.coef_.tolist(), "intercept": multi.intercept_.tolist(),
                               "proba_first5": multi.predict_proba(Xis[:5]).tolist()}
binary_model = LogisticRegression(C=0.5, max_iter=1000, tol=1e-8).fit(Xb, yb)
out["logistic_binary"] = {"coef": binary_model.coef_.tolist(), "intercept": binary_model.intercept_.tolist(),
                          "proba_first5": binary_model.predict_proba(Xb[:5]).tolist()}
nb = GaussianNB().fit(Xi, yi)
out["gaussian_nb"] = {"proba": nb.predict_proba(Xi[::10]).tolist(), "predict": nb.predict(Xi).tolist()}
for weights in ["uniform", "distance"]:
    knn = KNeighborsClassifier(n_neighbors=7, weights=weights).fit(Xis[::2], yi[::2])
    out[f"knn_classifier_{weights}"] = {"proba": knn.predict_proba(Xis[1::2]).tolist(), "predict": knn.predict(Xis[1::2]).tolist()}
    knr = KNeighborsRegressor(n_neighbors=5, weights=weights, p=1).fit(Xds[::2], yd[::2])
    out[f"knn_regressor_{weights}"] = {"predict": knr.predict(Xds[1::2]).tolist()}
with open(os.path.join(FIX, "models.json"), "w") as handle:
    json.dump(out, handle, indent=1)
print("wrote models.json")
