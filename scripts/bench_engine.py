"""Engine benchmarks; run through scripts/bench-engine (it builds the release binaries)."""
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

RUNNER = os.path.abspath(".build/release/runner")
BENCH = os.path.abspath(".build/release/engine-bench")


def wall(command, repeats, cwd=None):
    """Median wall milliseconds of a whole command (process start included)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def hashing(scratch):
    path = os.path.join(scratch, "data-200mb.bin")
    with open(path, "wb") as handle:
        handle.write(os.urandom(200 * 1000 * 1000))
    ours = json.loads(subprocess.check_output([BENCH, "hash", path, "7"]))
    sha256sum = wall(["sha256sum", path], 7)
    hashlib_times = []
    for _ in range(7):
        start = time.perf_counter()
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            while chunk := handle.read(4 << 20):
                digest.update(chunk)
        hashlib_times.append(time.perf_counter() - start)
    python = 200 / statistics.median(hashlib_times)
    print(f"| SHA-256 of a 200 MB file (page cache) | {ours['mb_per_s']:.0f} MB/s | Python hashlib (OpenSSL) {python:.0f} MB/s, "
          f"sha256sum {200e3 / sha256sum:.0f} MB/s; target >= 1000 MB/s |")


def warm_noop():
    for spec in ["experiments/penguins.yaml", "experiments/cars.yaml", "experiments/titanic.json"]:
        store = tempfile.mkdtemp(prefix="bench-store-")
        command = [RUNNER, "run", spec, "--quiet", "--store", store, "--out", os.path.join(store, "out")]
        cold = wall(command, 1)
        warm = wall(command, 21)
        print(f"| `runner run {spec}` warm no-op (cold {cold:.0f} ms) | {warm:.1f} ms | target < 50 ms |")
        shutil.rmtree(store)


def plan_large(scratch):
    folder = os.path.join(scratch, "large")
    os.makedirs(os.path.join(folder, "data"))
    shutil.copy("experiments/data/penguins.csv", os.path.join(folder, "data"))
    values = ", ".join(f"{1e-9 * (1 + i):.3e}" for i in range(1000))
    with open(os.path.join(folder, "exp.yaml"), "w") as handle:
        handle.write(
            "version: 1\nname: large\ndata: {source: data/penguins.csv, target: species, drop: [year]}\n"
            "preprocess:\n  - impute: {columns: numeric}\n  - impute: {columns: categorical, strategy: most_frequent}\n"
            "  - one_hot: {columns: categorical}\n"
            f"models:\n  - {{name: nb, type: gaussian_nb, grid: {{var_smoothing: [{values}]}}}}\n"
            "search: {cv: 5}\n")
    empty = wall([RUNNER, "plan", "exp.yaml"], 11, cwd=folder)
    cold = wall([RUNNER, "run", "exp.yaml", "--quiet"], 1, cwd=folder)
    cached = wall([RUNNER, "plan", "exp.yaml"], 11, cwd=folder)
    cached_json = wall([RUNNER, "plan", "exp.yaml", "--format", "json"], 11, cwd=folder)
    status = wall([RUNNER, "status", "exp.yaml"], 11, cwd=folder)
    noop = wall([RUNNER, "run", "exp.yaml", "--quiet"], 11, cwd=folder)
    print(f"| `runner plan` 1,000 candidates x 5 folds (5,003 stages), empty store | {empty:.0f} ms | target < 200 ms |")
    print(f"| `runner plan` same, every stage cached (5,003 keys and records checked) | {cached:.0f} ms | target < 200 ms |")
    print(f"| `runner plan --format json` same, cached | {cached_json:.0f} ms | |")
    print(f"| `runner status` same, cached | {status:.0f} ms | |")
    print(f"| `runner run` same, warm no-op | {noop:.0f} ms | (cold run: {cold / 1000:.1f} s for 5,000 fits) |")


def overhead(shared, scratch):
    data = os.path.join(shared, "datasets", "synth_classification.csv")
    if not os.path.exists(data):
        print("| engine overhead | skipped: no ../shared/datasets |")
        return
    folder = os.path.join(scratch, "overhead")
    os.makedirs(os.path.join(folder, "data"))
    os.symlink(os.path.abspath(data), os.path.join(folder, "data", "synth.csv"))
    spec = os.path.join(folder, "exp.yaml")
    with open(spec, "w") as handle:
        handle.write(
            "version: 1\nname: overhead\ndata: {source: data/synth.csv, target: y, task: classification}\n"
            "preprocess:\n  - scale: {columns: numeric}\n"
            "models:\n  - {name: logreg, type: logistic_regression, grid: {C: [0.1, 1]}}\n"
            "  - {name: boosting, type: hist_gradient_boosting, params: {max_iter: 50}}\n"
            "search: {cv: 3}\n")
    result = json.loads(subprocess.check_output([BENCH, "overhead", spec, "7", "2"]))
    print(f"| cold run, 100,000 rows x 20, 3 candidates x 3 folds, 2 threads: engine {result['engine_s']:.2f} s, "
          f"Learn called directly {result['direct_s']:.2f} s (median of 7 alternating pairs) | ratio {result['ratio']:.3f} "
          f"(pairs: {', '.join(str(r) for r in result['ratios'])}) | target <= 1.05 |")


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else "../shared"
    scratch = tempfile.mkdtemp(prefix="bench-engine-")
    try:
        print("| measurement | runner | reference / target |")
        print("|---|---|---|")
        # Warm runs first: writing the 200 MB hashing file leaves dirty pages whose writeback
        # slows the fsyncs every run makes.
        warm_noop()
        plan_large(scratch)
        hashing(scratch)
        overhead(shared, scratch)
    finally:
        shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
