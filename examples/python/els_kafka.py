#!/usr/bin/env python3
"""ELS's slot assignment with the buffer fix, as a Kafka consumer service in Python.

A consumer deployed on its own, the way a team runs its real ELS, for racelab to judge from
outside (docs/black-box.md): racelab publishes BOS's and the File Service's events and reads
what this service writes to ELS's output topics.

    S=$(racelab kafka up --detach)
    /usr/bin/python3 examples/python/els_kafka.py --bootstrap "$S" &
    racelab run --kafka local --els external --scenario content-first        # exit 0: the fix holds

Needs Debian's python3-confluent-kafka (librdkafka's Python binding); the rest is the standard
library. The same logic as racelab's buffer strategy (src/sim/services/els.ts):

- every message is handled in ONE sqlite3 transaction, which also writes the events it emits to
  the outbox table (the transactional outbox); the Kafka offset is committed after it;
- a registration creates the tracker and one slot per essay, and drains the batch's pending rows
  in the same transaction;
- content (or a validation failure) for a batch not registered yet waits in pending_content,
  unique on (batch_id, ref); content is deduplicated by (batch_id, text_storage_id), so a relay's
  re-send under a new event_id fills no second slot;
- a validation failure counts a failed slot; assigned + failed == expected completes the batch,
  and BatchEssaysReady is written once (guarded by ready_at);
- pending rows older than --pending-timeout are expired and reported as
  ExcessContentProvisioned(BATCH_NEVER_REGISTERED), never dropped silently;
- the relay publishes outbox rows oldest first, waits for each ack, then sets published_at; each
  record carries an outbox_row header (els:<row id>), so racelab can judge ELS's commit order.

--naive is the bug instead: content for an unknown batch is reported excess at once
(NO_AVAILABLE_SLOT) and an early validation failure is lost.

Prints one line "els_kafka: ready ..." once its group joined; SIGINT or SIGTERM stops it cleanly
(leaves the group, publishes what its last handlings wrote, exits 0).
"""
import argparse
import json
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone

from confluent_kafka import Consumer, KafkaError, Producer

REGISTERED = 'huleedu.batch.essays.registered.v1'
CONTENT = 'huleedu.file.essay.content.provisioned.v1'
FAILED = 'huleedu.file.essay.validation.failed.v1'
EXCESS = 'huleedu.els.excess.content.provisioned.v1'
READY = 'huleedu.els.batch.essays.ready.v1'
ASSIGNED = 'huleedu.els.essay.slot.assigned.v1'
INPUTS = [REGISTERED, CONTENT, FAILED]
OUTPUTS = [ASSIGNED, EXCESS, READY]
RELAY_BATCH = 100

SCHEMA = """
CREATE TABLE IF NOT EXISTS processed_events (event_id TEXT PRIMARY KEY, processed_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS batch_trackers (
  batch_id TEXT PRIMARY KEY, expected_count INTEGER NOT NULL, registered_at REAL NOT NULL, ready_at REAL
);
CREATE TABLE IF NOT EXISTS essay_slots (
  essay_id TEXT PRIMARY KEY,
  batch_id TEXT NOT NULL,
  slot_index INTEGER NOT NULL,
  text_storage_id TEXT,
  file_upload_id TEXT,
  UNIQUE (batch_id, text_storage_id)
);
CREATE TABLE IF NOT EXISTS failed_uploads (
  batch_id TEXT NOT NULL, file_upload_id TEXT NOT NULL, PRIMARY KEY (batch_id, file_upload_id)
);
CREATE TABLE IF NOT EXISTS pending_content (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('content', 'failure')),
  ref TEXT NOT NULL,
  payload TEXT NOT NULL,
  stored_at REAL NOT NULL,
  UNIQUE (batch_id, ref)
);
CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT, kafka_partition INTEGER, kafka_offset INTEGER, error TEXT, value TEXT
);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  aggregate_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  topic TEXT NOT NULL,
  event_key TEXT NOT NULL,
  event_data TEXT NOT NULL,
  created_at REAL NOT NULL,
  published_at REAL,
  retry_count INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
"""

# What each input's data must hold (a message without it is dead-lettered, never a crash).
REQUIRED = {
    REGISTERED: ('batch_id', 'expected_essay_count', 'essay_ids'),
    CONTENT: ('batch_id', 'file_upload_id', 'original_file_name', 'text_storage_id'),
    FAILED: ('batch_id', 'file_upload_id'),
}


@contextmanager
def transaction(db):
    """One transaction: BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when the block raises."""
    db.execute('BEGIN IMMEDIATE')
    try:
        yield
    except BaseException:
        db.execute('ROLLBACK')
        raise
    db.execute('COMMIT')


