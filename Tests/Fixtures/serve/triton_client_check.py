"""A client nobody here wrote: tritonclient[http] (NVIDIA's Open Inference Protocol client)
reads the model's metadata and predicts rows of a CSV file, first with its default binary
tensors, then with JSON tensors; every label and probability must equal what
`runner predict --proba` wrote for the same rows (EXPECTED, its CSV).

usage: triton_client_check.py HOST:PORT MODEL ROWS.csv EXPECTED.csv"""
import csv
import sys

import numpy as np
import tritonclient.http as httpclient


def main():
    url, model, rows_path, expected_path = sys.argv[1:5]
    with open(rows_path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(expected_path, newline="") as handle:
        expected = list(csv.DictReader(handle))
    client = httpclient.InferenceServerClient(url=url)
    assert client.is_server_live() and client.is_server_ready(), "server not live and ready"
    assert client.is_model_ready(model), "model not ready"
    server = client.get_server_metadata()
    assert "binary_tensor_data" in server["extensions"], server
    metadata = client.get_model_metadata(model)
    assert metadata["name"] == model, metadata
    outputs = [output["name"] for output in metadata["outputs"]]
    assert outputs[0] == "label" and all(name.startswith("proba_") for name in outputs[1:]), outputs

    for binary in (True, False):
        inputs = []
        for tensor in metadata["inputs"]:
            name, datatype = tensor["name"], tensor["datatype"]
            assert tensor["shape"] == [-1], tensor
            values = [row[name] for row in rows]
            if datatype == "BYTES":
                array = np.array([("" if value == "NA" else value).encode() for value in values], dtype=np.object_)
            elif datatype == "FP64":
                array = np.array([float("nan") if value in ("", "NA") else float(value) for value in values], dtype=np.float64)
            else:
                raise AssertionError("unexpected datatype " + datatype)
            tensor_input = httpclient.InferInput(name, [len(rows)], datatype)
            tensor_input.set_data_from_numpy(array, binary_data=binary)
            inputs.append(tensor_input)
        requested = [httpclient.InferRequestedOutput(name, binary_data=binary) for name in outputs]
        result = client.infer(model, inputs, outputs=requested, request_id="triton-%s" % binary)
        response = result.get_response()
        assert response["id"] == "triton-%s" % binary, response
        labels = [value.decode() if isinstance(value, bytes) else value for value in result.as_numpy("label").tolist()]
        for index, row in enumerate(expected):
            assert labels[index] == row["prediction"], (index, labels[index], row["prediction"])
            for name in outputs[1:]:
                got = float(result.as_numpy(name)[index])
                want = float(row[name])
                assert got == want, (index, name, repr(got), repr(want))
    print("ok: %d rows, binary and JSON tensors, %d outputs" % (len(rows), len(outputs)))


if __name__ == "__main__":
    main()
