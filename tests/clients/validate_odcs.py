"""Validates an ODCS data contract with the standard's own artefacts: the JSON Schema shipped in
the `open-data-contract-standard` package and its Pydantic model (which forbids unknown keys).

usage: validate_odcs.py FILE
Prints the problems; exit 0 when valid, 1 otherwise.
"""
import json
import pathlib
import sys

import jsonschema
import open_data_contract_standard
import yaml
from open_data_contract_standard.model import OpenDataContractStandard


def main() -> int:
    text = pathlib.Path(sys.argv[1]).read_text()
    doc = yaml.safe_load(text)
    schema = json.loads((pathlib.Path(open_data_contract_standard.__file__).parent / "schema.json").read_text())
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in jsonschema.Draft201909Validator(schema).iter_errors(doc)]
    try:
        OpenDataContractStandard.from_string(text)
    except Exception as e:  # the model's own validation error, printed as is
        problems.append(f"model: {e}")
    for p in problems:
        print(p)
    if problems:
        print(f"invalid: {len(problems)} problem(s)")
        return 1
    print(f"valid: ODCS {doc['apiVersion']} {doc['id']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
