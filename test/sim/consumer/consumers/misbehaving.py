"""A consumer process that breaks the protocol in the way argv[1] names (process-consumer.test.ts)."""
import json
import sys
import time


def answer(message):
    sys.stdout.write(json.dumps(message) + '\n')
    sys.stdout.flush()


mode = sys.argv[1]
for line in sys.stdin:
    request = json.loads(line)
    if request['type'] == 'init':
        if mode == 'exit-at-init':
            sys.stderr.write('cannot open the database\n')
            sys.exit(3)
        if mode == 'garbage-at-init':
            sys.stdout.write('hello from the consumer\n')
            sys.stdout.flush()
            continue
        answer({'type': 'ready'})
        continue
    if mode == 'silent':
        time.sleep(60)
    elif mode == 'garbage':
        sys.stdout.write('debug: got a message\n')
        sys.stdout.flush()
    elif mode == 'exit':
        sys.stderr.write('Traceback: something broke\n')
        sys.exit(1)
    elif mode == 'error-on-content' and request['type'] == 'message' and 'content' in request['envelope']['event_type']:
        answer({'type': 'error', 'message': 'no disk space'})
    elif mode == 'bad-answer' and request['type'] == 'message':
        answer({'type': 'handled', 'emit': [{'event_type': 'huleedu.els.batch.essays.ready.v1'}], 'next_timer_at': None})
    else:
        answer({'type': 'handled', 'emit': [], 'next_timer_at': None})
