"""Turning a board's build output into release files: parts, merged image, sums, manifest.

Pure Python 3 (standard library only), shared by the real ESP-IDF build and the --dry-run
so that both write their release directory the same way.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field

# chip_id in the extended header of an ESP image (esp_app_format.h).
CHIP_IDS = {"ESP32": 0, "ESP32-S2": 2, "ESP32-C3": 5, "ESP32-S3": 9}
# Where the second-stage bootloader lives: 0x1000 on the ESP32 and ESP32-S2, 0x0 after.
BOOTLOADER_OFFSETS = {"ESP32": 0x1000, "ESP32-S2": 0x1000, "ESP32-C3": 0x0, "ESP32-S3": 0x0}
PARTITION_TABLE_OFFSET = 0x8000
CONSOLE_CONNECTORS = ("uart", "usb-serial-jtag", "usb-cdc")
FLASH_SIZES = {0: "1MB", 1: "2MB", 2: "4MB", 3: "8MB", 4: "16MB", 5: "32MB", 6: "64MB", 7: "128MB"}
ESP_IMAGE_MAGIC = 0xE9
PARTITION_MAGIC = b"\xaa\x50"
SECTOR = 0x1000


class ImageError(Exception):
    """A build output that cannot go into a release; the message says which file and why."""


@dataclass
class Board:
    name: str  # the MicroPython board directory name, e.g. PYDIRECT_ESP32S3
    chip_family: str  # ESP Web Tools' chipFamily
    flash_mib: int
    webrtc: bool
    # Where the app's REPL answers, first the one to use: "uart" (UART0, the bridge connector),
    # "usb-serial-jtag" (same USB device as the ROM loader) or "usb-cdc" (TinyUSB, another USB
    # device). Decided by the board's sdkconfig/mpconfigboard.h, so it is stated in board.json.
    console: list[str] = field(default_factory=lambda: ["uart"])

    @property
    def chip_dir(self) -> str:
        return self.chip_family.lower().replace("-", "")


@dataclass
class BuiltPart:
    role: str  # bootloader | partition-table | app
    offset: int
    data: bytes


@dataclass
class BuildRecord:
    board: Board
    parts: list[BuiltPart]
    flash_size: str = ""
    entries: list[dict] = field(default_factory=list)


def load_boards(boards_dir: str) -> list[Board]:
    boards = []
    for name in sorted(os.listdir(boards_dir)):
        meta_path = os.path.join(boards_dir, name, "board.json")
        if not os.path.isfile(meta_path):
            continue
        with open(meta_path, encoding="utf-8") as f:
            meta = json.load(f).get("pydirect")
        if not meta:
            raise ImageError(f"{meta_path}: missing the \"pydirect\" block (chipFamily, flashMiB, webrtc)")
        console = meta.get("console", ["uart"])
        console = [console] if isinstance(console, str) else list(console)
        unknown = [c for c in console if c not in CONSOLE_CONNECTORS]
        if not console or unknown:
            raise ImageError(f"{meta_path}: \"console\" must list {', '.join(CONSOLE_CONNECTORS)}, not {console!r}")
        boards.append(Board(name, meta["chipFamily"], int(meta["flashMiB"]), bool(meta["webrtc"]), console))
    # ESP32-S3 first: it is the board the portal is developed against.
    order = {"ESP32-S3": 0, "ESP32": 1, "ESP32-C3": 2}
    return sorted(boards, key=lambda b: (order.get(b.chip_family, 9), b.name))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_esp_image(data: bytes, chip_family: str, what: str) -> str:
    """Checks the header of a bootloader or app image; returns the flash size it declares."""
    if len(data) < 24 or data[0] != ESP_IMAGE_MAGIC:
        raise ImageError(f"{what}: not an ESP image (first byte 0x{data[:1].hex() or '??'}, expected 0xe9)")
    chip_id = data[12] | (data[13] << 8)
    expected = CHIP_IDS.get(chip_family)
    if expected is None:
        raise ImageError(f"{what}: no chip id known for {chip_family}")
    if chip_id != expected:
        names = {v: k for k, v in CHIP_IDS.items()}
        raise ImageError(
            f"{what}: built for {names.get(chip_id, f'chip id {chip_id}')}, but the board is {chip_family}"
        )
    size_code = data[3] >> 4
    if size_code not in FLASH_SIZES:
        raise ImageError(f"{what}: unknown flash size code {size_code} in the image header")
    return FLASH_SIZES[size_code]


def check_partition_table(data: bytes, what: str) -> None:
    if len(data) < 32 or data[:2] != PARTITION_MAGIC:
        raise ImageError(f"{what}: not a partition table (expected entries starting with 0xaa50)")


def check_layout(parts: list[BuiltPart], board: Board) -> None:
    ordered = sorted(parts, key=lambda p: p.offset)
    for p in ordered:
        if p.offset % SECTOR:
            raise ImageError(f"{board.name}: {p.role} offset 0x{p.offset:x} is not sector aligned")
    for a, b in zip(ordered, ordered[1:]):
        if a.offset + len(a.data) > b.offset:
            raise ImageError(
                f"{board.name}: {a.role} (0x{a.offset:x}, {len(a.data)} bytes) overlaps {b.role} at 0x{b.offset:x}"
            )
    end = ordered[-1].offset + len(ordered[-1].data)
    if end > board.flash_mib * 1024 * 1024:
        raise ImageError(f"{board.name}: the image ends at 0x{end:x}, beyond {board.flash_mib} MB of flash")


def merged_image(parts: list[BuiltPart]) -> bytes:
    """One file for writing at 0x0: gaps filled with 0xff, as erased flash reads."""
    end = max(p.offset + len(p.data) for p in parts)
    out = bytearray(b"\xff" * end)
    for p in parts:
        out[p.offset : p.offset + len(p.data)] = p.data
    return bytes(out)


PART_FILES = {"bootloader": "bootloader.bin", "partition-table": "partition-table.bin", "app": "pydirect.bin"}


def write_release(records: list[BuildRecord], out_dir: str, version: str, channel: str,
                  release_notes: str | None) -> dict:
    """Writes every board's parts, merged image, SHA256SUMS and manifest.json into out_dir."""
    sums: list[tuple[str, str]] = []
    builds = []
    for record in records:
        board = record.board
        by_role = {p.role: p for p in record.parts}
        missing = [r for r in PART_FILES if r not in by_role]
        if missing:
            raise ImageError(f"{board.name}: build produced no {', '.join(missing)}")
        flash_size = check_esp_image(by_role["bootloader"].data, board.chip_family, f"{board.name} bootloader")
        check_esp_image(by_role["app"].data, board.chip_family, f"{board.name} app")
        check_partition_table(by_role["partition-table"].data, f"{board.name} partition table")
        check_layout(record.parts, board)

        board_dir = os.path.join(out_dir, board.chip_dir)
        os.makedirs(board_dir, exist_ok=True)
        parts_json = []
        for role in PART_FILES:
            part = by_role[role]
            rel = f"{board.chip_dir}/{PART_FILES[role]}"
            _write(os.path.join(out_dir, rel), part.data)
            digest = sha256_hex(part.data)
            sums.append((digest, rel))
            parts_json.append({"path": rel, "offset": part.offset, "size": len(part.data), "sha256": digest})
        merged = merged_image(record.parts)
        merged_rel = f"{board.chip_dir}/merged.bin"
        _write(os.path.join(out_dir, merged_rel), merged)
        sums.append((sha256_hex(merged), merged_rel))
        builds.append({
            "chipFamily": board.chip_family,
            "flash_size": flash_size,
            "parts": parts_json,
            # Ours: the same bytes as one file for `esptool write_flash 0x0`, and whether
            # the image carries the `webrtc` module (the portal skips WebRTC checks if not).
            "merged": {"path": merged_rel, "offset": 0, "size": len(merged), "sha256": sha256_hex(merged)},
            "webrtc": board.webrtc,
            # Where the app's REPL answers after the install: the portal asks for that port.
            "console": board.console[0] if len(board.console) == 1 else board.console,
        })

    manifest = {
        "name": "pyDirect",
        "version": version,
        "new_install_prompt_erase": True,
        "channel": channel,
        "builds": builds,
    }
    if release_notes:
        manifest["release_notes"] = release_notes
    _write(os.path.join(out_dir, "manifest.json"), (json.dumps(manifest, indent=2) + "\n").encode())
    sums_text = "".join(f"{digest}  {rel}\n" for digest, rel in sums)
    _write(os.path.join(out_dir, "SHA256SUMS"), sums_text.encode())
    return manifest


