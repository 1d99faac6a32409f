"""Write the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/), reproducibly.

    python tests/fuzz/gen_seeds.py [--out tests/fuzz/corpus]

Each seed is a valid session in the target's operation format (the fuzz_<target>.c header
says what each operation is), so the fuzzer starts from inputs that reach DRIVER_OK, ring
set-up and real requests instead of finding all of that by chance:

- fvq: pyhost's own drivers (I2cClient, ScmiAgent) against the in-process backend, which
  serves the same demo system; every byte the drivers write into a window between two polls
  becomes a write operation, every poll a poll operation (a recording of the real thing).
- vhu: a front-end's messages (memory table, rings, features, kicks) and guest RAM built with
  pyhost's driver-side ring (pyhost.virtio.ring.SplitRing) over a bytearray.
- scmi, i2c: operation streams written here: real messages of every protocol from both
  agents, I2C transfers of every shape the harness can build.

The same script run twice writes the same bytes (tests/fuzz/test_fuzz.py checks the corpus
in the repository is what it writes).
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyhost.virtio.ring import SplitRing

HERE = Path(__file__).resolve().parent
MAX_RUN = 256  # bytes per write operation (len is one byte, minus one)

# ---- fvq: recorded sessions -----------------------------------------------------------------


def _runs(old: bytes, new: bytes) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) of every stretch where ``new`` differs from ``old``."""
    step = 4096
    for base in range(0, len(new), step):
        a, b = old[base : base + step], new[base : base + step]
        if a == b:
            continue
        i = 0
        while i < len(b):
            if a[i] == b[i]:
                i += 1
                continue
            j = i
            gap = 0
            while j < len(b) and gap < 8:
                gap = gap + 1 if a[j] == b[j] else 0
                j += 1
            end = j - gap
            for k in range(i, end, MAX_RUN):
                yield base + k, b[k : min(end, k + MAX_RUN)]
            i = j


@dataclass
class FvqRecorder:
    """Wraps an in-process machine's poll(): records the drivers' writes and the polls."""

    machine: object
    ops: bytearray = field(default_factory=bytearray)
    last: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.windows = self.machine._windows  # type: ignore[attr-defined]
        self.last = [bytes(w.view) for w in self.windows]
        self.inner = self.machine.poll  # type: ignore[attr-defined]
        self.machine.poll = self.poll  # type: ignore[attr-defined]

    def poll(self) -> bool:
        for g, w in enumerate(self.windows):
            now = bytes(w.view)
            for off, run in _runs(self.last[g], now):
                self.ops += bytes([g << 4 | 0]) + struct.pack("<IB", off, len(run) - 1) + run
        self.ops.append(0x04)  # poll
        busy = self.inner()
        self.last = [bytes(w.view) for w in self.windows]
        return busy


def fvq_seeds() -> dict[str, bytes]:
    from pyhost.i2c import I2cClient, I2cMsg
    from pyhost.machine import make_machine
    from pyhost.scmi import ScmiAgent

    def session(body: Callable[[object], None]) -> bytes:
        with make_machine("inprocess") as m:
            rec = FvqRecorder(m)
            body(m)
            return bytes(rec.ops)

    def i2c_ivi(m: object) -> None:
        c = I2cClient(m, "ivi")  # type: ignore[arg-type]
        c.transfer([I2cMsg.write_of(0x50, b"\x10fuzz")])
        c.transfer([I2cMsg.write_of(0x50, b"\x10"), I2cMsg.read_of(0x50, 4)])
        c.transfer([I2cMsg.read_of(0x48, 2)])

    def i2c_cluster(m: object) -> None:
        c = I2cClient(m, "cluster")  # type: ignore[arg-type]
        c.transfer([I2cMsg.write_of(0x50, b"\x00"), I2cMsg.read_of(0x50, 2)])
        c.transfer([I2cMsg.read_of(0x49, 2)])
        c.transfer([I2cMsg.write_of(0x150, b"\x01", ten_bit=True)])
        c.transfer([I2cMsg.write_of(0x51, b"")])

    def scmi_ivi(m: object) -> None:
        a = ScmiAgent(m, "ivi", event_buffers=2)  # type: ignore[arg-type]
        a.base.version()
        a.clock.rate_get(0)
        a.power.notify(1)
        a.power.on(1)

    def scmi_both(m: object) -> None:
        a = ScmiAgent(m, "ivi", event_buffers=2)  # type: ignore[arg-type]
        b = ScmiAgent(m, "cluster", event_buffers=2)  # type: ignore[arg-type]
        b.power.notify(0)
        a.power.on(1)
        b.base.version()

    return {
        "i2c-ivi": session(i2c_ivi),
        "i2c-cluster": session(i2c_cluster),
        "scmi-ivi": session(scmi_ivi),
        "scmi-both": session(scmi_both),
    }


