/**
 * Python faces of the C modules upstream pyDirect's image carries (jetpax/pyDirect 362a8cc) and
 * MicroPython's ESP32 port modules its device scripts import, over the JS module `_upstream_js`
 * (module-hook.ts). Each is installed as a module object stand-in (installPythonModule).
 * Sources per module are in the comments; where a behaviour is from memory of MicroPython's
 * ports/esp32 rather than a file read here, it says so.
 */

/** MicroPython ports/esp32/modesp.c (from memory: esp.osdebug, LOG_* = esp_log_level_t). */
export const ESP_PY = String.raw`
import _upstream_js as _js
LOG_NONE = 0
LOG_ERROR = 1
LOG_WARNING = 2
LOG_INFO = 3
LOG_DEBUG = 4
LOG_VERBOSE = 5


def osdebug(uart, level=None):
    # The first argument is the UART (only None is meaningful: logging back to ERROR); the level
    # is the second, defaulting to LOG_LOCAL_LEVEL, the highest compiled in. So boot.py's
    # esp.osdebug(esp.LOG_INFO) sets the maximum level, which upstream's S3 image caps at INFO.
    _js.osdebug(uart is None, -1 if level is None else int(level))


def flash_size():
    return int(_js.flash_size())
`;

/** MicroPython ports/esp32/modesp32.c: the pieces a script may touch at boot. */
export const ESP32_PY = String.raw`
import _upstream_js as _js
HEAP_DATA = 4
HEAP_EXEC = 1
WAKEUP_ALL_LOW = False
WAKEUP_ANY_HIGH = True


def mcu_temperature():
    return 40


def idf_heap_info(capabilities):
    return [(327680, 196608, 131072, 180000)]


class NVS:
    def __init__(self, namespace):
        self._ns = namespace
        self._values = {}

    def set_i32(self, key, value):
        self._values[key] = int(value)

    def get_i32(self, key):
        if key not in self._values:
            raise OSError(-4354)  # ESP_ERR_NVS_NOT_FOUND
        return self._values[key]

    def commit(self):
        pass
`;

/**
 * machine.Pin and neopixel.NeoPixel: the status LED upstream's boot.py drives
 * (device-scripts/lib/sys/status_led.py:165-176). The virtual board has no GPIO; writes are kept
 * so a test can read the last colour.
 */
export const PIN_PY = String.raw`
class Pin:
    IN = 1
    OUT = 3
    OPEN_DRAIN = 7
    PULL_UP = 1
    PULL_DOWN = 2
    IRQ_RISING = 1
    IRQ_FALLING = 2

    def __init__(self, id, mode=-1, pull=-1, value=None):
        self._id = id
        self._value = 0 if value is None else int(bool(value))

    def value(self, v=None):
        if v is None:
            return self._value
        self._value = int(bool(v))

    def on(self):
        self._value = 1

    def off(self):
        self._value = 0

    def __call__(self, v=None):
        return self.value(v)

    def irq(self, handler=None, trigger=3):
        return None

    def __repr__(self):
        return "Pin(%s)" % self._id
`;

export const NEOPIXEL_PY = String.raw`
class NeoPixel:
    ORDER = (1, 0, 2, 3)

    def __init__(self, pin, n, bpp=3, timing=1):
        self.pin = pin
        self.n = n
        self.bpp = bpp
        self.buf = bytearray(n * bpp)
        self.written = None

    def __len__(self):
        return self.n

    def __setitem__(self, i, v):
        for j in range(self.bpp):
            self.buf[i * self.bpp + self.ORDER[j]] = v[j]

    def __getitem__(self, i):
        o = i * self.bpp
        return tuple(self.buf[o + self.ORDER[j]] for j in range(self.bpp))

    def fill(self, v):
        for i in range(self.n):
            self[i] = v

    def write(self):
        self.written = bytes(self.buf)
`;

/**
 * _thread: the virtual board runs Python on one JavaScript thread, so a second thread cannot run
 * beside the first. start_new_thread records the function and never runs it; upstream's only
 * use at boot is the status LED animation loop (status_led.py:348-353, 408), which has nothing
 * observable off a real LED. allocate_lock works (there is nothing to contend).
 */
