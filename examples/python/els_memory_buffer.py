#!/usr/bin/env python3
"""Post-fix bug 1 (docs/domain.md#post-fix-bugs) as a consumer process: the buffer kept in process memory.

What goes wrong: early content waits in a dict of this process, not in its database. racelab's
restarts and crashes kill the process (SIGKILL) and start a fresh one over the same database
file, so the dict is really gone; with several ELS instances the registration may reach another
process, whose dict is empty. The content is never assigned nor reported and the batch never
completes:

    racelab verify --ci --handler-cmd '/usr/bin/python3 examples/python/els_memory_buffer.py'

fails with no-lost-content and ready-exactly-once (the "every fault, 3 ELS instances" block).
The same bug in process as examples/handlers/1-buffer-in-process-memory.ts.
"""
from els_buffer import BufferConsumer, serve


class MemoryBufferConsumer(BufferConsumer):
    def __init__(self, db, pending_timeout):
        super().__init__(db, pending_timeout)
        self.memory = {}

    def buffer(self, batch, kind, ref, data):
        rows = self.memory.setdefault(batch, [])
        if not any(row[1] == ref for row in rows):
            rows.append((kind, ref, data))

    def drain(self, batch):
        for kind, ref, data in self.memory.pop(batch, []):
            if kind == 'content':
                self.assign(data)
            else:
                self.db.execute('INSERT OR IGNORE INTO failed_uploads (batch_id, file_upload_id) VALUES (?, ?)', (batch, ref))


if __name__ == '__main__':
    try:
        serve(MemoryBufferConsumer)
    except KeyboardInterrupt:
        pass
