"""POSTs a CSV file to runner serve's /v1 predict endpoint and prints the CSV answer.

Usage: predict_csv.py URL CSV_FILE (URL includes ?proba=true when wanted).
"""
import sys
import urllib.request

url, path = sys.argv[1], sys.argv[2]
with open(path, "rb") as handle:
    body = handle.read()
request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "text/csv", "Accept": "text/csv"})
with urllib.request.urlopen(request, timeout=60) as response:
    sys.stdout.write(response.read().decode())