class Els:
    """One ELS instance over its sqlite3 database. Each handle() is one transaction."""

    def __init__(self, db, pending_timeout, naive):
        self.db = db
        self.pending_timeout = pending_timeout
        self.naive = naive

    # -- the transaction of one message ------------------------------------------------------

    def handle(self, topic, partition, offset, value, now):
        """Handles one input message in one transaction; returns a short outcome for the log."""
        with transaction(self.db):
            try:
                envelope = json.loads(value)
                event_type = envelope['event_type']
                data = envelope['data']
                event_id = envelope['event_id']
                missing = [field for field in REQUIRED.get(event_type, ('?',)) if field not in data]
                if event_type not in REQUIRED or missing:
                    raise ValueError(f'{event_type}: missing {missing}')
            except (ValueError, KeyError, TypeError) as error:
                self.db.execute(
                    'INSERT INTO dead_letters (topic, kafka_partition, kafka_offset, error, value) VALUES (?, ?, ?, ?, ?)',
                    (topic, partition, offset, str(error), value),
                )
                return f'dead-lettered: {error}'
            seen = self.db.execute('INSERT OR IGNORE INTO processed_events VALUES (?, ?)', (event_id, now))
            if seen.rowcount == 0:
                return f'duplicate event {event_id}'
            correlation = envelope.get('correlation_id', f"corr-{data['batch_id']}")
            if event_type == REGISTERED:
                return self.on_registered(data, correlation, now)
            if event_type == CONTENT:
                return self.on_content(data, correlation, now)
            return self.on_failed(data, correlation, now)

    def on_registered(self, data, correlation, now):
        batch = data['batch_id']
        if self.tracker(batch) is not None:
            return f'{batch} already registered'
        self.db.execute('INSERT INTO batch_trackers VALUES (?, ?, ?, NULL)', (batch, data['expected_essay_count'], now))
        for index, essay in enumerate(data['essay_ids']):
            self.db.execute('INSERT INTO essay_slots (essay_id, batch_id, slot_index) VALUES (?, ?, ?)', (essay, batch, index))
        # The fix: the slots and the drain of the batch's early events are one transaction.
        rows = self.db.execute('SELECT kind, ref, payload FROM pending_content WHERE batch_id = ? ORDER BY id', (batch,)).fetchall()
        self.db.execute('DELETE FROM pending_content WHERE batch_id = ?', (batch,))
        for kind, ref, payload in rows:
            if kind == 'content':
                self.assign(json.loads(payload), correlation, now)
            else:
                self.db.execute('INSERT OR IGNORE INTO failed_uploads VALUES (?, ?)', (batch, ref))
        self.complete_if_done(batch, correlation, now)
        return f'{batch} registered: {len(data["essay_ids"])} slots, {len(rows)} drained'

    def on_content(self, data, correlation, now):
        batch = data['batch_id']
        if self.tracker(batch) is None:
            if self.naive:
                # The bug: no tracker, no slot: reported excess, and the batch never completes.
                self.excess(data, 'NO_AVAILABLE_SLOT', correlation, now)
                return f"{data['text_storage_id']} excess (NO_AVAILABLE_SLOT)"
            return self.store(batch, 'content', data['text_storage_id'], data, now)
        outcome = self.assign(data, correlation, now)
        self.complete_if_done(batch, correlation, now)
        return outcome

    def on_failed(self, data, correlation, now):
        batch = data['batch_id']
        if self.tracker(batch) is None:
            if self.naive:
                return f"failure of {data['file_upload_id']} lost"  # the bug
            return self.store(batch, 'failure', data['file_upload_id'], data, now)
        counted = self.db.execute('INSERT OR IGNORE INTO failed_uploads VALUES (?, ?)', (batch, data['file_upload_id']))
        if counted.rowcount == 0:
            return f"failure of {data['file_upload_id']} already counted"
        self.complete_if_done(batch, correlation, now)
        return f"failure of {data['file_upload_id']} counted"

    def store(self, batch, kind, ref, data, now):
        stored = self.db.execute(
            'INSERT OR IGNORE INTO pending_content (batch_id, kind, ref, payload, stored_at) VALUES (?, ?, ?, ?, ?)',
            (batch, kind, ref, json.dumps(data), now),
        )
        return f'{ref} buffered' if stored.rowcount else f'{ref} already buffered'

    def assign(self, data, correlation, now):
        batch, text = data['batch_id'], data['text_storage_id']
        holder = self.db.execute('SELECT essay_id FROM essay_slots WHERE batch_id = ? AND text_storage_id = ?', (batch, text)).fetchone()
        if holder is not None:
            return f'{text} already fills {holder[0]}'
        expected = self.tracker(batch)[0]
        # A validation failure holds a slot: no slot is free once assigned + failed reach expected.
        free = None
        if self.assigned(batch) + self.failed(batch) < expected:
            free = self.db.execute(
                'SELECT essay_id FROM essay_slots WHERE batch_id = ? AND text_storage_id IS NULL ORDER BY slot_index LIMIT 1', (batch,)
            ).fetchone()
        if free is None:
            self.excess(data, 'NO_AVAILABLE_SLOT', correlation, now)
            return f'{text} excess (NO_AVAILABLE_SLOT)'
        self.db.execute('UPDATE essay_slots SET text_storage_id = ?, file_upload_id = ? WHERE essay_id = ?', (text, data['file_upload_id'], free[0]))
        self.emit(ASSIGNED, batch, {'batch_id': batch, 'essay_id': free[0], 'file_upload_id': data['file_upload_id'], 'text_storage_id': text}, correlation, now)
        return f'{text} assigned to {free[0]}'

    def complete_if_done(self, batch, correlation, now):
        expected, ready_at = self.tracker(batch)
        if ready_at is not None or self.assigned(batch) + self.failed(batch) < expected:
            return
        self.db.execute('UPDATE batch_trackers SET ready_at = ? WHERE batch_id = ? AND ready_at IS NULL', (now, batch))
        ready = self.db.execute(
            'SELECT essay_id, text_storage_id FROM essay_slots WHERE batch_id = ? AND text_storage_id IS NOT NULL ORDER BY slot_index', (batch,)
        ).fetchall()
        essays = [{'essay_id': essay, 'text_storage_id': text} for essay, text in ready]
        self.emit(READY, batch, {'batch_id': batch, 'ready_essays': essays}, correlation, now)

    # -- the expiry timer ---------------------------------------------------------------------

    def expire(self, now):
        """Pending rows older than the timeout: reported (content) and removed, in one transaction."""
        with transaction(self.db):
            rows = self.db.execute(
                'SELECT id, batch_id, kind, payload FROM pending_content WHERE stored_at <= ? ORDER BY id', (now - self.pending_timeout,)
            ).fetchall()
            for row_id, batch, kind, payload in rows:
                self.db.execute('DELETE FROM pending_content WHERE id = ?', (row_id,))
                if kind == 'content':
                    self.excess(json.loads(payload), 'BATCH_NEVER_REGISTERED', f'corr-{batch}', now)
            return len(rows)

    # -- helpers ------------------------------------------------------------------------------

    def tracker(self, batch):
        return self.db.execute('SELECT expected_count, ready_at FROM batch_trackers WHERE batch_id = ?', (batch,)).fetchone()

    def assigned(self, batch):
        return self.db.execute('SELECT count(*) FROM essay_slots WHERE batch_id = ? AND text_storage_id IS NOT NULL', (batch,)).fetchone()[0]

    def failed(self, batch):
        return self.db.execute('SELECT count(*) FROM failed_uploads WHERE batch_id = ?', (batch,)).fetchone()[0]

    def excess(self, data, reason, correlation, now):
        batch = data['batch_id']
        self.emit(EXCESS, batch, {'batch_id': batch, 'original_file_name': data['original_file_name'], 'text_storage_id': data['text_storage_id'], 'reason': reason}, correlation, now)

    def emit(self, event_type, batch, data, correlation, now):
        """The transactional outbox: the event is a row of the handling's own transaction."""
        envelope = {
            'event_id': str(uuid.uuid4()),
            'event_type': event_type,
            'event_timestamp': datetime.fromtimestamp(now, timezone.utc).isoformat(timespec='milliseconds').replace('+00:00', 'Z'),
            'source_service': 'els',
            'schema_version': 1,
            'correlation_id': correlation,
            'data': data,
        }
        self.db.execute(
            'INSERT INTO outbox (aggregate_id, event_type, topic, event_key, event_data, created_at) VALUES (?, ?, ?, ?, ?, ?)',
            (batch, event_type, event_type, batch, json.dumps(envelope), now),
        )