# ---- vhu: front-end messages and guest RAM ----------------------------------------------------

UADDR0, UADDR1, GPA1 = 0x7F00_0000_0000, 0x7F00_4000_0000, 0x8000_0000
RAM0 = 256 * 1024
F_VERSION_1, F_EVENT_IDX, F_INDIRECT = 1 << 32, 1 << 29, 1 << 28


class GuestRam:
    """Guest RAM region 0 (GPA 0) as a bytearray, with pyhost's ring on it."""

    def __init__(self) -> None:
        from pyhost.virtio.alloc import Allocator
        from pyhost.virtio.window import WindowMem

        self.buf = bytearray(RAM0)
        self._c = (ctypes.c_char * RAM0).from_buffer(self.buf)
        self.mem = WindowMem(memoryview(self.buf), ctypes.addressof(self._c))
        self.alloc = Allocator(0x10000, RAM0 - 0x10000)
        self.shown = bytes(RAM0)

    def ring(self, q: int, size: int, features: int) -> SplitRing:
        from pyhost.virtio.ring import RingLayout, SplitRing

        layout = RingLayout.at(q * 0x4000, size)
        return SplitRing(self.mem, layout, self.alloc, event_idx=bool(features & F_EVENT_IDX),
                         indirect=bool(features & F_INDIRECT), name=f"vq{q}")  # fmt: skip

    def writes(self) -> bytes:
        """Write operations (op 11) for what changed since the last call."""
        now = bytes(self.buf)
        out = bytearray()
        for off, run in _runs(self.shown, now):
            out += bytes([11]) + struct.pack("<BIB", 0, off, len(run) - 1) + run
        self.shown = now
        return bytes(out)


def _vhu_dev(op: int, dev: int, q: int = 0) -> int:
    return op | dev << 4 | q << 6


def _addr(value: int) -> bytes:
    """pick_addr: how 0 (base + u16), so ring offsets below 64 KiB."""
    return struct.pack("<BH", 0, value)


def vhu_session(
    dev: int, queues: int, features: int, chains: list[list[tuple[bytes, int]]]
) -> bytes:
    """One device set up as QEMU does it, then ``chains`` (per queue: (out, in_len)) kicked."""
    ops = bytearray()
    # memory table: region 0 (256 KiB at GPA 0), region 1 (64 KiB at GPA1)
    ops += bytes([_vhu_dev(0, dev), 2])
    ops += bytes([0, 0, 63]) + _addr(0) + _addr(0)
    ops += bytes([1, 0, 15]) + struct.pack("<BH", 0, 0) + struct.pack("<BH", 0, 0)
    ops += bytes([_vhu_dev(7, dev)]) + struct.pack("<QB", features, 1)
    ram = GuestRam()
    rings = []
    for q in range(queues):
        ops += bytes([_vhu_dev(1, dev, q)]) + struct.pack("<H", 16)
        ring = ram.ring(q, 16, features)
        lay = ring.layout
        ops += bytes([_vhu_dev(2, dev, q)]) + _addr(lay.desc) + _addr(lay.used) + _addr(lay.avail)
        ops += bytes([_vhu_dev(3, dev, q)]) + struct.pack("<H", 0)
        ops += bytes([_vhu_dev(5, dev, q)])
        ops += bytes([_vhu_dev(6, dev, q), 1])
        rings.append(ring)
    for q, ring in enumerate(rings):
        for out, in_len in chains[q] if q < len(chains) else []:
            ring.add([out] if out else [], [in_len])
    ops += ram.writes()
    ops += bytes([_vhu_dev(8, dev)])
    return bytes(ops)


