/**
 * The one Python snippet device-kind detection runs on the board. It changes nothing: it looks
 * for the device scripts in the filesystem and, for scripts frozen into the image, imports only
 * modules that are free of side effects (our `lib.sys.status`, either project's `lib.sys.settings`).
 * The signaling module is not imported when its source is on the filesystem: upstream's pulls in
 * the HTTP server and the WebREPL C modules.
 */
import { printAnswer } from "../repl/raw-repl";

export const DETECT_DEVICE_KIND = `
import os, sys, json
_r = {'files': {}, 'version': None, 'serial_helper': None, 'platform': sys.platform}
def _src(p):
    try:
        with open(p) as f:
            return f.read()
    except OSError:
        return None
for _p in ('/lib/sys/status.py', '/lib/sys/settings.py', '/lib/sys/network/wifi.py', '/lib/sys/network/__init__.py',
           '/lib/sys/netsetup.py', '/lib/sys/webrtc_signaling.py', '/settings/default_settings.json'):
    try:
        os.stat(_p)
        _r['files'][_p] = True
    except OSError:
        _r['files'][_p] = False
_s = _src('/lib/sys/status.py')
if _s is not None:
    for _l in _s.split('\\n'):
        if _l.startswith('VERSION'):
            _r['version'] = _l.split('=', 1)[1].strip().strip('\\'"')
else:
    try:
        _m = __import__('lib.sys.status', None, None, ['VERSION'])
        _r['version'] = str(_m.VERSION)
        _r['files']['/lib/sys/status.py'] = 'frozen'
    except Exception:
        pass
if not _r['files']['/lib/sys/settings.py']:
    try:
        __import__('lib.sys.settings')
        _r['files']['/lib/sys/settings.py'] = 'frozen'
    except Exception:
        pass
_g = _src('/lib/sys/webrtc_signaling.py')
if _g is not None:
    _r['serial_helper'] = ('def serial_request' in _g) and ('def serial_poll' in _g)
${printAnswer("_r")}`;