export const THREAD_PY = String.raw`
_started = []


class _Lock:
    def __init__(self):
        self._held = False

    def acquire(self, waitflag=1, timeout=-1):
        if self._held and not waitflag:
            return False
        self._held = True
        return True

    def release(self):
        if not self._held:
            raise RuntimeError("release unlocked lock")
        self._held = False

    def locked(self):
        return self._held

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *a):
        self.release()


def allocate_lock():
    return _Lock()


def start_new_thread(function, args, kwargs=None):
    _started.append(function)
    return len(_started)


def get_ident():
    return 1


def stack_size(size=None):
    return 0
`;

/**
 * socket / ssl: importable with the constants and names scripts reference; the virtual board has
 * no raw sockets, so opening one raises OSError(ENOTSUP) (95) as a port without the feature does.
 */
export const SOCKET_PY = String.raw`
AF_INET = 2
AF_INET6 = 10
SOCK_STREAM = 1
SOCK_DGRAM = 2
SOCK_RAW = 3
IPPROTO_TCP = 6
IPPROTO_UDP = 17
SOL_SOCKET = 4095
SO_REUSEADDR = 4


def getaddrinfo(host, port, af=0, type=0, proto=0, flags=0):
    raise OSError(-202)  # lwIP's EAI_FAIL: no resolver on the virtual board's LAN


def socket(af=AF_INET, type=SOCK_STREAM, proto=0):
    raise OSError(95)
`;

export const SSL_PY = String.raw`
PROTOCOL_TLS_CLIENT = 0
PROTOCOL_TLS_SERVER = 1
CERT_NONE = 0
CERT_OPTIONAL = 1
CERT_REQUIRED = 2


class SSLContext:
    def __init__(self, protocol):
        self.protocol = protocol
        self.verify_mode = CERT_NONE

    def load_cert_chain(self, certfile, keyfile):
        open(certfile).close()
        open(keyfile).close()

    def load_verify_locations(self, cafile=None, cadata=None):
        pass

    def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True, server_hostname=None):
        raise OSError(95)


def wrap_socket(sock, **kw):
    raise OSError(95)
`;

/**
 * wsserver (httpserver/modwsserver.c): the WebSocket transport main.py registers callbacks on
 * (main.py:151-153). Connections are not modelled; on() keeps the callbacks.
 */
export const WSSERVER_PY = String.raw`
CONNECT = 0
DISCONNECT = 1
MESSAGE = 2
_callbacks = {}
_running = [False]


def on(event, callback):
    _callbacks[event] = callback


def start(path="/ws", ping_interval=0, ping_timeout=0):
    _running[0] = True
    return True


def stop():
    _running[0] = False
    return True


def is_running():
    return _running[0]


def process_queue():
    return 0


def send(client_id, data, is_binary=False):
    return False


def count_clients():
    return 0
`;

/**
 * usbmodem (usbmodem/modusbmodem.c) with no modem on the USB host port: init() installs the
 * host driver and warns that the AT parser is not there yet (modusbmodem.c:200-223); connected()
 * is False (280-285); calls that need the modem raise RuntimeError (292-299, 406-416).
 */
export const USBMODEM_PY = String.raw`
import _upstream_js as _js
_state = {"init": False}


def set_config(apn=None, sim_pin=None, username=None, auto_init_modem=None):
    return None


def init():
    if _state["init"]:
        _js.log(2, "usbmodem", "Modem already initialized")
        return True
    _js.log(3, "usbmodem", "Initializing USB modem (V2.0 API)")
    _state["init"] = True
    _js.log(2, "usbmodem", "AT parser not available yet (modem may still be connecting)")
    _js.log(3, "usbmodem", "USB modem initialized successfully")
    return True


def deinit():
    _state["init"] = False


def connected():
    return False


def _need():
    if not _state["init"]:
        raise RuntimeError("Modem not initialized")
    raise RuntimeError("Modem not connected")


def send_at(cmd):
    if not _state["init"]:
        raise RuntimeError("Modem not initialized. Call usbmodem.init() first")
    raise RuntimeError("Modem not connected. Check USB connection.")


def ppp_connect():
    if not _state["init"]:
        raise RuntimeError("Modem not initialized")
    _js.log(3, "usbmodem", "Enabling PPP auto-connect (non-blocking)...")


def ppp_disconnect():
    _js.log(2, "usbmodem", "PPP not connected")


def ppp_status():
    return {"connected": False, "connecting": False, "ip": None}


def get_info():
    _need()


def get_signal():
    _need()


def get_firmware():
    _need()


def ping(host, count=1, timeout=3000):
    _need()


def gps_enable(mode=1):
    _need()


def gps_disable():
    _need()


def gps_info():
    _need()
`;
