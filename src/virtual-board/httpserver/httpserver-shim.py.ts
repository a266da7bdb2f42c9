/**
 * The Python face of the virtual `httpserver` module. Two APIs share it and the image's scripts
 * pick one by how they call it:
 * - the portal's own (firmware/device): `on_request(cb)`, `start(cert_pem, key_pem, port)`,
 *   `port()`, `stop()`; handlers get `(method, path, body, remote_addr, respond)`;
 * - upstream pyDirect's C module (httpserver/modhttpserver.c, see upstream-server-node.ts):
 *   `start(port, cert_file=…, key_file=…)`, `on(uri, handler, method)`, `off`, `send`,
 *   `process_queue()`, `https_running()`, `stop()`.
 * Upstream's handlers run inside `process_queue()`, as modhttpserver.c:551-638 runs them.
 *
 * One concession to the simulation, used only by the project's own test fixtures: a handler may
 * return a coroutine (an `async def` handler), and the reply is what it returns once done. A real
 * board's handler blocks the MicroPython thread while esp_peer works in its own FreeRTOS task; the
 * virtual board runs both on one JavaScript thread, so a blocking wait would stop the work it is
 * waiting for. On upstream's C module such a handler would answer an empty text/html page.
 */
export const HTTPSERVER_SHIM_PY = String.raw`
import _httpserver_js as _js
import sys, json

_handlers = {}
_current = [None]


def _check(result):
    if result is None or not isinstance(result, str):
        return result
    kind, _, detail = result.partition(":")
    if kind == "value":
        raise ValueError(detail)
    if kind == "runtime":
        raise RuntimeError(detail)
    if kind == "oserror":
        raise OSError(int(detail))
    return result


def _read(path):
    with open(path, "rb") as f:
        return f.read().decode()


def on_request(cb):
    _js.on_request(cb)


def port():
    return _js.port()


def start(*args, cert_file=None, key_file=None):
    if args and not isinstance(args[0], int):
        # The portal's API: start(cert_pem, key_pem, port) -> None or an error word.
        return _js.start(*args)
    port = args[0] if args else 80
    cert = _read(cert_file) if isinstance(cert_file, str) and isinstance(key_file, str) else None
    key = _read(key_file) if cert is not None else None
    if (cert_file is None) != (key_file is None):
        cert, key = ("", None) if cert_file is not None else (None, "")
    outcome = _js.up_start(port, cert, key)
    return outcome != "false"


def https_running():
    return bool(_js.up_https_running())


def on(uri, handler, method="GET"):
    if not isinstance(uri, str) or not callable(handler):
        raise TypeError("String and callable required")
    if not isinstance(method, str):
        raise TypeError("Method must be a string")
    slot = _check(_js.up_on(uri, method))
    _handlers[slot] = handler
    return slot


def off(uri, method="GET"):
    if not isinstance(uri, str):
        raise TypeError("URI must be a string")
    slot = _js.up_off(uri, method)
    if slot >= 0:
        _handlers.pop(slot, None)
        return True
    return False


def send(content):
    if not isinstance(content, (str, bytes)):
        raise TypeError("Content must be a string")
    if _current[0] is None:
        raise ValueError("No active request")
    if isinstance(content, bytes):
        content = content.decode()
    return bool(_js.up_reply(_current[0], 200, "text/html", content, False))


def _finish(rid, result):
    if isinstance(result, (str, bytes)):
        body = result.decode() if isinstance(result, bytes) else result
        _js.up_reply(rid, 200, "application/json", body, True)
    else:
        _js.up_reply(rid, 200, "text/html", "", True)
    _js.up_done(rid)


async def _finish_later(rid, coro):
    try:
        result = await coro
    except Exception as e:
        sys.print_exception(e)
        _js.up_reply(rid, 200, "text/html", "Internal Server Error", False)
        _js.up_done(rid)
        return
    _finish(rid, result)


def process_queue():
    handled = 0
    while True:
        text = _js.up_next()
        if not text:
            return handled
        req = json.loads(text)
        rid = req["id"]
        handled += 1
        handler = _handlers.get(req["slot"])
        _current[0] = rid
        try:
            result = handler(req["uri"], req["data"], req["remote"])
        except Exception as e:
            sys.print_exception(e)
            _js.up_reply(rid, 200, "text/html", "Internal Server Error", False)
            _js.up_done(rid)
            continue
        finally:
            _current[0] = None
        if type(result).__name__ in ("generator", "coroutine"):
            import asyncio
            asyncio.create_task(_finish_later(rid, result))
            continue
        _finish(rid, result)


def stop():
    _handlers.clear()
    return _js.stop()
`;
