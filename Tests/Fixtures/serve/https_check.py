"""HTTPS with a certificate the test made: a prediction over TLS succeeds with the
certificate as the trusted CA, a client that does not trust it is refused, and plain HTTP to
the TLS port fails cleanly (a closed connection, no hang) without hurting the server.

usage: https_check.py PORT CERT.pem MODEL BODY.json"""
import http.client
import ssl
import sys


def predict(port, context, model, body):
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=60)
    connection.request("POST", "/v1/models/%s/predict" % model, body=body, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return response.status, text, connection


def main():
    port, cert, model, body_path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    body = open(body_path, "rb").read()
    trusted = ssl.create_default_context(cafile=cert)
    status, text, _ = predict(port, trusted, model, body)
    assert status == 200, (status, text)
    assert '"predictions"' in text, text

    connection = http.client.HTTPSConnection("127.0.0.1", port, context=trusted, timeout=60)
    connection.connect()
    version = connection.sock.version()
    connection.close()
    assert version in ("TLSv1.2", "TLSv1.3"), version

    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.load_verify_locations(cafile=cert)
    old.maximum_version = ssl.TLSVersion.TLSv1_1
    old.minimum_version = ssl.TLSVersion.TLSv1
    try:
        predict(port, old, model, body)
        raise AssertionError("TLS 1.1 was accepted")
    except (ssl.SSLError, ConnectionError, OSError):
        pass

    untrusted = ssl.create_default_context()
    try:
        predict(port, untrusted, model, body)
        raise AssertionError("a client that does not trust the certificate got an answer")
    except ssl.SSLCertVerificationError:
        pass

    plain = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        plain.request("GET", "/v2/health/live")
        response = plain.getresponse()
        raise AssertionError("plain HTTP got a response: %s" % response.status)
    except (http.client.RemoteDisconnected, http.client.BadStatusLine, ConnectionError):
        pass
    plain.close()

    status, text, _ = predict(port, trusted, model, body)
    assert status == 200, (status, text)
    print("ok: %s, plain HTTP refused, untrusted and TLS 1.1 clients refused" % version)


if __name__ == "__main__":
    main()
