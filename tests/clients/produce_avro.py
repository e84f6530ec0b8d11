"""An independent producer for the end-to-end tests: confluent-kafka's own Avro serializer,
against the registry's latest value schema of the topic (nothing registered here).

usage: produce_avro.py CLUSTER REGISTRY_URL TOPIC COUNT
CLUSTER: host:port, or a JSON object of librdkafka properties (bootstrap.servers, SASL, ...)
Prints one line per record: "produced <partition> <offset> <productId>".
"""
import datetime
import json
import sys

from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.schema_registry.rules.cel.cel_executor import CelExecutor
from confluent_kafka.serialization import MessageField, SerializationContext, StringSerializer


def cluster(arg):
    """librdkafka properties from a host:port or a JSON object of properties."""
    return json.loads(arg) if arg.startswith("{") else {"bootstrap.servers": arg}


def main() -> int:
    bootstrap, registry_url, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    # The subject's version carries the contract's quality rules (CEL): a producer that writes
    # with the latest version runs them, so it needs the executor (without it confluent-kafka
    # refuses to serialize: "Could not find rule executor of type CEL").
    CelExecutor.register()
    registry = SchemaRegistryClient({"url": registry_url})
    latest = registry.get_latest_version(f"{topic}-value")
    serializer = AvroSerializer(
        registry,
        latest.schema.schema_str,
        conf={"auto.register.schemas": False, "use.latest.version": True},
    )
    keys = StringSerializer("utf_8")
    producer = Producer({**cluster(bootstrap), "enable.idempotence": True})
    delivered = []

    def report(err, msg):
        if err is not None:
            raise SystemExit(f"delivery failed: {err}")
        delivered.append((msg.partition(), msg.offset(), msg.key().decode()))

    for i in range(count):
        sku = f"SKU-PY-{i:03d}"
        value = {
            "productId": sku,
            "locationId": "WH-PY-1",
            "quantity": 40 + i,
            "timestamp": datetime.datetime.now(tz=datetime.timezone.utc),
        }
        producer.produce(
            topic,
            key=keys(sku),
            value=serializer(value, SerializationContext(topic, MessageField.VALUE)),
            on_delivery=report,
        )
    producer.flush(30)
    if len(delivered) != count:
        raise SystemExit(f"only {len(delivered)} of {count} records were delivered")
    for p, o, k in delivered:
        print(f"produced {p} {o} {k}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
