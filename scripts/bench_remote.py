#!/usr/bin/env python3
"""Push and pull against S3 (moto_server on loopback): `runner push` / `runner pull` next to
`aws s3 sync` of the same folder in the same run. A store of 1,000 small blobs (1-8 KB) and
one 200 MB blob; each tool uploads to its own fresh prefix and downloads into an empty folder,
3 times; medians. Usage: bench_remote.py RUNNER [SMALL] [BIG_MB]"""
import hashlib
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(command, env):
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed: {result.stdout}{result.stderr}")
    return elapsed


def main():
    runner = os.path.abspath(sys.argv[1])
    small = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    big_mb = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    bin_dir = os.path.dirname(sys.executable)
    work = tempfile.mkdtemp(prefix="runner-bench-remote-")
    port = free_port()
    moto = subprocess.Popen([os.path.join(bin_dir, "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        env = dict(os.environ, AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                   AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
                   PATH=bin_dir + ":" + os.environ.get("PATH", ""))
        aws = os.path.join(bin_dir, "aws")
        subprocess.run([aws, "s3", "mb", "s3://bench"], env=env, check=True, capture_output=True)
        store = os.path.join(work, "store")
        for folder in ["objects", "stages", "tmp", "hashes"]:
            os.makedirs(os.path.join(store, folder))
        with open(os.path.join(store, "format"), "w") as handle:
            handle.write("runner-store 1\n")
        rng = random.Random(7)
        total = 0
        blobs = [rng.randbytes(rng.randint(1024, 8192)) for _ in range(small)] + [rng.randbytes(big_mb << 20)]
        for blob in blobs:
            digest = hashlib.sha256(blob).hexdigest()
            os.makedirs(os.path.join(store, "objects", digest[:2]), exist_ok=True)
            with open(os.path.join(store, "objects", digest[:2], digest[2:]), "wb") as handle:
                handle.write(blob)
            total += len(blob)
        rows = {"runner push": [], "aws s3 sync (up)": [], "runner pull": [], "aws s3 sync (down)": []}
        for repeat in range(3):
            remote = f"s3://bench/runner{repeat}"
            rows["runner push"].append(timed([runner, "push", "--store", store, "--remote", remote], env))
            rows["aws s3 sync (up)"].append(timed([aws, "s3", "sync", "--quiet", os.path.join(store, "objects"), f"s3://bench/aws{repeat}/objects"], env))
            pulled = os.path.join(work, f"pulled{repeat}")
            rows["runner pull"].append(timed([runner, "pull", "--store", pulled, "--remote", remote], env))
            rows["aws s3 sync (down)"].append(timed([aws, "s3", "sync", "--quiet", f"s3://bench/aws{repeat}/", os.path.join(work, f"aws{repeat}")], env))
            shutil.rmtree(pulled)
            shutil.rmtree(os.path.join(work, f"aws{repeat}"))
        print(json.dumps({"objects": len(blobs), "bytes": total, "median_seconds": {k: statistics.median(v) for k, v in rows.items()},
                          "runs": rows}, indent=1))
    finally:
        moto.terminate()
        moto.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
