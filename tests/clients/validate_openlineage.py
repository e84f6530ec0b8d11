"""Checks OpenLineage run events (a JSON array in a file) against the spec's model as
openlineage-python ships it: each event is rebuilt from the package's generated classes, whose
validators check the run id (a UUID), the event time (ISO 8601 with a time), the producer and
schema URLs; serialized back by the package's own Serde, it must equal the input (but for the
empty lists and objects the model fills in by default), so no field is unknown, misnamed or
mistyped, and every facet's _schemaURL is the one the package's facet
class declares. Prints `valid: N events` or the first difference and exits 1."""

import json
import sys

from openlineage.client.event_v2 import Dataset, InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.generated import documentation_job, job_type_job, ownership_job, schema_dataset
from openlineage.client.serde import Serde


def schema_facet(f):
    return schema_dataset.SchemaDatasetFacet(
        fields=[
            schema_dataset.SchemaDatasetFacetFields(name=x["name"], type=x.get("type"), description=x.get("description"))
            for x in f["fields"]
        ],
        producer=f["_producer"],
    )


def dataset(cls, d):
    facets = {}
    for k, f in d.get("facets", {}).items():
        if k != "schema":
            raise ValueError(f"unexpected dataset facet {k}")
        facets["schema"] = schema_facet(f)
    return cls(namespace=d["namespace"], name=d["name"], facets=facets)


def job_facets(facets):
    out = {}
    for k, f in facets.items():
        if k == "documentation":
            out[k] = documentation_job.DocumentationJobFacet(description=f["description"], producer=f["_producer"])
        elif k == "ownership":
            out[k] = ownership_job.OwnershipJobFacet(
                owners=[ownership_job.Owner(name=o["name"], type=o.get("type")) for o in f["owners"]],
                producer=f["_producer"],
            )
        elif k == "jobType":
            out[k] = job_type_job.JobTypeJobFacet(
                processingType=f["processingType"],
                integration=f["integration"],
                jobType=f.get("jobType"),
                producer=f["_producer"],
            )
        else:
            raise ValueError(f"unexpected job facet {k}")
    return out


def differences(a, b, path="$"):
    """The paths where two JSON values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k in a and k not in b and a[k] in ([], {}):
                continue  # an empty default the model fills in
            if k not in a or k not in b:
                out.append(f"{path}.{k}: {'only in the model' if k in a else 'not in the model'}")
            else:
                out += differences(a[k], b[k], f"{path}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: the model has {json.dumps(a)}, given {json.dumps(b)}"]


def main():
    events = json.load(open(sys.argv[1]))
    if not isinstance(events, list) or not events:
        print("no events")
        sys.exit(1)
    for e in events:
        rebuilt = RunEvent(
            eventTime=e["eventTime"],
            eventType=RunState(e["eventType"]),
            producer=e["producer"],
            run=Run(runId=e["run"]["runId"]),
            job=Job(namespace=e["job"]["namespace"], name=e["job"]["name"], facets=job_facets(e["job"].get("facets", {}))),
            inputs=[dataset(InputDataset, d) for d in e.get("inputs", [])],
            outputs=[dataset(OutputDataset, d) for d in e.get("outputs", [])],
        )
        back = json.loads(Serde.to_json(rebuilt))
        found = differences(back, e)
        if found:
            print("differs from the spec's model:")
            print("\n".join(found))
            sys.exit(1)
        for side in ("inputs", "outputs"):
            for d in e[side]:
                if not d["namespace"].startswith("kafka://"):
                    print(f"{d['name']}: a Kafka dataset's namespace is kafka://host:port")
                    sys.exit(1)
    print(f"valid: {len(events)} events")


main()