def _write(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$")


def normalise_version(text: str) -> tuple[str, str]:
    """'v1.2.0' -> ('1.2.0', 'stable'); '1.3.0-beta.1' -> ('1.3.0-beta.1', 'beta')."""
    m = VERSION_RE.match(text.strip())
    if not m:
        raise ImageError(f"version {text!r} is not a semantic version like 1.2.0 or v1.2.0-beta.1")
    version = text.strip().lstrip("v")
    return version, "beta" if m.group(4) else "stable"


def _version_key(version: str) -> tuple:
    """Semantic-version order: 1.2.0 > 1.2.0-rc.10 > 1.2.0-rc.2 > 1.1.9."""
    m = VERSION_RE.match(version)
    if not m:
        return (-1,)
    pre = m.group(4)
    # A release sorts above its prereleases; identifiers compare numerically when both are numbers,
    # and numbers sort below words (semver.org, rule 11).
    pre_key = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")) if pre else ()
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)), 0 if pre else 1, pre_key)


def update_release_index(index_path: str, manifest_rel: str, manifest: dict) -> dict:
    """Adds (or replaces) this release in the index the portal lists releases from.

    public/firmware/index.json: {"versions": [{version, channel, manifest, chips}]}, newest first;
    `manifest` is relative to the index. Other versions already listed are kept as they are."""
    index: dict = {"versions": []}
    if os.path.exists(index_path):
        try:
            with open(index_path, encoding="utf-8") as f:
                index = json.load(f)
        except (OSError, ValueError) as e:
            raise ImageError(f"{index_path} is not readable JSON ({e}); fix or remove it, then build again")
        if not isinstance(index, dict) or not isinstance(index.get("versions"), list):
            raise ImageError(f"{index_path} has no \"versions\" list; fix or remove it, then build again")
    entry = {
        "version": manifest["version"],
        "channel": manifest["channel"],
        "manifest": manifest_rel,
        "chips": [b["chipFamily"] for b in manifest["builds"]],
    }
    versions = [v for v in index["versions"] if not (isinstance(v, dict) and v.get("version") == entry["version"])]
    versions.append(entry)
    versions.sort(key=lambda v: _version_key(str(v.get("version", "")) if isinstance(v, dict) else ""), reverse=True)
    index["versions"] = versions
    _write(index_path, (json.dumps(index, indent=2) + "\n").encode())
    return index
