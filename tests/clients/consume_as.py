"""A stock consumer (the confluent-kafka package) that tries to read a topic as some principal
in some consumer group, to show what the cluster's ACLs let it do.

usage: consume_as.py CLUSTER TOPIC GROUP EXPECTED SECONDS
CLUSTER: a JSON object of librdkafka properties (bootstrap.servers, SASL user and password)
GROUP: a consumer group to subscribe in, or "-" to read every partition by assignment (no
       group: only the topic's ACLs matter)
Reads from the beginning until EXPECTED records arrived, an error arrives, or SECONDS pass.
Prints one line: "read N" or "refused <ERROR_NAME>" or "timeout after N".
"""
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition


def main() -> int:
    conf, topic, group, expected, seconds = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    assign = group == "-"
    # Client-level errors (a failed login) arrive through error_cb, not as a request's answer.
    client_errors = []
    c = Consumer({**conf, "group.id": "assigned" if assign else group, "auto.offset.reset": "earliest",
                  "enable.auto.commit": not assign, "error_cb": client_errors.append})
    if assign:
        # What the cluster says of the topic to this principal (Metadata), then a plain read.
        try:
            md = c.list_topics(topic, timeout=10).topics[topic]
            err = md.error
        except KafkaException as e:
            c.poll(1)  # serves error_cb
            auth = [x for x in client_errors if x.code() == KafkaError._AUTHENTICATION]
            err = auth[0] if auth else e.args[0]
        if err is not None:
            print(f"refused {err.name()}")
            c.close()
            return 0
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in md.partitions])
    else:
        c.subscribe([topic])
    read = 0
    deadline = time.time() + seconds
    try:
        while time.time() < deadline:
            m = c.poll(0.5)
            if m is None:
                if any(x.code() == KafkaError._AUTHENTICATION for x in client_errors):
                    print("refused _AUTHENTICATION")
                    return 0
                continue
            if m.error():
                code = m.error().code()
                if assign and code == KafkaError.GROUP_AUTHORIZATION_FAILED:
                    continue
                if code in (KafkaError.TOPIC_AUTHORIZATION_FAILED, KafkaError.GROUP_AUTHORIZATION_FAILED,
                            KafkaError._TRANSPORT, KafkaError.SASL_AUTHENTICATION_FAILED):
                    print(f"refused {m.error().name()}")
                    return 0
                continue
            read += 1
            if read >= expected:
                print(f"read {read}")
                return 0
        print(f"timeout after {read}")
        return 0
    finally:
        c.close()


if __name__ == "__main__":
    sys.exit(main())
