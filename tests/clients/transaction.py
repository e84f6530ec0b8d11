"""A stock transactional producer (the confluent-kafka package, `transactional.id`), driven line
by line from standard input, so a test can hold a transaction open while it looks around.

usage: transaction.py CLUSTER TRANSACTIONAL_ID
CLUSTER: a JSON object of librdkafka properties (bootstrap.servers, SASL user and password)
Commands, one per line on standard input; each answers one line on standard output:
  begin                      -> "begun"
  send TOPIC KEY VALUE_FILE  -> "sent"  (the record's value is VALUE_FILE's bytes)
  flush                      -> "flushed" (what was sent is on the broker, still uncommitted)
  commit | abort             -> "committed" | "aborted"
  quit                       -> "bye"
Any failure answers "error <KafkaError name>: <reason>" and the producer stops.
"""
import json
import sys

from confluent_kafka import KafkaException, Producer


def main() -> int:
    conf, tid = json.loads(sys.argv[1]), sys.argv[2]
    p = Producer({**conf, "transactional.id": tid, "enable.idempotence": True, "acks": "all"})
    try:
        p.init_transactions(30)
        for line in sys.stdin:
            cmd = line.split()
            if not cmd:
                continue
            if cmd[0] == "begin":
                p.begin_transaction()
                answer = "begun"
            elif cmd[0] == "send":
                topic, key, path = cmd[1], cmd[2], cmd[3]
                with open(path, "rb") as f:
                    p.produce(topic, key=key.encode(), value=f.read())
                p.poll(0)
                answer = "sent"
            elif cmd[0] == "flush":
                if p.flush(30) != 0:
                    raise KafkaException("records still queued after 30 s")
                answer = "flushed"
            elif cmd[0] == "commit":
                p.commit_transaction(30)
                answer = "committed"
            elif cmd[0] == "abort":
                p.abort_transaction(30)
                answer = "aborted"
            elif cmd[0] == "quit":
                print("bye", flush=True)
                return 0
            else:
                answer = f"error UNKNOWN: no command {cmd[0]}"
            print(answer, flush=True)
    except KafkaException as e:
        err = e.args[0]
        name = err.name() if hasattr(err, "name") else "KafkaException"
        print(f"error {name}: {err}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
