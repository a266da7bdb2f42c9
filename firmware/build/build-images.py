#!/usr/bin/env python3
"""Builds pyDirect's firmware images and writes a release directory for the portal.

Real build (needs ESP-IDF 5.x on PATH, e.g. the espressif/idf container, and a MicroPython
checkout):

    firmware/build/build-images.py --micropython ~/micropython --version v0.2.0

writes public/firmware/<version>/{manifest.json, SHA256SUMS, <chip>/{bootloader,
partition-table,pydirect,merged}.bin} and lists the version in public/firmware/index.json (next to
the release directory), which the portal offers its releases from.

Dry run (no ESP-IDF: the demo images from `npm run demo-firmware` stand in for the build):

    firmware/build/build-images.py --dry-run --out /tmp/release --version 0.1.0
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pydirect_images import (  # noqa: E402
    BOOTLOADER_OFFSETS,
    PARTITION_TABLE_OFFSET,
    Board,
    BuildRecord,
    BuiltPart,
    ImageError,
    load_boards,
    normalise_version,
    update_release_index,
    write_release,
)

FIRMWARE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_DIR = os.path.dirname(FIRMWARE_DIR)
BOARDS_DIR = os.path.join(FIRMWARE_DIR, "boards")
USER_C_MODULES = os.path.join(FIRMWARE_DIR, "modules", "micropython.cmake")
WEBRTC_COMPONENT_YML = os.path.join(FIRMWARE_DIR, "modules", "webrtc", "idf_component.yml")
APP_OFFSET = 0x10000
DEMO_FILES = {"bootloader": "bootloader.bin", "partition-table": "partition-table.bin", "app": "pydirect.bin"}


def fail(message: str) -> "NoReturn":  # type: ignore[name-defined]
    print(f"build-images: {message}", file=sys.stderr)
    sys.exit(1)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", help="release version, e.g. v0.2.0 (default: git describe --tags)")
    p.add_argument("--board", action="append", dest="boards", metavar="NAME",
                   help="build only this board (repeatable), e.g. PYDIRECT_ESP32S3")
    p.add_argument("--out", help="release directory (default: public/firmware/<version>)")
    p.add_argument("--micropython", default=os.environ.get("MICROPY_DIR"),
                   help="MicroPython checkout (default: $MICROPY_DIR)")
    p.add_argument("--index", help="release index to list the version in "
                   "(default: index.json next to the release directory)")
    p.add_argument("--no-index", action="store_true", help="do not write the release index")
    p.add_argument("--release-notes", help="text for the manifest's release_notes")
    p.add_argument("--dry-run", action="store_true",
                   help="skip ESP-IDF; use the demo images as the built parts (needs --out)")
    p.add_argument("--demo-dir", default=os.path.join(REPO_DIR, "public", "firmware", "demo"),
                   help="where `npm run demo-firmware` wrote the demo images")
    return p.parse_args(argv)


def git_version() -> str:
    try:
        out = subprocess.run(["git", "describe", "--tags", "--always"], cwd=REPO_DIR,
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "0.0.0-dev"
    return out if out[:1].isdigit() or out.startswith("v") else "0.0.0-dev"


def select_boards(names: list[str] | None) -> list[Board]:
    boards = load_boards(BOARDS_DIR)
    if not names:
        return boards
    known = {b.name: b for b in boards}
    unknown = [n for n in names if n not in known]
    if unknown:
        fail(f"unknown board {', '.join(unknown)}; boards are {', '.join(known)}")
    return [known[n] for n in names]


# ---- dry run ----

def demo_record(board: Board, demo_dir: str) -> BuildRecord:
    """The demo images laid out as the build would produce them for this board's chip."""
    parts = []
    offsets = {"bootloader": BOOTLOADER_OFFSETS[board.chip_family],
               "partition-table": PARTITION_TABLE_OFFSET, "app": APP_OFFSET}
    for role, filename in DEMO_FILES.items():
        path = os.path.join(demo_dir, board.chip_dir, filename)
        if not os.path.isfile(path):
            fail(f"--dry-run needs the demo image {path}; run `npm run demo-firmware` first")
        with open(path, "rb") as f:
            parts.append(BuiltPart(role, offsets[role], f.read()))
    return BuildRecord(board, parts)


# ---- real build ----

def require_toolchain(micropython: str | None) -> str:
    if shutil.which("idf.py") is None or not os.environ.get("IDF_PATH"):
        fail("ESP-IDF not found (no idf.py on PATH or IDF_PATH unset): run inside the espressif/idf "
             "container or source esp-idf/export.sh first; or use --dry-run")
    if not micropython or not os.path.isfile(os.path.join(micropython, "ports", "esp32", "Makefile")):
        fail("MicroPython checkout not found: pass --micropython DIR (or set MICROPY_DIR) "
             "pointing at a clone with ports/esp32")
    return os.path.abspath(micropython)


