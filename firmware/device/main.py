# pyDirect main: join the configured Wi-Fi, then start the network services. Runs after boot.py
# when the console is in the friendly REPL; Ctrl-C stops it during the wait.
import time
from lib.sys import netsetup, services

wlan = netsetup.start()
if wlan is not None:
    deadline = time.ticks_add(time.ticks_ms(), netsetup.timeout_ms())
    while netsetup.pending(wlan) and time.ticks_diff(deadline, time.ticks_ms()) > 0:
        time.sleep_ms(100)
    if netsetup.finish(wlan):
        services.start(hostname=netsetup.hostname())