class Relay:
    """ELS's outbox relay: oldest rows first, each acked before its published_at is written."""

    def __init__(self, db, producer, prefix):
        self.db = db
        self.producer = producer
        self.prefix = prefix

    def publish(self):
        rows = self.db.execute(
            'SELECT id, topic, event_key, event_type, event_data FROM outbox WHERE published_at IS NULL AND retry_count < 5 ORDER BY id LIMIT ?',
            (RELAY_BATCH,),
        ).fetchall()
        if not rows:
            return 0
        results = {}
        for row_id, topic, key, event_type, value in rows:
            def delivered(error, _message, row_id=row_id):
                results[row_id] = error
            event_id = json.loads(value)['event_id']
            headers = {'event_id': event_id, 'event_type': event_type, 'outbox_row': f'els:{row_id}'}
            self.producer.produce(self.prefix + topic, key=key, value=value, headers=headers, on_delivery=delivered)
        self.producer.flush(10)
        with transaction(self.db):
            for row_id, *_ in rows:
                error = results.get(row_id, 'no ack within 10 s')
                if error is None:
                    self.db.execute('UPDATE outbox SET published_at = ? WHERE id = ?', (time.time(), row_id))
                else:
                    self.db.execute('UPDATE outbox SET retry_count = retry_count + 1, last_error = ? WHERE id = ?', (str(error), row_id))
        return len(rows)