def pinned_esp_peer() -> str:
    with open(WEBRTC_COMPONENT_YML, encoding="utf-8") as f:
        for line in f:
            stripped = line.strip()
            if stripped.startswith("espressif/esp_peer:"):
                return stripped.split(":", 1)[1].strip().strip('"')
    fail(f"{WEBRTC_COMPONENT_YML} does not pin espressif/esp_peer")


class MainComponentDependency:
    """Adds esp_peer to MicroPython's main/idf_component.yml for one build, then restores it.

    The dependency cannot stay: esp_peer has no library for some chips (ESP32-C3)."""

    def __init__(self, micropython: str, enabled: bool):
        self.path = os.path.join(micropython, "ports", "esp32", "main", "idf_component.yml")
        self.enabled = enabled
        self.original: str | None = None

    def __enter__(self):
        if not self.enabled:
            return self
        with open(self.path, encoding="utf-8") as f:
            self.original = f.read()
        lines = self.original.splitlines(keepends=True)
        try:
            at = next(i for i, l in enumerate(lines) if l.rstrip() == "dependencies:")
        except StopIteration:
            fail(f"{self.path} has no top-level 'dependencies:' section")
        lines.insert(at + 1, f'  espressif/esp_peer: "{pinned_esp_peer()}"\n')
        with open(self.path, "w", encoding="utf-8") as f:
            f.write("".join(lines))
        return self

    def __exit__(self, *exc):
        if self.original is not None:
            with open(self.path, "w", encoding="utf-8") as f:
                f.write(self.original)


def run(cmd: list[str], cwd: str) -> None:
    print("+ " + " ".join(cmd), flush=True)
    result = subprocess.run(cmd, cwd=cwd)
    if result.returncode != 0:
        fail(f"command failed ({result.returncode}): {' '.join(cmd)}")


def built_record(board: Board, micropython: str) -> BuildRecord:
    port = os.path.join(micropython, "ports", "esp32")
    # Build trees stay in the MicroPython checkout, out of this repository.
    build_dir = os.path.join(port, f"build-{board.name}")
    with MainComponentDependency(micropython, board.webrtc):
        run(["make", "BOARD_DIR=" + os.path.join(BOARDS_DIR, board.name), "BUILD=" + build_dir,
             "USER_C_MODULES=" + USER_C_MODULES], cwd=port)
    # ESP-IDF records what it would flash, and where, in flasher_args.json.
    with open(os.path.join(build_dir, "flasher_args.json"), encoding="utf-8") as f:
        flash_files = json.load(f)["flash_files"]
    roles = {"bootloader": "bootloader/", "partition-table": "partition_table/", "app": ""}
    parts = []
    for offset_text, rel in flash_files.items():
        role = next((r for r, prefix in roles.items() if prefix and rel.startswith(prefix)), "app")
        with open(os.path.join(build_dir, rel), "rb") as f:
            parts.append(BuiltPart(role, int(offset_text, 16), f.read()))
    return BuildRecord(board, parts)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        version, channel = normalise_version(args.version or git_version())
    except ImageError as e:
        fail(str(e))
    boards = select_boards(args.boards)

    if args.dry_run:
        if not args.out:
            fail("--dry-run writes only where told: pass --out DIR")
        records = [demo_record(b, args.demo_dir) for b in boards]
    else:
        micropython = require_toolchain(args.micropython)
        run(["make", "-C", "mpy-cross"], cwd=micropython)
        run(["make", "submodules"], cwd=os.path.join(micropython, "ports", "esp32"))
        records = [built_record(b, micropython) for b in boards]

    out_dir = os.path.abspath(args.out or os.path.join(REPO_DIR, "public", "firmware", version))
    index_path = os.path.abspath(args.index or os.path.join(os.path.dirname(out_dir), "index.json"))
    try:
        manifest = write_release(records, out_dir, version, channel, args.release_notes)
        if not args.no_index:
            manifest_rel = os.path.relpath(os.path.join(out_dir, "manifest.json"), os.path.dirname(index_path))
            update_release_index(index_path, manifest_rel.replace(os.sep, "/"), manifest)
    except ImageError as e:
        fail(str(e))
    chips = ", ".join(b["chipFamily"] for b in manifest["builds"])
    print(f"build-images: {'dry run: ' if args.dry_run else ''}pyDirect {version} ({chips}) -> "
          f"{os.path.join(out_dir, 'manifest.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
