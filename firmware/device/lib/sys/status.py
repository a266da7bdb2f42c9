# Machine-readable status lines on the serial console, one per event, so the portal can follow a
# boot without a REPL session:  PYDIRECT {"event":"wifi","state":"connected",...}
# Fields are (key, value) pairs because dict order is not kept; never pass a password or a key.
import json

VERSION = '0.1.0'
PREFIX = 'PYDIRECT '


def emit(event, *fields):
    parts = ['"event":' + json.dumps(event)]
    for key, value in fields:
        parts.append(json.dumps(key) + ':' + json.dumps(value, separators=(',', ':')))
    print(PREFIX + '{' + ','.join(parts) + '}')