def main():
    parser = argparse.ArgumentParser(description='ELS with the buffer fix, as a Kafka consumer (confluent-kafka, sqlite3).')
    parser.add_argument('--bootstrap', required=True, help='bootstrap servers, host:port[,host:port...]')
    parser.add_argument('--topic-prefix', default='', help='prefix of every topic and of the group (default none: the real topic names)')
    parser.add_argument('--group', help='consumer group (default <prefix>essay-lifecycle-service)')
    parser.add_argument('--db', help='the sqlite3 database file (default one in a fresh temporary directory, removed at the stop)')
    parser.add_argument('--pending-timeout', type=float, default=24 * 3600, help='seconds a buffered event waits before it expires (default 24 h)')
    parser.add_argument('--naive', action='store_true', help='the bug instead of the fix: early content is excess, early failures are lost')
    args = parser.parse_args()

    temp_dir = None if args.db else tempfile.mkdtemp(prefix='els-kafka-')
    path = args.db or os.path.join(temp_dir, 'els.sqlite')
    db = sqlite3.connect(path, isolation_level=None)  # autocommit: every transaction is explicit (transaction())
    db.executescript(SCHEMA)
    els = Els(db, args.pending_timeout, args.naive)

    prefix = args.topic_prefix
    group = args.group or prefix + 'essay-lifecycle-service'
    producer = Producer({'bootstrap.servers': args.bootstrap, 'acks': 'all', 'linger.ms': 0})
    # Every topic exists before the group subscribes (a cluster that auto-creates topics makes them now).
    for topic in INPUTS + OUTPUTS:
        producer.list_topics(prefix + topic, timeout=10)
    relay = Relay(db, producer, prefix)

    stopping = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.append(True))

    joined = []

    def on_assign(_consumer, partitions):
        if not joined:
            joined.append(True)
            mode = 'naive (the bug)' if args.naive else 'buffer'
            print(f'els_kafka: ready, {mode}, group {group}, {len(partitions)} partitions of '
                  f'{", ".join(prefix + t for t in INPUTS)}, database {path}', flush=True)

    consumer = Consumer({
        'bootstrap.servers': args.bootstrap,
        'group.id': group,
        'enable.auto.commit': False,  # the offset is committed after the handling's transaction
        'auto.offset.reset': 'earliest',
        'session.timeout.ms': 6000,
        'heartbeat.interval.ms': 1000,
    })
    consumer.subscribe([prefix + t for t in INPUTS], on_assign=on_assign)
    try:
        while not stopping:
            message = consumer.poll(0.05)
            if message is not None:
                if message.error():
                    if message.error().code() != KafkaError._PARTITION_EOF:
                        print(f'els_kafka: {message.error()}', file=sys.stderr, flush=True)
                else:
                    topic = message.topic()[len(prefix):]
                    value = (message.value() or b'').decode('utf-8', 'replace')
                    outcome = els.handle(topic, message.partition(), message.offset(), value, time.time())
                    print(f'els_kafka: {topic} p{message.partition()}@{message.offset()}: {outcome}', flush=True)
                    consumer.commit(message=message, asynchronous=False)
            els.expire(time.time())
            relay.publish()
    finally:
        consumer.close()  # leaves the group; nothing in hand is committed
        for _ in range(50):  # what the last handlings wrote is published before the stop
            if relay.publish() == 0:
                break
        db.close()
        if temp_dir:
            shutil.rmtree(temp_dir, ignore_errors=True)
        print('els_kafka: stopped', flush=True)


if __name__ == '__main__':
    main()
