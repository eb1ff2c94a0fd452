"""Serving benchmark; run through scripts/bench-serve (it builds the release binary).

The same two models (a 100-tree random forest and a logistic regression, fitted on the same
data: runner's by `runner run`, scikit-learn's by the reference server at start) served by
(a) `runner serve` and (b) FastAPI + uvicorn with 2 workers, measured one after the other in
one run with wrk on loopback: single-row requests at concurrency 1, 16 and 64 (p50, p99,
requests/s), a 1,000-row batch (rows/s) against scikit-learn's own predict on the same rows,
and each server's resident memory."""
import http.client
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import pandas as pd

RUNNER = os.path.abspath(".build/release/runner")
DURATION = os.environ.get("BENCH_DURATION", "8s")
SPEC = """version: 1
name: {name}
data: {{source: penguins.csv, target: species, drop: [year]}}
preprocess:
  - impute: {{columns: numeric}}
  - impute: {{columns: categorical, strategy: most_frequent}}
  - one_hot: {{columns: categorical, handle_unknown: ignore}}
  - scale: {{columns: numeric}}
models:
  - {{name: {name}, type: {type}, params: {params}}}
search: {{cv: 2}}
"""


def wait_until(port, path, limit=300):
    deadline = time.time() + limit
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            if connection.getresponse().status in (200, 405):
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("server on port %d did not come up" % port)


def rss_kb(pid):
    """Resident memory of a process and all its descendants (uvicorn's workers), KiB."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open("/proc/%d/status" % current) as handle:
                total += next(int(line.split()[1]) for line in handle if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
        stack.extend(children.get(current, []))
    return total


def seconds(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


def wrk(url, body, connections, scratch):
    script = os.path.join(scratch, "post.lua")
    with open(script, "w") as handle:
        handle.write("wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = %s\n" % json.dumps(body))
    threads = 1 if connections == 1 else 2
    output = subprocess.check_output(["wrk", "-t%d" % threads, "-c%d" % connections, "-d" + DURATION, "--latency", "-s", script, url], text=True)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = seconds(re.search(r"\s50%\s+(\S+)", output).group(1))
    p99 = seconds(re.search(r"\s99%\s+(\S+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors or "Socket errors" in output:
        raise SystemExit("wrk saw failed requests:\n" + output)
    return rate, p50, p99


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else "../shared"
    scratch = tempfile.mkdtemp(prefix="bench-serve-")
    servers = []
    try:
        data = os.path.join(scratch, "penguins.csv")
        shutil.copy("experiments/data/penguins.csv", data)
        bundles = {}
        for name, kind, params in [("forest", "random_forest", "{n_estimators: 100}"), ("logreg", "logistic_regression", "{}")]:
            with open(os.path.join(scratch, name + ".yaml"), "w") as handle:
                handle.write(SPEC.format(name=name, type=kind, params=params))
            subprocess.run([RUNNER, "run", name + ".yaml", "--quiet", "--store", "store"], cwd=scratch, check=True, stdout=subprocess.DEVNULL)
            bundles[name] = os.path.join(scratch, "out", name, "model.bundle")
        frame = pd.read_csv(data).dropna()
        features = frame.drop(columns=["species", "year"])
        rows = features.to_dict(orient="records")
        single = json.dumps([rows[0]])
        random.seed(7)
        batch_rows = [random.choice(rows) for _ in range(1000)]
        batch = json.dumps(batch_rows)

        runner_port, python_port = 18471, 18472
        runner = subprocess.Popen([RUNNER, "serve", "forest=" + bundles["forest"], "logreg=" + bundles["logreg"], "--port", str(runner_port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        servers.append(runner)
        wait_until(runner_port, "/v2/health/ready")
        environment = dict(os.environ, BENCH_DATA=data)
        python = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench_serve_fastapi:app", "--workers", "2", "--port", str(python_port),
                                   "--log-level", "warning", "--no-access-log", "--app-dir", os.path.abspath("scripts")],
                                  env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        servers.append(python)
        wait_until(python_port, "/docs")
        # Both answer, and agree on the single row.
        for port, path in [(runner_port, "/v1/models/forest/predict"), (python_port, "/predict/forest")]:
            connection = http.client.HTTPConnection("127.0.0.1", port)
            connection.request("POST", path, body=batch, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            assert response.status == 200, (port, response.status, response.read()[:200])
            response.read()

        from sklearn.ensemble import RandomForestClassifier  # noqa: E402 - only for the in-process reference
        from sklearn.linear_model import LogisticRegression
        os.environ["BENCH_DATA"] = data
        sys.path.insert(0, os.path.abspath("scripts"))
        import bench_serve_fastapi as reference  # noqa: E402
        batch_frame = pd.DataFrame(batch_rows)

        print("| model | load | server | p50 ms | p99 ms | requests/s | ratio (runner / FastAPI) |")
        print("|---|---|---|---:|---:|---:|---:|")
        results = {}
        for model in ["forest", "logreg"]:
            for connections in [1, 16, 64]:
                ours = wrk("http://127.0.0.1:%d/v1/models/%s/predict" % (runner_port, model), single, connections, scratch)
                theirs = wrk("http://127.0.0.1:%d/predict/%s" % (python_port, model), single, connections, scratch)
                results[(model, connections)] = (ours, theirs)
                label = "1 row, %d connection%s" % (connections, "" if connections == 1 else "s")
                print("| %s | %s | runner serve | %.3f | %.3f | %.0f | %.1fx |" % (model, label, ours[1] * 1e3, ours[2] * 1e3, ours[0], ours[0] / theirs[0]))
                print("| %s | %s | FastAPI + uvicorn (2 workers) | %.3f | %.3f | %.0f | |" % (model, label, theirs[1] * 1e3, theirs[2] * 1e3, theirs[0]))
        print()
        print("| model | 1,000-row batch | runner serve | FastAPI + uvicorn | scikit-learn predict in process (no HTTP) |")
        print("|---|---|---:|---:|---:|")
        for model in ["forest", "logreg"]:
            ours = wrk("http://127.0.0.1:%d/v1/models/%s/predict" % (runner_port, model), batch, 1, scratch)
            theirs = wrk("http://127.0.0.1:%d/predict/%s" % (python_port, model), batch, 1, scratch)
            pipeline = reference.MODELS[model]
            times = []
            for _ in range(30):
                start = time.perf_counter()
                pipeline.predict(batch_frame)
                times.append(time.perf_counter() - start)
            in_process = statistics.median(times)
            print("| %s | p50 ms (rows/s) | %.2f (%.0f) | %.2f (%.0f) | %.2f (%.0f) |" % (
                model, ours[1] * 1e3, ours[0] * 1000, theirs[1] * 1e3, theirs[0] * 1000, in_process * 1e3, 1000 / in_process))
        print()
        print("resident memory after the runs: runner serve %.1f MiB; FastAPI + uvicorn (master and 2 workers) %.1f MiB" % (
            rss_kb(runner.pid) / 1024, rss_kb(python.pid) / 1024))
    finally:
        for server in servers:
            try:
                os.killpg(server.pid, signal.SIGTERM) if server.args[0] == sys.executable else server.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
