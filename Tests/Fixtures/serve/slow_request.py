"""A request still arriving when the server is told to stop: sends the head and half the
body, waits until /metrics shows the request in flight, prints "in-flight", waits for a line
on stdin (the test sends SIGTERM first), sends the rest and prints the response status and body.

usage: slow_request.py PORT MODEL BODY.json"""
import http.client
import socket
import sys


def main():
    port, model, body_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    body = open(body_path, "rb").read()
    half = len(body) // 2
    connection = socket.create_connection(("127.0.0.1", port))
    head = ("POST /v1/models/%s/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n" % (model, len(body))).encode()
    connection.sendall(head + body[:half])
    while True:
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        probe.request("GET", "/metrics")
        text = probe.getresponse().read().decode()
        probe.close()
        in_flight = [line for line in text.splitlines() if line.startswith("runner_http_requests_in_flight ")]
        # The slow request and this probe.
        if in_flight and float(in_flight[0].split()[-1]) >= 2:
            break
    print("in-flight", flush=True)
    sys.stdin.readline()
    connection.sendall(body[half:])
    response = http.client.HTTPResponse(connection)
    response.begin()
    text = response.read().decode()
    print(response.status)
    print(text)


if __name__ == "__main__":
    main()