def vhu_seeds() -> dict[str, bytes]:
    from pyhost.i2c import I2cMsg
    from pyhost.scmi.wire import encode_header

    i2c = F_VERSION_1 | F_EVENT_IDX | F_INDIRECT | 1

    def i2c_chain(msg: I2cMsg) -> tuple[bytes, int]:
        out, ins = msg.chain(False)
        return b"".join(out), sum(ins)

    scmi = F_VERSION_1 | F_EVENT_IDX | 1
    version = struct.pack("<I", encode_header(0, 0x10, token=1))
    notify = struct.pack("<3I", encode_header(5, 0x11, token=2), 0, 1)
    return {
        "i2c": vhu_session(
            0,
            1,
            i2c,
            [[i2c_chain(I2cMsg.read_of(0x48, 2)), i2c_chain(I2cMsg.write_of(0x50, b"\x00ab"))]],
        ),
        "scmi-ivi": vhu_session(1, 2, scmi, [[(version, 136)], [(b"", 64), (b"", 64)]]),
        "scmi-cluster": vhu_session(2, 2, scmi, [[(notify, 136)], [(b"", 64)]])
        + bytes([_vhu_dev(4, 2, 1), 13, 2, 3]),  # eventq stopped, then a platform event
        "relay": vhu_session(3, 1, i2c, [[i2c_chain(I2cMsg.read_of(0x48, 1))]])
        + bytes([14, 0, 14, 1])
        + bytes(64)
        + bytes([1]),  # the owner takes it, answers
    }


# ---- scmi and i2c: operation streams ---------------------------------------------------------


def scmi_seeds() -> dict[str, bytes]:
    from pyhost.scmi.wire import encode_header

    def msg(agent: int, proto: int, mid: int, *words: int, token: int = 1) -> bytes:
        body = struct.pack(f"<{1 + len(words)}I", encode_header(mid, proto, token=token), *words)
        return bytes([agent << 4 | 0, 0, len(body)]) + body

    def events(agent: int, n: int) -> bytes:
        return bytes([agent << 4 | 3, n - 1, 200])

    discover = b"".join(msg(0, p, m) for p in (0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17)
                        for m in (0, 1, 2))  # fmt: skip
    return {
        "discover": bytes([0]) + discover,
        "base": bytes([0]) + b"".join(msg(0, 0x10, m, 0) for m in range(3, 12)),
        "power-notify": bytes([0])
        + events(1, 4)
        + msg(1, 0x11, 5, 0, 1)
        + msg(0, 0x11, 4, 0, 1, 0)
        + msg(0, 0x11, 4, 0, 1, 0x40000000),
        "clock-async": bytes([0])
        + msg(0, 0x14, 5, 1, 1, 400_000_000, 0)
        + events(0, 2)
        + bytes([0x07]),
        "sensor-trip": bytes([0])
        + events(0, 2)
        + msg(0, 0x15, 4, 0, 1)
        + msg(0, 0x15, 5, 0, 0x3, 50000, 0)
        + bytes([6, 0, 0, 0])
        + struct.pack("<I", 60000),
        "system": bytes([0])
        + events(1, 2)
        + msg(1, 0x12, 5, 1)
        + bytes([6, 1, 1, 1, 2])
        + struct.pack("<H", 100)
        + bytes([0x15])
        + bytes([6, 1, 1, 1, 2])
        + b"\0\0",
        "reset-agent": bytes([0])
        + msg(0, 0x16, 4, 0, 1, 0)
        + msg(0, 0x10, 0xB, 2, 0)
        + msg(0, 0x10, 0xC, 2, 1),
        "perf": bytes([0])
        + msg(0, 0x13, 7, 0, 1200)
        + msg(1, 0x13, 7, 0, 1400)
        + msg(0, 0x13, 8, 0)
        + msg(1, 0x13, 5, 0, 1800, 400),
        "voltage": bytes([0])
        + msg(0, 0x17, 5, 0, 0, 1800000)
        + msg(0, 0x17, 6, 0)
        + msg(1, 0x17, 3, 0, 7),
    }


