#!/usr/bin/env python3
"""Validates a YAML file against a JSON Schema (the draft the schema declares): the project's
.gitlab-ci.yml against GitLab's CI schema, generated pipelines against GitLab's and GitHub's.

Usage: check_yaml_schema.py SCHEMA [FILE]   (FILE defaults to .gitlab-ci.yml at the repo root)
"""
import json
import os
import sys

import jsonschema
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    schema_path = sys.argv[1]
    target = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, ".gitlab-ci.yml")
    with open(schema_path, encoding="utf-8") as handle:
        schema = json.load(handle)
    with open(target, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    errors = sorted(jsonschema.validators.validator_for(schema)(schema).iter_errors(document), key=lambda e: list(e.absolute_path))
    for error in errors:
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        print(f"{target}: {where}: {error.message}", file=sys.stderr)
    if errors:
        return 1
    print(f"{target}: valid against {os.path.basename(schema_path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
