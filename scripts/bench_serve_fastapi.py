"""The Python reference server of scripts/bench-serve: FastAPI + uvicorn serving the
scikit-learn pipeline the way users write it (JSON records into a DataFrame, predict).
Each model is fitted at start on BENCH_DATA (the same CSV runner's bundles were fitted on),
with the pipeline of ../shared/bench's protocol."""
import os

import pandas as pd
from fastapi import FastAPI, HTTPException
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

TARGET, DROP = "species", ["year"]


def fit(model):
    frame = pd.read_csv(os.environ["BENCH_DATA"])
    features = frame.drop(columns=[TARGET] + DROP)
    numeric = features.select_dtypes("number").columns.tolist()
    categorical = [name for name in features.columns if name not in numeric]
    preprocess = ColumnTransformer([
        ("numeric", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), numeric),
        ("categorical", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore", sparse_output=False)), categorical),
    ])
    return Pipeline([("preprocess", preprocess), ("model", model)]).fit(features, frame[TARGET])


MODELS = {
    "forest": fit(RandomForestClassifier(n_estimators=100, random_state=42)),
    "logreg": fit(LogisticRegression(max_iter=1000)),
}
app = FastAPI()


@app.post("/predict/{name}")
def predict(name: str, rows: list[dict]):
    if name not in MODELS:
        raise HTTPException(status_code=404, detail="no model named " + name)
    return {"predictions": MODELS[name].predict(pd.DataFrame(rows)).tolist()}