def i2c_seeds() -> dict[str, bytes]:
    from pyhost.i2c import FLAGS_FAIL_NEXT, FLAGS_M_RD, encode_addr

    def req(dev: int, addr: int, flags: int, shape: int, wdata: bytes, rlen: int,
            ten: bool = False) -> bytes:  # fmt: skip
        return (bytes([dev << 4 | 0]) + struct.pack("<HBBBB", encode_addr(addr, ten), flags,
                                                     shape, len(wdata), rlen) + wdata)  # fmt: skip

    serve = bytes([0x01])
    return {
        "eeprom": bytes([0])
        + req(0, 0x50, 0, 0, b"\x10abcd", 0)
        + req(0, 0x50, FLAGS_FAIL_NEXT, 0, b"\x10", 0)
        + req(0, 0x50, FLAGS_M_RD, 0, b"", 4)
        + serve,
        "sensor-split": bytes([0]) + req(0, 0x48, FLAGS_M_RD, 0x01 | 0x08, b"", 2) + serve,
        "indirect": bytes([0])
        + req(0, 0x50, FLAGS_FAIL_NEXT, 0x20 | 0x04, b"\x00xy", 0)
        + req(0, 0x50, FLAGS_M_RD, 0x20, b"", 3)
        + serve,
        "cluster-ro": bytes([0])
        + req(1, 0x50, FLAGS_FAIL_NEXT, 0, b"\x00", 0)
        + req(1, 0x50, FLAGS_M_RD, 0, b"", 2)
        + req(1, 0x50, 0, 0, b"\x00z", 0)
        + serve,
        "ten-bit": bytes([0])
        + req(1, 0x150, 0, 0, b"\x01", 0, ten=True)
        + req(1, 0x150, FLAGS_M_RD, 0, b"", 1, ten=True)
        + serve,
        "zero-length": bytes([0]) + req(0, 0x50, 0, 0, b"", 0) + req(1, 0x51, 0, 0, b"", 0) + serve,
        "bad-shapes": bytes([0])
        + req(0, 0x50, 0, 0x02 | 0x04, b"\x00\x01", 0)
        + req(0, 0x48, FLAGS_M_RD, 0x10, b"", 2)
        + req(0, 0x48, FLAGS_M_RD, 0, b"\x00", 2)
        + serve,
        "group": bytes([0])
        + b"".join(req(0, 0x50, FLAGS_FAIL_NEXT, 0, b"\x00", 0) for _ in range(17))
        + req(0, 0x50, 0, 0, b"\x00", 0)
        + serve,
    }


TARGETS: dict[str, Callable[[], dict[str, bytes]]] = {
    "fvq": fvq_seeds,
    "vhu": vhu_seeds,
    "scmi": scmi_seeds,
    "i2c": i2c_seeds,
}


def write(out: Path, targets: list[str]) -> dict[str, list[Path]]:
    written: dict[str, list[Path]] = {}
    for name in targets:
        d = out / name
        d.mkdir(parents=True, exist_ok=True)
        for old in d.glob("seed-*"):
            old.unlink()
        paths = []
        for label, data in sorted(TARGETS[name]().items()):
            digest = hashlib.sha1(data).hexdigest()[:10]
            p = d / f"seed-{label}-{digest}"
            p.write_bytes(data)
            paths.append(p)
        written[name] = paths
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE / "corpus", help="corpus root")
    ap.add_argument("targets", nargs="*", default=list(TARGETS), help="targets (default: all)")
    args = ap.parse_args()
    for name, paths in write(args.out, args.targets).items():
        total = sum(p.stat().st_size for p in paths)
        print(f"{name}: {len(paths)} seeds, {total} bytes in {args.out / name}")


if __name__ == "__main__":
    main()
