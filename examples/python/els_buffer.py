#!/usr/bin/env python3
"""The buffer fix as a consumer process in Python, over the standard library's sqlite3.

racelab runs it in place of its own ELS and speaks line-delimited JSON with it over stdin and
stdout (docs/handler-protocol.md). Check it:

    racelab verify --ci --handler-cmd '/usr/bin/python3 examples/python/els_buffer.py'

The same logic as examples/handlers/buffer.ts: content (or a validation failure) for a batch ELS
does not know yet waits in pending_content, durably, in the same transaction as the message; the
registration creates the slots and drains the batch's pending rows in ITS transaction; rows older
than the pending timeout are expired and reported as ExcessContentProvisioned
(BATCH_NEVER_REGISTERED), never dropped silently.

Rules a consumer process keeps: one transaction per request, committed before it answers (or
rolled back, answering "error"); stdout is the protocol's, diagnostics go to stderr; no wall clock
and no randomness (the request's "now" is the only clock), so a run is a function of its seed.
"""
import json
import sqlite3
import sys

READY = 'huleedu.els.batch.essays.ready.v1'
EXCESS = 'huleedu.els.excess.content.provisioned.v1'
ASSIGNED = 'huleedu.els.essay.slot.assigned.v1'
REGISTERED = 'huleedu.batch.essays.registered.v1'
CONTENT = 'huleedu.file.essay.content.provisioned.v1'
FAILED = 'huleedu.file.essay.validation.failed.v1'

SCHEMA = """
CREATE TABLE IF NOT EXISTS processed_events (event_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS batch_trackers (batch_id TEXT PRIMARY KEY, expected_count INTEGER NOT NULL, ready_at INTEGER);
CREATE TABLE IF NOT EXISTS essay_slots (
  essay_id TEXT PRIMARY KEY,
  batch_id TEXT NOT NULL,
  slot_index INTEGER NOT NULL,
  text_storage_id TEXT,
  UNIQUE (batch_id, text_storage_id)
);
CREATE TABLE IF NOT EXISTS failed_uploads (batch_id TEXT NOT NULL, file_upload_id TEXT NOT NULL, PRIMARY KEY (batch_id, file_upload_id));
CREATE TABLE IF NOT EXISTS pending_content (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  payload TEXT NOT NULL,
  stored_at INTEGER NOT NULL,
  UNIQUE (batch_id, ref)
);
"""


