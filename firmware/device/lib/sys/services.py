# Network services, started by main.py once Wi-Fi is up: WebRTC signaling (lib/sys/webrtc_signaling.py
# on the firmware's `webrtc` module) and the HTTPS server (`httpserver` module) that carries it with
# the installed certificate. A firmware built without one of them logs it and carries on.
from lib.sys import settings, status


def _enabled(key):
    return settings.get(key, True) is not False


def start(hostname=None):
    started = []
    if not _enabled('server.webrtc_enabled'):
        return started
    try:
        from lib.sys import webrtc_signaling
    except ImportError as e:
        print('services: webrtc not available (%s)' % e)
        return started
    try:
        webrtc_signaling.start(version=status.VERSION, hostname=hostname)
    except Exception as e:
        print('services: webrtc failed to start: %r' % (e,))
        return started
    if _enabled('server.https_enabled'):
        port = settings.get('server.https_port') or 443
        try:
            import httpserver
        except ImportError:
            httpserver = None
            print('services: https not available (no httpserver module)')
        if httpserver is not None:
            try:
                webrtc_signaling.serve(httpserver, port)
                status.emit('https', ('state', 'listening'), ('port', port))
                started.append('https')
            except Exception as e:
                print('services: https failed to start: %s' % (e,))
                status.emit('https', ('state', 'failed'), ('reason', str(e)))
    status.emit('webrtc', ('state', 'ready'))
    started.append('webrtc')
    return started
