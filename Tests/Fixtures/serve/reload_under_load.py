"""Reload under load: client threads predict without pause while the bundle file is replaced
(atomically, by rename) and the server is sent SIGHUP. No request may fail, and every thread
must go on to see the new model's version (and never the old one after it).

usage: reload_under_load.py PORT MODEL BODY.json BUNDLE NEW_BUNDLE SERVER_PID"""
import http.client
import json
import os
import signal
import sys
import threading


def listed_version(port, model):
    probe = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    probe.request("GET", "/v1/models")
    listed = json.loads(probe.getresponse().read())["models"]
    probe.close()
    return [entry["version"] for entry in listed if entry["name"] == model][0]


def main():
    port, model, body_path, bundle, new_bundle, pid = sys.argv[1:7]
    port, pid = int(port), int(pid)
    body = open(body_path, "rb").read()
    failures, versions, lock = [], [], threading.Lock()
    swapped = threading.Event()
    stop = threading.Event()
    new_version = []

    def client(index):
        seen = []
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while not stop.is_set():
            try:
                connection.request("POST", "/v1/models/%s/predict" % model, body=body, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                text = response.read()
                if response.status != 200:
                    with lock:
                        failures.append((index, response.status, text[:200]))
                    continue
                version = json.loads(text)["model_version"]
                seen.append(version)
                if new_version and version == new_version[0] and seen.count(version) >= 20:
                    break
            except Exception as error:  # noqa: BLE001 - any failed request fails the test
                with lock:
                    failures.append((index, "exception", repr(error)))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.close()
        with lock:
            versions.append(seen)

    threads = [threading.Thread(target=client, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    # Swap only once traffic flows: wait for each thread's first answers.
    while True:
        with lock:
            if failures:
                break
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        probe.request("GET", "/metrics")
        metrics = probe.getresponse().read().decode()
        probe.close()
        counted = [line for line in metrics.splitlines() if line.startswith('runner_predicted_rows_total{model="%s"}' % model)]
        if counted and float(counted[0].split()[-1]) >= 200:
            break
    old = listed_version(port, model)
    os.rename(new_bundle, bundle)
    os.kill(pid, signal.SIGHUP)
    # The reload is in once /v1/models reports another version.
    while not failures:
        current = listed_version(port, model)
        if current != old:
            new_version.append(current)
            break
    if failures:
        stop.set()
    for thread in threads:
        thread.join()
    assert not failures, failures[:5]
    for seen in versions:
        assert seen[-1] == new_version[0], ("a thread never saw the new model", seen[-3:])
        first_new = seen.index(new_version[0])
        assert all(version == new_version[0] for version in seen[first_new:]), "an answer from the old model came after the new one"
    print("ok: %d requests, none failed, every thread switched to %s" % (sum(len(seen) for seen in versions), new_version[0]))


if __name__ == "__main__":
    main()
