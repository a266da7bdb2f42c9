# Frozen Python for every pyDirect board: MicroPython's own esp32 set, plus the device
# scripts (firmware/device/, e.g. lib/sys/settings.py -> `from lib.sys import settings`).
# Settings JSON and certificates are files on the board's filesystem, not frozen.
include("$(PORT_DIR)/boards/manifest.py")
freeze("../device")
