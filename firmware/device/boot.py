# pyDirect boot: runs after every reset, also while a host holds the raw REPL, so it only sets
# the board's identity and never waits.
from lib.sys import netsetup, status

status.emit('boot', ('version', status.VERSION), ('hostname', netsetup.configure_hostname()))
