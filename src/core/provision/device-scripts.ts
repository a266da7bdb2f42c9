/**
 * Fixed Python snippets the provisioning job runs on the board. None of them embeds a value from
 * the user: values travel as file contents or base64 (see repl/python-values.ts).
 */
import { printAnswer } from "../repl/raw-repl";

/** Identity: MAC, unique id, chip, MicroPython release, pyDirect version, whether pyDirect's settings module is there. */
export const READ_IDENTITY = `
import os, json
from binascii import hexlify
_r = {}
try:
    import network
    _r['mac'] = hexlify(network.WLAN(network.STA_IF).config('mac')).decode()
except Exception:
    _r['mac'] = ''
try:
    import machine
    _r['uid'] = hexlify(machine.unique_id()).decode()
except Exception:
    _r['uid'] = ''
try:
    _u = os.uname()
    _r['machine'] = _u.machine
    _r['release'] = _u.release
except AttributeError:
    import sys
    _r['machine'] = getattr(sys.implementation, '_machine', sys.platform)
    _r['release'] = '.'.join([str(_x) for _x in sys.implementation.version[:3]])
_r['version'] = None
for _m in ('lib.sys.status', 'pydirect_version'):
    try:
        _v = __import__(_m, None, None, ['__version__', 'VERSION'])
        _r['version'] = str(getattr(_v, '__version__', None) or getattr(_v, 'VERSION'))
        break
    except Exception:
        pass
try:
    os.stat('/lib/sys/settings.py')
    _r['settings_module'] = True
except OSError:
    try:
        __import__('lib.sys.settings')
        _r['settings_module'] = True
    except Exception:
        _r['settings_module'] = False
${printAnswer("_r")}`;

/** Scan: SSIDs as hex (they are arbitrary bytes, not always UTF-8), channel, RSSI, auth mode, hidden. */
export const SCAN_WIFI = `
import network, json
from binascii import hexlify
_w = network.WLAN(network.STA_IF)
_w.active(True)
_r = []
for _n in _w.scan():
    _r.append([hexlify(_n[0]).decode(), _n[2], _n[3], _n[4], _n[5] if len(_n) > 5 else 0])
${printAnswer("_r")}`;

/** Reset the chip the way firmware does; the REPL session ends with it. */
export const MACHINE_RESET = "import machine\nmachine.reset()\n";