class BufferConsumer:
    """The fix. Each call runs inside the request's transaction; emit() collects the outbox events."""

    def __init__(self, db, pending_timeout):
        self.db = db
        self.pending_timeout = pending_timeout
        self.now = 0
        self.emitted = []

    def emit(self, event_type, data):
        self.emitted.append({'event_type': event_type, 'data': data})

    def on_registered(self, event):
        if not self.first_delivery(event['event_id']):
            return
        data = event['data']
        batch = data['batch_id']
        if self.tracker(batch) is not None:
            return  # a re-sent registration
        self.db.execute('INSERT INTO batch_trackers (batch_id, expected_count) VALUES (?, ?)', (batch, data['expected_essay_count']))
        for index, essay in enumerate(data['essay_ids']):
            self.db.execute('INSERT INTO essay_slots (essay_id, batch_id, slot_index) VALUES (?, ?, ?)', (essay, batch, index))
        self.drain(batch)
        self.complete_if_done(batch)

    def on_content(self, event):
        if not self.first_delivery(event['event_id']):
            return
        data = event['data']
        if self.tracker(data['batch_id']) is None:
            self.buffer(data['batch_id'], 'content', data['text_storage_id'], data)
            return
        self.assign(data)
        self.complete_if_done(data['batch_id'])

    def on_validation_failed(self, event):
        if not self.first_delivery(event['event_id']):
            return
        data = event['data']
        batch, upload = data['batch_id'], data['file_upload_id']
        if self.tracker(batch) is None:
            self.buffer(batch, 'failure', upload, data)
            return
        self.db.execute('INSERT OR IGNORE INTO failed_uploads (batch_id, file_upload_id) VALUES (?, ?)', (batch, upload))
        self.complete_if_done(batch)

    def next_timer_at(self):
        (oldest,) = self.db.execute('SELECT min(stored_at) FROM pending_content').fetchone()
        return None if oldest is None else oldest + self.pending_timeout

    def on_timer(self):
        rows = self.db.execute(
            'SELECT id, batch_id, kind, ref, payload FROM pending_content WHERE stored_at <= ? ORDER BY id', (self.now - self.pending_timeout,)
        ).fetchall()
        for row_id, batch, kind, ref, payload in rows:
            self.db.execute('DELETE FROM pending_content WHERE id = ?', (row_id,))
            if kind != 'content':
                continue  # no event type fits an expired failure
            data = json.loads(payload)
            self.emit(EXCESS, {'batch_id': batch, 'original_file_name': data['original_file_name'], 'text_storage_id': ref, 'reason': 'BATCH_NEVER_REGISTERED'})

    def first_delivery(self, event_id):
        """At-least-once delivery: a redelivered message (same event_id) changes nothing."""
        return self.db.execute('INSERT OR IGNORE INTO processed_events (event_id) VALUES (?)', (event_id,)).rowcount > 0

    def tracker(self, batch):
        return self.db.execute('SELECT expected_count, ready_at FROM batch_trackers WHERE batch_id = ?', (batch,)).fetchone()

    def buffer(self, batch, kind, ref, data):
        """An early event waits durably, once per (batch, ref): a re-send hits the unique key."""
        self.db.execute(
            'INSERT OR IGNORE INTO pending_content (batch_id, kind, ref, payload, stored_at) VALUES (?, ?, ?, ?, ?)',
            (batch, kind, ref, json.dumps(data), self.now),
        )

    def drain(self, batch):
        """The registration's transaction reconciles every pending row of the batch."""
        rows = self.db.execute('SELECT kind, ref, payload FROM pending_content WHERE batch_id = ? ORDER BY id', (batch,)).fetchall()
        self.db.execute('DELETE FROM pending_content WHERE batch_id = ?', (batch,))
        for kind, ref, payload in rows:
            if kind == 'content':
                self.assign(json.loads(payload))
            else:
                self.db.execute('INSERT OR IGNORE INTO failed_uploads (batch_id, file_upload_id) VALUES (?, ?)', (batch, ref))

    def assign(self, data):
        """Deduplicate by (batch, text_storage_id): relays re-send with a new event_id. Then the first free slot, or excess."""
        batch = data['batch_id']
        if self.db.execute('SELECT 1 FROM essay_slots WHERE batch_id = ? AND text_storage_id = ?', (batch, data['text_storage_id'])).fetchone():
            return
        free = self.db.execute(
            """SELECT essay_id FROM essay_slots WHERE batch_id = ? AND text_storage_id IS NULL
                 AND (SELECT count(*) FROM essay_slots WHERE batch_id = ? AND text_storage_id IS NOT NULL)
                   + (SELECT count(*) FROM failed_uploads WHERE batch_id = ?)
                   < (SELECT expected_count FROM batch_trackers WHERE batch_id = ?)
               ORDER BY slot_index LIMIT 1""",
            (batch, batch, batch, batch),
        ).fetchone()
        if free is None:
            self.emit(EXCESS, {'batch_id': batch, 'original_file_name': data['original_file_name'], 'text_storage_id': data['text_storage_id'], 'reason': 'NO_AVAILABLE_SLOT'})
            return
        self.db.execute('UPDATE essay_slots SET text_storage_id = ? WHERE essay_id = ?', (data['text_storage_id'], free[0]))
        self.emit(ASSIGNED, {'batch_id': batch, 'essay_id': free[0], 'file_upload_id': data['file_upload_id'], 'text_storage_id': data['text_storage_id']})

    def complete_if_done(self, batch):
        """Complete once: assigned + failed == expected, guarded by ready_at, in the same transaction."""
        tracker = self.tracker(batch)
        if tracker is None or tracker[1] is not None:
            return
        assigned, failed = self.db.execute(
            """SELECT (SELECT count(*) FROM essay_slots WHERE batch_id = ? AND text_storage_id IS NOT NULL),
                      (SELECT count(*) FROM failed_uploads WHERE batch_id = ?)""",
            (batch, batch),
        ).fetchone()
        if assigned + failed < tracker[0]:
            return
        self.db.execute('UPDATE batch_trackers SET ready_at = ? WHERE batch_id = ?', (self.now, batch))
        ready = self.db.execute(
            'SELECT essay_id, text_storage_id FROM essay_slots WHERE batch_id = ? AND text_storage_id IS NOT NULL ORDER BY slot_index', (batch,)
        ).fetchall()
        self.emit(READY, {'batch_id': batch, 'ready_essays': [{'essay_id': e, 'text_storage_id': t} for e, t in ready]})


def serve(make_consumer):
    """The protocol loop: one JSON request per line on stdin, one JSON answer per line on stdout."""
    consumer = None
    db = None
    calls = {REGISTERED: 'on_registered', CONTENT: 'on_content', FAILED: 'on_validation_failed'}
    for line in sys.stdin:
        request = json.loads(line)
        if request['type'] == 'init':
            # isolation_level=None: no implicit transactions; each request opens and commits its own.
            # timeout: instances share the file, and a restarted one may start while another writes.
            db = sqlite3.connect(request['db'], isolation_level=None, timeout=60)
            db.execute('PRAGMA journal_mode = WAL')
            db.execute('PRAGMA synchronous = NORMAL')  # no fsync per commit: a killed process loses nothing the OS has
            db.executescript(SCHEMA)
            consumer = make_consumer(db, request['pending_timeout'])
            answer({'type': 'ready'})
            continue
        consumer.now = request['now']
        consumer.emitted = []
        try:
            db.execute('BEGIN IMMEDIATE')
            if request['type'] == 'message':
                envelope = request['envelope']
                getattr(consumer, calls[envelope['event_type']])(envelope)
            else:
                consumer.on_timer()
            next_timer_at = consumer.next_timer_at()
            db.execute('COMMIT')
        except Exception as error:  # the handling failed: roll back, and say so (racelab retries it)
            if db.in_transaction:
                db.execute('ROLLBACK')
            answer({'type': 'error', 'message': f'{type(error).__name__}: {error}'})
            continue
        answer({'type': 'handled', 'emit': consumer.emitted, 'next_timer_at': next_timer_at})


def answer(message):
    sys.stdout.write(json.dumps(message) + '\n')
    sys.stdout.flush()


if __name__ == '__main__':
    try:
        serve(BufferConsumer)
    except KeyboardInterrupt:  # Ctrl-C reaches racelab's whole process group: leave quietly
        pass
