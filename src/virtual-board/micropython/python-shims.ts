/**
 * Python source run once per interpreter start, before boot.py: the board's `time`, `machine` and
 * `network` modules, built on the JS module `_vboard` (see runtime-bridge.ts). The wasm port has no
 * `machine`/`network`, and its `time.sleep` spins the CPU, so these replace them.
 *
 * It runs in its own namespace (runtime.ts execs it), so only the __vb_* helpers the rewritten
 * console code awaits appear in __main__.
 *
 * Plain classes stand in for modules (the port cannot create module objects): `import network`
 * finds them in sys.modules, and attribute access works the same.
 */
export const BOARD_SHIMS_PY = String.raw`
import sys, json, binascii, _vboard
import time as _wasm_time

class _time:
    pass
for _n in dir(_wasm_time):
    if not _n.startswith('__'):
        setattr(_time, _n, getattr(_wasm_time, _n))

# Called from code the console could not make cooperative (inside a plain function): the wait
# blocks without spinning where the platform allows it. Ctrl-C may raise KeyboardInterrupt right
# here only in the console's own code, never inside an asyncio task (_in_asyncio_task, below).
def _block_ms(ms):
    if _vboard.block_ms(ms, not _in_asyncio_task()):
        raise KeyboardInterrupt
def _sleep(s):
    _block_ms(int(s * 1000))
def _sleep_ms(ms):
    _block_ms(int(ms))
def _sleep_us(us):
    _block_ms(int(us) // 1000)
_time.sleep = _sleep
_time.sleep_ms = _sleep_ms
_time.sleep_us = _sleep_us
sys.modules['time'] = _time
sys.modules['utime'] = _time

# Top-level sleeps in console input and boot.py/main.py are rewritten to await these. Console
# code waits on a JS timer, which Ctrl-C can cut short; inside an asyncio task the wait stays an
# asyncio sleep, so an interrupt never surfaces in the scheduler's JS callback.
def _in_asyncio_task():
    core = sys.modules.get('asyncio.core')
    return core is not None and core.cur_task is not core._top_level_task

async def __vb_sleep_ms(ms):
    if _in_asyncio_task():
        await sys.modules['asyncio.core'].sleep_ms(int(ms))
    elif await _vboard.sleep_ms(int(ms)):
        raise KeyboardInterrupt
async def __vb_sleep(s):
    await __vb_sleep_ms(int(s * 1000))
async def __vb_sleep_us(us):
    await __vb_sleep_ms(int(us) // 1000)

# input(): where the console could make it cooperative (module level, async functions) it awaits
# the line the host types; elsewhere it can only take a line typed before it was called, since a
# plain function cannot wait for bytes that arrive on the same thread. Typed text is echoed, as
# the firmware's readline does.
async def __vb_input(prompt=''):
    if prompt:
        print(prompt, end='')
    line = await _vboard.read_line()
    if line is None:
        raise KeyboardInterrupt
    print(line)
    return line
def _input(prompt=''):
    if prompt:
        print(prompt, end='')
    line = _vboard.read_line_now()
    if line is None:
        raise EOFError('input() inside a function on the virtual board needs its line typed beforehand')
    print(line)
    return line
import builtins
builtins.input = _input

# asyncio.run(main()) at module level: main runs as a task; Ctrl-C cancels it and the console sees
# KeyboardInterrupt. As with the real asyncio.run, tasks left over do not run on afterwards.
_main_task = None
async def __vb_asyncio_run(coro):
    global _main_task
    import asyncio
    task = asyncio.create_task(coro)
    _main_task = task
    try:
        return await task
    except asyncio.CancelledError:
        if _vboard.interrupt_requested():
            raise KeyboardInterrupt
        raise
    finally:
        _main_task = None
        _stop_asyncio_loop()

def _stop_asyncio_loop():
    core = sys.modules.get('asyncio.core')
    if core is None:
        return
    if core.asyncio_timer is not None:
        import js
        js.clearTimeout(core.asyncio_timer)
        core.asyncio_timer = None
    core.new_event_loop()

def __vb_interrupt_main():
    if _main_task is None or _main_task.done():
        return False
    _main_task.cancel()
    return True

class machine:
    PWRON_RESET = 1
    HARD_RESET = 2
    WDT_RESET = 3
    DEEPSLEEP_RESET = 4
    SOFT_RESET = 5
    @staticmethod
    def unique_id():
        return binascii.unhexlify(_vboard.mac_hex(0))
    @staticmethod
    def reset():
        _vboard.request_reset('hard')
        raise SystemExit
    @staticmethod
    def soft_reset():
        _vboard.request_reset('soft')
        raise SystemExit
    @staticmethod
    def reset_cause():
        return _vboard.reset_cause()
    @staticmethod
    def freq(hz=None):
        return 240000000 if hz is None else None
    @staticmethod
    def idle():
        pass
sys.modules['machine'] = machine

class _WLAN:
    def __init__(self, interface=0):
        self._if = interface
        self._ap_active = False
        self._ap_ssid = 'pyDirect-setup'
    def active(self, is_active=None):
        if self._if == 1:
            if is_active is None:
                return self._ap_active
            self._ap_active = bool(is_active)
            return None
        if is_active is None:
            return _vboard.wifi_active()
        _vboard.wifi_set_active(bool(is_active))
    def connect(self, ssid=None, key=None, *, bssid=None):
        if self._if != 0:
            raise OSError('AP interface cannot connect')
        if not _vboard.wifi_active():
            raise OSError('Wifi Not Started')
        if ssid is None:
            raise OSError('no SSID given')
        _vboard.wifi_connect(str(ssid), '' if key is None else str(key))
    def disconnect(self):
        _vboard.wifi_disconnect()
    def isconnected(self):
        if self._if == 1:
            return False
        return _vboard.wifi_status() == 1010
    def status(self, param=None):
        if param is None:
            return _vboard.wifi_status()
        if param == 'rssi':
            return _vboard.wifi_rssi()
        if param == 'stations':
            return []
        raise ValueError('unknown status param')
    def scan(self):
        if self._if != 0 or not _vboard.wifi_active():
            raise OSError('Wifi Not Started')
        out = []
        for ap in json.loads(_vboard.wifi_scan_json()):
            out.append((ap['ssid'].encode(), binascii.unhexlify(ap['bssid'].replace(':', '')), ap['channel'], ap['rssi'], ap['auth'], ap['hidden']))
        return out
    def ifconfig(self, cfg=None):
        if cfg is not None:
            return None
        if self._if == 1:
            return ('192.168.4.1', '255.255.255.0', '192.168.4.1', '0.0.0.0')
        return tuple(json.loads(_vboard.wifi_ifconfig_json()))
    def config(self, *args, **kwargs):
        for k, v in kwargs.items():
            if k in ('hostname', 'dhcp_hostname'):
                _vboard.wifi_set_hostname(str(v))
            elif k in ('ssid', 'essid') and self._if == 1:
                self._ap_ssid = str(v)
        if not args:
            return None
        if len(args) != 1:
            raise TypeError('can query only one param')
        p = args[0]
        if p == 'mac':
            return binascii.unhexlify(_vboard.mac_hex(self._if))
        if p in ('hostname', 'dhcp_hostname'):
            return _vboard.wifi_hostname()
        if p in ('ssid', 'essid'):
            return self._ap_ssid if self._if == 1 else (_vboard.wifi_ssid() or '')
        if p == 'channel':
            return 6
        if p == 'txpower':
            return 20
        raise ValueError('unknown config param')

class network:
    STA_IF = 0
    AP_IF = 1
    STAT_IDLE = 1000
    STAT_CONNECTING = 1001
    STAT_GOT_IP = 1010
    STAT_BEACON_TIMEOUT = 200
    STAT_NO_AP_FOUND = 201
    STAT_WRONG_PASSWORD = 202
    STAT_ASSOC_FAIL = 203
    STAT_HANDSHAKE_TIMEOUT = 204
    AUTH_OPEN = 0
    AUTH_WEP = 1
    AUTH_WPA_PSK = 2
    AUTH_WPA2_PSK = 3
    AUTH_WPA_WPA2_PSK = 4
    AUTH_WPA2_ENTERPRISE = 5
    AUTH_WPA3_PSK = 6
    AUTH_WPA2_WPA3_PSK = 7
    WLAN = _WLAN
    @staticmethod
    def hostname(name=None):
        if name is None:
            return _vboard.wifi_hostname()
        _vboard.wifi_set_hostname(str(name))
    @staticmethod
    def country(code=None):
        return 'XX' if code is None else None
sys.modules['network'] = network

# The wasm port's root also holds Emscripten's own mounts; a board's root shows only its files.
import os as _os
_SYSTEM_DIRS = ('tmp', 'home', 'dev', 'proc')
_wasm_ilistdir = _os.ilistdir
def _is_root(path):
    if not path.startswith('/'):
        path = _os.getcwd() + '/' + path
    return path.replace('/.', '/').strip('/') == ''
def _ilistdir(path='.'):
    hide = _is_root(path)
    for entry in _wasm_ilistdir(path):
        if not (hide and entry[0] in _SYSTEM_DIRS):
            yield entry
def _listdir(path='.'):
    return [e[0] for e in _ilistdir(path)]
_os.ilistdir = _ilistdir
_os.listdir = _listdir

# Free space as the board's flash partition has it (mpremote df, firmware checks before writes).
def _statvfs(path):
    block = 4096
    total = _vboard.fs_size() // block
    free = max(0, total - _vboard.fs_used() // block)
    return (block, block, total, free, free, 0, 0, 0, 0, 255)
_os.statvfs = _statvfs

# The board identifies itself as the ESP32 port does (sys.platform, sys.implementation._machine,
# os.uname), not as the WebAssembly build it runs on. sys itself is read-only, so a stand-in
# module object forwards everything else to it.
import sys as _real_sys
from collections import namedtuple as _namedtuple
class _Implementation:
    name = 'micropython'
    version = _real_sys.implementation.version
    _machine = _vboard.board_machine()
    _mpy = _real_sys.implementation._mpy
class _Sys:
    platform = _vboard.board_platform()
    implementation = _Implementation
    def __getattr__(self, name):
        return getattr(_real_sys, name)
_real_sys.modules['sys'] = _Sys()
_uname = _namedtuple('uname_result', ('sysname', 'nodename', 'release', 'version', 'machine'))
_release = '.'.join(str(n) for n in _real_sys.implementation.version[:3])
_os.uname = lambda: _uname(_Sys.platform, _Sys.platform, _release, _real_sys.version.split('; ')[-1], _Implementation._machine)

try:
    import asyncio
    # The wasm port has no blocking asyncio.run; outside rewritten code it starts the task.
    asyncio.run = lambda coro: asyncio.create_task(coro)
    # Console-level asyncio sleeps wait on the interruptible timer too; tasks keep asyncio's own.
    _asyncio_sleep_ms = asyncio.sleep_ms
    def _console_aware_sleep_ms(t):
        return _asyncio_sleep_ms(t) if _in_asyncio_task() else __vb_sleep_ms(t)
    asyncio.sleep_ms = _console_aware_sleep_ms
    asyncio.sleep = lambda t: _console_aware_sleep_ms(int(t * 1000))
except ImportError:
    pass
del _n

import __main__
for _k in ('__vb_sleep', '__vb_sleep_ms', '__vb_sleep_us', '__vb_input', '__vb_asyncio_run', '__vb_interrupt_main'):
    setattr(__main__, _k, globals()[_k])
`;
