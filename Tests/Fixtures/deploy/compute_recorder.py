"""A stand-in for the Google Compute Engine API on loopback that records each request.

gcloud is pointed at it with CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE; every request is
appended to RECORD (one JSON object per line: method, path, query, body) and answered the
way the real API answers: inserts return a finished operation, gets return the resource,
lists return what was inserted. Usage: compute_recorder.py PORT_FILE RECORD
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

PORT_FILE, RECORD = sys.argv[1], sys.argv[2]
lock = threading.Lock()
created = {}  # collection path -> {name: resource}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def record(self, body):
        parts = urlsplit(self.path)
        with lock, open(RECORD, "a") as out:
            out.write(json.dumps({"method": self.command, "path": parts.path, "query": parse_qs(parts.query), "body": body}) + "\n")

    def base(self):
        return "http://%s:%d" % self.server.server_address[:2]

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        self.record(body)
        path = urlsplit(self.path).path
        name = (body or {}).get("name", "resource")
        with lock:
            created.setdefault(path, {})[name] = body
        scope = path.rsplit("/", 1)[0]
        self.answer(200, {
            "kind": "compute#operation", "id": "1", "name": "operation-" + name, "status": "DONE", "progress": 100,
            "operationType": "insert", "targetLink": self.base() + path + "/" + name,
            "selfLink": self.base() + scope + "/operations/operation-" + name,
            **({"zone": self.base() + scope} if "/zones/" in path else {}),
        })

    def do_GET(self):
        self.record(None)
        path = urlsplit(self.path).path
        if "/operations/" in path:
            name = path.rsplit("/", 1)[1]
            return self.answer(200, {"kind": "compute#operation", "name": name, "status": "DONE", "progress": 100,
                                     "selfLink": self.base() + path})
        if "/global/images/family/" in path:
            project = path.split("/projects/")[1].split("/")[0]
            return self.answer(200, {"kind": "compute#image", "name": "image-1", "family": path.rsplit("/", 1)[1],
                                     "selfLink": self.base() + "/compute/v1/projects/%s/global/images/image-1" % project})
        if "/aggregated/" in path:
            kind = path.rsplit("/", 1)[1]
            items = {}
            with lock:
                for collection, resources in created.items():
                    if collection.endswith("/" + kind) and "/zones/" in collection:
                        zone = collection.split("/zones/")[1].split("/")[0]
                        for resource in resources.values():
                            resource = dict(resource, zone=self.base() + collection.rsplit("/", 1)[0])
                            items.setdefault("zones/" + zone, {kind: []})[kind].append(resource)
            return self.answer(200, {"kind": "compute#aggregatedList", "items": items})
        with lock:
            if path in created:  # a list
                return self.answer(200, {"kind": "compute#list", "items": list(created[path].values())})
            collection, name = path.rsplit("/", 1)
            resource = created.get(collection, {}).get(name)
        if resource is not None:
            resource = dict(resource)
            resource.setdefault("selfLink", self.base() + path)
            if "/instances/" in path:
                resource["status"] = "RUNNING"
                resource["networkInterfaces"] = [{"accessConfigs": [{"natIP": "192.0.2.10"}]}]
            return self.answer(200, resource)
        if path.endswith("s"):
            return self.answer(200, {"kind": "compute#list", "items": []})
        self.answer(404, {"error": {"code": 404, "message": "The resource '%s' was not found" % path}})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORT_FILE + ".tmp", "w") as out:
    out.write(str(server.server_address[1]))
import os
os.rename(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()
