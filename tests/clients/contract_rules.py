"""An independent reader of the contract Meshdesk wrote into the Schema Registry:
confluent-kafka's SchemaRegistryClient reads the subject's latest version (metadata and rule
set), and its AvroSerializer, with its own CEL rule executor, serializes one good record and
one that breaks a rule (nothing is produced: serializing is where the rules run).

usage: contract_rules.py REGISTRY_URL SUBJECT GOOD_JSON BAD_JSON
GOOD_JSON and BAD_JSON are records as JSON; `timestamp` fields take epoch milliseconds.
Prints lines: "owners <owners>", "product <id>", "pii <path>" per tag, "rule <name> <expr>",
"good: serialized <n> bytes", "bad: refused <message>" (or "bad: serialized" if it was not).
"""
import datetime
import json
import sys

from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.schema_registry.rules.cel.cel_executor import CelExecutor
from confluent_kafka.serialization import MessageField, SerializationContext, SerializationError


def record(text):
    value = json.loads(text)
    if isinstance(value.get("timestamp"), int):
        value["timestamp"] = datetime.datetime.fromtimestamp(value["timestamp"] / 1000, tz=datetime.timezone.utc)
    return value


def main() -> int:
    registry_url, subject, good, bad = sys.argv[1:5]
    CelExecutor.register()
    registry = SchemaRegistryClient({"url": registry_url})
    latest = registry.get_latest_version(subject)
    metadata = latest.schema.metadata
    props = metadata.properties.properties if metadata and metadata.properties else {}
    print(f"owners {props.get('owners', '')}")
    print(f"product {props.get('meshdesk.product', '')}")
    tags = metadata.tags.tags if metadata and metadata.tags else {}
    for path, names in sorted(tags.items()):
        if "PII" in names:
            print(f"pii {path}")
    rules = latest.schema.rule_set.domain_rules if latest.schema.rule_set else []
    for r in rules:
        print(f"rule {r.name} {r.expr}")

    serializer = AvroSerializer(
        registry,
        None,
        conf={"auto.register.schemas": False, "use.latest.version": True},
    )
    topic = subject[: -len("-value")] if subject.endswith("-value") else subject
    ctx = SerializationContext(topic, MessageField.VALUE)
    data = serializer(record(good), ctx)
    print(f"good: serialized {len(data)} bytes")
    try:
        serializer(record(bad), ctx)
        print("bad: serialized")
    except SerializationError as e:
        # The ERROR action raises from the rule's own error, whose message is the rule's doc.
        cause = e.__cause__
        print(f"bad: refused {type(cause).__name__ if cause else type(e).__name__}: {cause or e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
