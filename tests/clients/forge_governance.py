"""An attacker with a stock Kafka producer: writes forged governance events straight to the log,
as anyone with WRITE on the topic could, to show that desktops refuse them.

usage: forge_governance.py CLUSTER TOPIC SPEC.json
CLUSTER: host:port, or a JSON object of librdkafka properties (bootstrap.servers, SASL, ...)
SPEC: {"now_ms": N, "events": [...], "replay": [...], "raw": [...]}
  events: envelopes built here, unsigned, claiming any actor: {"id", "type", "actor", "payload", "at_ms"?}
  replay: {"of": EVENT_ID, "new_id": ID, "payload": {...}}: a signed event read back from the log
          and written again with its payload changed (the signature kept)
  raw:    {"value": TEXT, "timestamp_ms": N?}: bytes handed over as they are (events signed
          elsewhere with a revoked key or a far-off date)
Prints one line per record written: "forged <offset> <id>".
"""
import json
import sys

from confluent_kafka import Consumer, Producer, TopicPartition


def read_log(bootstrap, topic):
    c = Consumer({**cluster(bootstrap), "group.id": "forger", "enable.auto.commit": False})
    low, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
    c.assign([TopicPartition(topic, 0, low)])
    out = {}
    while high > 0:
        m = c.poll(10)
        if m is None:
            raise SystemExit("the log did not answer")
        if m.error():
            continue
        try:
            env = json.loads(m.value())
            out[env["id"]] = env
        except (ValueError, KeyError, TypeError):
            pass
        if m.offset() >= high - 1:
            break
    c.close()
    return out


def cluster(arg):
    """librdkafka properties from a host:port or a JSON object of properties."""
    return json.loads(arg) if arg.startswith("{") else {"bootstrap.servers": arg}


def main() -> int:
    bootstrap, topic, spec_path = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(spec_path) as f:
        spec = json.load(f)
    now = spec["now_ms"]
    records = []
    for e in spec.get("events", []):
        env = {"id": e["id"], "type": e["type"], "version": 1, "actor": e["actor"], "at_ms": e.get("at_ms", now), "payload": e["payload"]}
        records.append((e["id"], json.dumps(env).encode(), None))
    if spec.get("replay"):
        log = read_log(bootstrap, topic)
        for r in spec["replay"]:
            env = dict(log[r["of"]])
            env["id"] = r["new_id"]
            env["payload"] = r["payload"]
            records.append((r["new_id"], json.dumps(env).encode(), None))
    for r in spec.get("raw", []):
        records.append((json.loads(r["value"])["id"], r["value"].encode(), r.get("timestamp_ms")))

    p = Producer(cluster(bootstrap))
    written = []

    def report(err, msg):
        if err is not None:
            raise SystemExit(f"delivery failed: {err}")
        written.append((msg.offset(), msg.key().decode()))

    for key, value, ts in records:
        kwargs = {"timestamp": ts} if ts is not None else {}
        p.produce(topic, key=key.encode(), value=value, on_delivery=report, **kwargs)
        p.flush(10)
    for offset, key in written:
        print(f"forged {offset} {key}")
    return 0 if len(written) == len(records) else 1


if __name__ == "__main__":
    sys.exit(main())
