#!/usr/bin/env python3
"""Checks schemas/experiment.schema.json against the specs the project ships.

Every spec in experiments/ must validate; every spec in Tests/SpecTests/Fixtures/invalid/
must be rejected (the same files `runner validate` must reject, see SpecFixtureTests).
Needs: jsonschema, PyYAML. Prints one line per file and 'N passed, N failed'.
"""
import glob
import json
import os
import sys

import jsonschema
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load(path):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    return json.loads(text) if path.endswith(".json") else yaml.safe_load(text)


def main():
    with open(os.path.join(ROOT, "schemas", "experiment.schema.json"), encoding="utf-8") as handle:
        schema = json.load(handle)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    valid = sorted(glob.glob(os.path.join(ROOT, "experiments", "*.yaml")) + glob.glob(os.path.join(ROOT, "experiments", "*.json")))
    invalid = sorted(glob.glob(os.path.join(ROOT, "Tests", "SpecTests", "Fixtures", "invalid", "*.yaml")))
    passed = failed = 0
    for path in valid + invalid:
        name = os.path.relpath(path, ROOT)
        try:
            errors = list(validator.iter_errors(load(path)))
        except yaml.YAMLError as error:
            errors = [error]
        expected_valid = path in valid
        if (not errors) == expected_valid:
            passed += 1
            print(f"ok    {name}: {'valid' if expected_valid else 'rejected'}")
        else:
            failed += 1
            detail = "; ".join(getattr(e, "message", str(e)) for e in errors[:3]) if errors else "accepted"
            print(f"FAIL  {name}: expected {'valid' if expected_valid else 'rejected'}, got {detail}")
    if not valid or not invalid:
        print("FAIL  no specs found")
        failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
