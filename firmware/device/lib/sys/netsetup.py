# Wi-Fi station setup from settings: hostname, connect, and the status lines for each outcome.
# The wait itself is left to the caller (main.py) so that it stays interruptible with Ctrl-C.
import binascii
import network
from lib.sys import settings, status

DEFAULT_PREFIX = 'pyDirect'
DEFAULT_TIMEOUT_S = 15

_FAILURES = {
    network.STAT_WRONG_PASSWORD: 'wrong-password',
    network.STAT_NO_AP_FOUND: 'no-ap-found',
}


def mac_suffix():
    mac = network.WLAN(network.STA_IF).config('mac')
    return binascii.hexlify(mac[3:]).decode()


def hostname():
    name = settings.get('device.hostname')
    if not name:
        name = '%s-%s' % (settings.get('wifi.hostname_prefix') or DEFAULT_PREFIX, mac_suffix())
    return name


def configure_hostname():
    name = hostname()
    try:
        network.hostname(name)
    except Exception as e:
        print('netsetup: cannot set hostname %r: %s' % (name, e))
    return name


def timeout_ms():
    seconds = settings.get('wifi.connect_timeout') or DEFAULT_TIMEOUT_S
    return int(seconds * 1000)


def start():
    """Starts connecting to the configured network; None when no network is configured."""
    ssid = settings.get('wifi.ssid')
    if not ssid:
        status.emit('wifi', ('state', 'unconfigured'))
        return None
    wlan = network.WLAN(network.STA_IF)
    wlan.active(True)
    status.emit('wifi', ('state', 'connecting'), ('ssid', ssid))
    wlan.connect(ssid, settings.get('wifi.password') or '')
    return wlan


def pending(wlan):
    return wlan.status() == network.STAT_CONNECTING


def finish(wlan):
    """Reports how the attempt ended; True when the board has an address."""
    code = wlan.status()
    if code == network.STAT_GOT_IP:
        status.emit('wifi', ('state', 'connected'), ('ip', wlan.ifconfig()[0]), ('hostname', network.hostname()))
        return True
    reason = _FAILURES.get(code, 'timeout')
    if code == network.STAT_CONNECTING:
        wlan.disconnect()
    status.emit('wifi', ('state', 'failed'), ('reason', reason))
    return False
