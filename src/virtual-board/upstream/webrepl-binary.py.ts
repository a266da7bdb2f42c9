/**
 * The Python face of upstream's `webrepl_binary` (webrepl/modwebrepl_binary.c, wbp_common.c) on
 * the virtual board: framing, login and queueing in JS (wbp-session.ts), code run here.
 *
 * Running code as wbp_process_queue does (wbp_common.c:754-840): on the terminal channel the
 * code is first tried as a single REPL input, so an expression's value is printed as the REPL
 * prints it, else run as a file. Output is what a dupterm stream would see: print() text with LF
 * as CR LF (mp_hal_stdout_tx_strn_cooked), also printed on the UART, as dupterm mirrors it.
 * Exceptions print their traceback into the output and end with progress status 1 "Exception".
 */
export const WEBREPL_BINARY_PY = String.raw`
import _upstream_js as _js
import binascii, io, json, sys

_peer = [None]
_ns = {"__name__": "__main__"}


def _send_b64(frame):
    peer = _peer[0]
    if peer is None or not _js.wbp_can_send():
        return False
    try:
        peer.send(binascii.a2b_base64(frame.encode()))
        return True
    except OSError:
        return False


def _send_all(frames_json):
    for frame in json.loads(frames_json):
        _send_b64(frame)


def start(password, path="/webrepl"):
    _js.wbp_start(str(password), str(path))


def start_rtc(peer):
    error = _js.wbp_start_rtc()
    if error:
        raise RuntimeError(error)
    _peer[0] = peer


def update_channel_state(opened):
    _js.wbp_channel(bool(opened))


def on_data(data):
    _send_all(_js.wbp_on_data(binascii.b2a_base64(bytes(data)).decode().strip()))


def stop():
    _js.wbp_stop()
    _peer[0] = None


def running():
    return bool(_js.wbp_running())


def recover():
    return False


def transport():
    if _peer[0] is not None and _js.wbp_running():
        return "webrtc"
    return "websocket" if _js.wbp_running() else None


def notify(payload):
    _send_b64(_js.wbp_info(str(payload)))


def log(message, level=20, source=None):
    _send_b64(_js.wbp_log(int(level), str(message), source if source is not None else ""))


_auth_callbacks = []


def on_auth(callback):
    _auth_callbacks[:] = [callback]


class _Capture:
    def __init__(self):
        self.parts = []

    def write(self, text):
        if isinstance(text, (bytes, bytearray)):
            text = bytes(text).decode()
        self.parts.append(text)
        sys.stdout.write(text)
        return len(text)

    def text(self):
        return "".join(self.parts).replace("\r\n", "\n").replace("\n", "\r\n")


def _run(channel, code, capture):
    def _print(*args, sep=" ", end="\n", file=None):
        capture.write(sep.join(str(a) for a in args) + end)
    _ns["print"] = _print
    if channel == 1:
        try:
            compiled = compile(code, "<stdin>", "eval")
        except SyntaxError:
            pass
        else:
            value = eval(compiled, _ns)
            if value is not None:
                capture.write(repr(value) + "\n")
            return
    exec(compile(code, "<stdin>", "exec"), _ns)


def _traceback(e):
    # The code's own frames only, as wbp_process_queue's mp_obj_print_exception shows them.
    trace = io.StringIO()
    sys.print_exception(e, trace)
    lines = trace.getvalue().split("\n")
    return "\n".join(l for l in lines if not (l.startswith('  File "<string>"') and (" in process" in l or " in _run" in l)))


def process():
    handled = 0
    while True:
        text = _js.wbp_next()
        if not text:
            return handled
        req = json.loads(text)
        handled += 1
        channel, rid = req["channel"], req["id"]
        capture = _Capture()
        try:
            _run(channel, req["code"], capture)
            status = _js.wbp_progress(channel, 0, "", rid if rid is not None else "")
        except Exception as e:
            capture.write(_traceback(e))
            status = _js.wbp_progress(channel, 1, "Exception", rid if rid is not None else "")
        # The progress frame goes straight out; output waits for the drain task (wbp_common.c:832-834).
        _send_b64(status)
        out = capture.text()
        if out:
            _send_b64(_js.wbp_result(channel, out, rid if rid is not None else ""))


process_queue = process


class logHandler:
    def __init__(self, level=0):
        self.level = level
        self.formatter = None

    def setLevel(self, level):
        self.level = level

    def setFormatter(self, formatter):
        self.formatter = formatter

    def close(self):
        pass

    def emit(self, record):
        if _peer[0] is None or not _js.wbp_can_send():
            return
        if record.levelno < self.level:
            return
        msg = self.formatter.format(record) if self.formatter else record.message
        source = record.name if record.name != "root" else ""
        _send_b64(_js.wbp_log(int(record.levelno), str(msg), source))
`;
