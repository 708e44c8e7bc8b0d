"""examples/python/els_buffer.py, logging every protocol line it reads and writes to the file named by argv[1] (the protocol test checks them against the published schemas)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'examples', 'python'))
import els_buffer  # noqa: E402

log = open(sys.argv[1], 'a')
written = els_buffer.answer


class Tee:
    def __iter__(self):
        for line in sys.__stdin__:
            log.write('> ' + line)
            log.flush()
            yield line


def answer(message):
    import json
    log.write('< ' + json.dumps(message) + '\n')
    log.flush()
    written(message)


els_buffer.answer = answer
sys.stdin = Tee()
els_buffer.serve(els_buffer.BufferConsumer)
