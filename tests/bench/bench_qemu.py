"""The QEMU machine, measured: latency against its floors, boot, idle CPU, footprint.

    python tests/bench/bench_qemu.py [-n 2000] [--boots 5] [--idle 5] [--json]
    python tests/bench/bench_qemu.py --profile [-n 1000] [--trace-mmio]

Prints a table and writes the same figures as JSON to build/bench/qemu.json. Asserts
nothing about speed. Each latency is the whole round trip of one 1-byte I2C read (guest
"ivi", ``r1@0x48``) as the harness's I2C client does it, p50/p99 over N requests after a
warm-up, beside its floor measured in the same run:

- doorbell mode vs a raw doorbell ping-pong with the same image (the image echoes a ping
  byte at once): once with the guest asleep in WFI before every request (spin 0, a pause
  between requests) and once with the image's default idle policy, back to back;
- polling mode vs the in-process machine driven by the same Python code.

Also: boot-to-ready time (launch() until the console says ready, every window carries
its magic and, in doorbell mode, the doorbell answered; median of --boots), host CPU of
an idle booted machine over --idle seconds (utime + stime of QEMU from /proc), and the
arm64 footprint of the core (text/data/bss of each core object, read with pyelftools).

``--profile`` instead builds the image with VBE_BM_PROFILE=ON (build/baremetal-prof) and
takes one doorbell-woken request apart, p50 over N requests with the image asleep before
each: on the host side (the driver until its kick, kick -> the image's WFI return, the
image's wake -> its 'N' byte, 'N' -> the driver done; the image's counter is mapped to the
host's clock through mailbox TIME commands while the image spins), and inside the image
from its profile (boards/qemu_virt_baremetal/src/harness_layout.h, struct bm_profile).
``--trace-mmio`` also counts the MMIO accesses (each one a TCG exit into QEMU's device
model) per request and per ping with QEMU's memory_region_ops_* trace events.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

from pyhost.i2c import I2cClient, I2cMsg
from pyhost.machine import Machine, make_machine
from pyhost.machine.qemu import QemuMachine
from pyhost.machine.qemu_image import BOARD, REPO, build_dir, ensure_image, stale_reason

GUEST = "ivi"
REQUEST = I2cMsg(0x48, True, 1)
WARMUP = 100
ASLEEP_GAP_US = 200  # pause before each request so the image is asleep in WFI
TEXT_TARGET = 24 * 1024
#: the image's doorbell-mode idle policy (spin us, longest sleep us), src/doorbell.c
DEFAULT_IDLE = (200, 100_000)
OUT = REPO / "build" / "bench" / "qemu.json"
PROFILE_OUT = REPO / "build" / "bench" / "qemu-profile.json"
PROFILE_BUILD = REPO / "build" / "baremetal-prof"
#: profile fields (struct bm_profile) taken per request, in counter ticks unless counted
PROFILE_TIMES = ("wake_ret", "drain", "rx_gic", "notify_write", "notify", "windows",
                 "mailbox", "end", "tail")  # fmt: skip
PROFILE_COUNTS = ("woken", "notified", "sleeps", "rounds", "tail_rounds", "rx_drains")


@dataclass
class Latency:
    p50_us: float
    p99_us: float
    n: int


@dataclass
class Pair:
    what: str
    measured: Latency
    floor_what: str
    floor: Latency
    target: float

    @property
    def ratio_p50(self) -> float:
        return self.measured.p50_us / self.floor.p50_us

    @property
    def ratio_p99(self) -> float:
        return self.measured.p99_us / self.floor.p99_us


@dataclass
class Footprint:
    objects: dict[str, dict[str, int]]  # object -> text/data/bss
    components: dict[str, dict[str, int]]  # core component (vq, fvq, i2c, ...) -> sums
    total: dict[str, int]
    image: dict[str, int]  # the whole linked image


@dataclass
class QemuBench:
    pairs: list[Pair] = field(default_factory=list)
    boot_s: dict[str, list[float]] = field(default_factory=dict)
    idle_cpu_pct: dict[str, float] = field(default_factory=dict)
    footprint: Footprint | None = None
    notes: list[str] = field(default_factory=list)
    qemu: str = ""
    image: str = ""


def _pause(us: int) -> None:
    end = time.perf_counter_ns() + us * 1000
    while time.perf_counter_ns() < end:
        pass  # a busy pause: a sleep would add the scheduler's noise to the next request


def timed(fn: Callable[[], object], n: int, gap_us: int = 0) -> Latency:
    for _ in range(WARMUP):
        fn()
    ns = []
    for _ in range(n):
        if gap_us:
            _pause(gap_us)
        t = time.perf_counter_ns()
        fn()
        ns.append(time.perf_counter_ns() - t)
    ns.sort()
    return Latency(ns[len(ns) // 2] / 1000, ns[min(len(ns) - 1, len(ns) * 99 // 100)] / 1000, n)


def i2c_read(m: Machine) -> Callable[[], object]:
    client = I2cClient(m, GUEST)

    def one() -> None:
        if not client.transfer([REQUEST]).ok:
            raise RuntimeError(f"{REQUEST.describe()} from {GUEST} failed on {m.name}")

    return one


def latency_pairs(n: int) -> list[Pair]:
    pairs = []
    with QemuMachine(notify="doorbell") as m:
        m.platform.set_doorbell_idle(0, 100_000)
        pairs.append(
            Pair(
                "i2c r1, doorbell, image asleep before each request (spin 0)",
                timed(i2c_read(m), n, ASLEEP_GAP_US),
                "raw doorbell ping, image asleep",
                timed(m.ping, n, ASLEEP_GAP_US),
                1.3,
            )
        )
        m.platform.set_doorbell_idle(*DEFAULT_IDLE)
        pairs.append(
            Pair(
                f"i2c r1, doorbell, back to back (spin {DEFAULT_IDLE[0]} us)",
                timed(i2c_read(m), n),
                "raw doorbell ping, back to back",
                timed(m.ping, n),
                1.3,
            )
        )
    with QemuMachine(notify="poll") as m:
        polled = timed(i2c_read(m), n)
    with make_machine("inprocess") as m:
        inproc = timed(i2c_read(m), n)
    pairs.append(Pair("i2c r1, polling", polled, "same Python code, in-process", inproc, 1.5))
    return pairs


def boot_times(runs: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for mode in ("doorbell", "poll"):
        out[mode] = []
        for _ in range(runs):
            with QemuMachine(notify=mode) as m:
                assert m.boot_seconds is not None
                out[mode].append(m.boot_seconds)
    return out


def idle_cpu(seconds: float) -> dict[str, float]:
    out = {}
    for mode in ("doorbell", "poll"):
        with QemuMachine(notify=mode) as m:
            time.sleep(0.5)  # past the image's post-boot spin
            c0, t0 = m.cpu_seconds(), time.monotonic()
            time.sleep(seconds)
            out[mode] = 100 * (m.cpu_seconds() - c0) / (time.monotonic() - t0)
    return out


def _sizes(path: Path) -> dict[str, int]:
    """Berkeley-style sizes: text = alloc read-only (code + rodata), data, bss."""
    text = data = bss = 0
    with open(path, "rb") as f:
        for sec in ELFFile(f).iter_sections():
            flags = sec["sh_flags"]
            if not flags & SH_FLAGS.SHF_ALLOC:
                continue
            if sec["sh_type"] == "SHT_NOBITS":
                bss += sec["sh_size"]
            elif flags & SH_FLAGS.SHF_WRITE:
                data += sec["sh_size"]
            else:
                text += sec["sh_size"]
    return {"text": text, "data": data, "bss": bss}


def footprint(elf: Path) -> Footprint:
    objs = sorted(build_dir().glob("CMakeFiles/vbe_core_bm.dir/**/*.obj"))
    if not objs:
        raise RuntimeError(f"no core objects under {build_dir()}: build the image first")
    per = {o.name.removesuffix(".c.obj"): _sizes(o) for o in objs}
    comps: dict[str, dict[str, int]] = {}
    for o in objs:  # .../zephyr-app/lib/<component>/src/<file>.c.obj
        comp = o.parent.parent.name
        sizes = per[o.name.removesuffix(".c.obj")]
        acc = comps.setdefault(comp, {"text": 0, "data": 0, "bss": 0})
        for k in acc:
            acc[k] += sizes[k]
    total = {k: sum(s[k] for s in per.values()) for k in ("text", "data", "bss")}
    return Footprint(per, comps, total, _sizes(elf))


def run(n: int, boots: int, idle_s: float) -> QemuBench:
    elf = ensure_image()
    with QemuMachine() as m:
        qemu = m.info()["qemu"]
    res = QemuBench(qemu=qemu, image=str(elf))
    res.pairs = latency_pairs(n)
    asleep, polled = res.pairs[0], res.pairs[2]
    excess = asleep.measured.p50_us - asleep.floor.p50_us
    driver = polled.floor.p50_us
    res.notes.append(
        f"doorbell, image asleep: {excess:.1f} us p50 above the ping floor; the same Python "
        f"driver takes {driver:.1f} us per request in-process (ping floor + that = "
        f"{asleep.floor.p50_us + driver:.1f} us, ratio "
        f"{asleep.measured.p50_us / (asleep.floor.p50_us + driver):.2f})"
    )
    res.boot_s = boot_times(boots)
    res.idle_cpu_pct = idle_cpu(idle_s)
    res.footprint = footprint(elf)
    return res


def to_json(res: QemuBench) -> dict[str, object]:
    doc = asdict(res)
    for p, d in zip(res.pairs, doc["pairs"]):
        d["ratio_p50"], d["ratio_p99"] = round(p.ratio_p50, 3), round(p.ratio_p99, 3)
    doc["boot_median_s"] = {k: statistics.median(v) for k, v in res.boot_s.items()}
    return doc


def table(res: QemuBench) -> str:
    lines = [f"vbe QEMU machine bench ({res.qemu}, {res.image})", ""]
    lines.append(f"{'round trip':<62} {'p50 us':>8} {'p99 us':>8} {'ratio p50/p99':>14}")
    for p in res.pairs:
        m, f = p.measured, p.floor
        lines.append(f"{p.what:<62} {m.p50_us:>8.1f} {m.p99_us:>8.1f}")
        ratio = f"{p.ratio_p50:.2f}/{p.ratio_p99:.2f}"
        lines.append(
            f"  floor: {p.floor_what:<53} {f.p50_us:>8.1f} {f.p99_us:>8.1f} {ratio:>14}"
            f"  (target <= {p.target}x)"
        )
    lines += [f"  note: {n}" for n in res.notes]
    lines.append("")
    for mode, times in res.boot_s.items():
        shown = ", ".join(f"{t * 1000:.0f}" for t in times)
        lines.append(
            f"boot to ready, {mode:<8}: median {statistics.median(times) * 1000:.0f} ms ({shown})"
        )
    for mode, pct in res.idle_cpu_pct.items():
        lines.append(f"idle host CPU, {mode:<8}: {pct:.2f} % of one core")
    fp = res.footprint
    if fp is not None:
        lines += ["", f"{'arm64 core object':<24} {'text':>7} {'data':>6} {'bss':>7}"]
        for name, s in fp.objects.items():
            lines.append(f"{name:<24} {s['text']:>7} {s['data']:>6} {s['bss']:>7}")
        lines.append("")
        for name, s in sorted(fp.components.items()):
            lines.append(f"{'component ' + name:<24} {s['text']:>7} {s['data']:>6} {s['bss']:>7}")
        t = fp.total
        lines.append(f"{'core total':<24} {t['text']:>7} {t['data']:>6} {t['bss']:>7}")
        verdict = "within" if t["text"] <= TEXT_TARGET else "OVER"
        lines.append(f"  core text {t['text'] / 1024:.1f} KiB: {verdict} the 24 KiB target")
        im = fp.image
        lines.append(
            f"{'whole image':<24} {im['text']:>7} {im['data']:>6} {im['bss']:>7}"
            "  (bss includes the 1 MiB of window slots)"
        )
    return "\n".join(lines)


# ---- --profile: one doorbell-woken request taken apart -----------------------------------


def profile_image() -> Path:
    """The image built with VBE_BM_PROFILE=ON in its own build directory."""
    elf = PROFILE_BUILD / "vbe-baremetal.elf"
    if stale_reason(elf) is None:
        return elf
    cmds = [
        [
            "cmake", "-S", str(BOARD), "-B", str(PROFILE_BUILD), "-DVBE_BM_PROFILE=ON",
            f"-DVBE_PYTHON={sys.executable}",
        ],
        ["cmake", "--build", str(PROFILE_BUILD), "-j", str(os.cpu_count() or 2)],
    ]
    for cmd in cmds:
        subprocess.run(cmd, check=True, capture_output=True)
    os.utime(elf)
    return elf


def _clock_offset_ns(m: QemuMachine, samples: int = 300) -> tuple[int, int]:
    """host CLOCK_MONOTONIC ns - image counter ns, from the narrowest TIME bracket, and
    that bracket's width (the offset's uncertainty). The image spins meanwhile."""
    plat = m.platform
    period = 1e9 / plat.profile()["freq_hz"]
    best = (1 << 62, 0)
    for _ in range(samples):
        t0 = time.perf_counter_ns()
        v = plat.counter()
        t1 = time.perf_counter_ns()
        if t1 - t0 < best[0]:
            best = (t1 - t0, (t0 + t1) // 2 - round(v * period))
    return best[1], best[0]


def _mmio_counts(lines: list[str], n: int) -> dict[str, float]:
    names = {"0x9040018": "UART1 FR", "0x9040000": "UART1 DR", "0x8000280": "GICD_ICPENDR0",
             "0x8000284": "GICD_ICPENDR1"}  # fmt: skip
    c: collections.Counter[str] = collections.Counter()
    for line in lines:
        mm = re.search(r"memory_region_ops_(read|write) .*? addr (0x[0-9a-f]+)", line)
        if mm:
            c[f"{mm[1]} {names.get(mm[2], mm[2])}"] += 1
    out = {k: v / n for k, v in sorted(c.items())}
    out["total"] = sum(c.values()) / n
    return out


def _mmio_pass(elf: Path, n: int, gap_us: int) -> dict[str, dict[str, float]]:
    """MMIO accesses per request and per ping, counted by QEMU's trace (a separate machine:
    tracing slows every access down, so nothing is timed here)."""
    tdir = Path(tempfile.mkdtemp(prefix="vbe-prof-"))
    trace = tdir / "trace.log"
    out = {}
    try:
        args = ["-trace", "memory_region_ops_*", "-D", str(trace)]
        with QemuMachine(notify="doorbell", image=elf, qemu_args=args) as m:
            m.platform.set_doorbell_idle(0, 100_000)
            for what, fn in (("request", i2c_read(m)), ("ping", m.ping)):
                for _ in range(WARMUP):
                    fn()
                time.sleep(0.05)
                start = len(trace.read_text().splitlines())
                for _ in range(n):
                    _pause(gap_us)
                    fn()
                _pause(gap_us)
                time.sleep(0.05)
                out[what] = _mmio_counts(trace.read_text().splitlines()[start:], n)
    finally:
        for f in tdir.iterdir():
            f.unlink()
        tdir.rmdir()
    return out


def profile(n: int, gap_us: int = ASLEEP_GAP_US, trace_mmio: bool = False) -> dict[str, Any]:
    """p50 of each part of a doorbell-woken 1-byte I2C read (and of a ping), host and image."""
    elf = profile_image()
    out: dict[str, Any] = {"n": n, "gap_us": gap_us, "image": str(elf)}
    with QemuMachine(notify="doorbell", image=elf) as m:
        plat = m.platform
        plat.set_doorbell_idle(1_000_000, 100_000)  # spin: a tight TIME bracket
        offset, width = _clock_offset_ns(m)
        out["clock_offset_uncertainty_us"] = width / 1000
        plat.set_doorbell_idle(0, 100_000)
        one = i2c_read(m)
        for _ in range(WARMUP):
            one()
        freq = plat.profile()["freq_hz"]
        tick_us = 1e6 / freq
        prof = plat.prof
        proc = m.proc
        assert proc is not None
        sends: list[int] = []
        real_send = proc.send

        def send(data: bytes) -> None:
            sends.append(time.perf_counter_ns())
            real_send(data)

        def snap() -> dict[str, int]:
            d = {k: int(getattr(prof, k)) for k in PROFILE_TIMES + PROFILE_COUNTS}
            for i in range(len(m.guests)):
                d[f"window{i}"] = int(prof.win[i])
            return d

        host: dict[str, list[float]] = collections.defaultdict(list)
        image: dict[str, list[float]] = collections.defaultdict(list)
        counts: dict[str, int] = collections.Counter()
        proc.send = send  # type: ignore[method-assign]
        try:
            prev = snap()
            for _ in range(n):
                _pause(gap_us)
                sends.clear()
                t0 = time.perf_counter_ns()
                one()
                t1 = time.perf_counter_ns()
                wake = round(int(prof.last_wake) * 1e9 / freq) + offset
                note = round(int(prof.last_notify) * 1e9 / freq) + offset
                _pause(gap_us)  # the round (and its tail) is over: its profile is complete
                cur = snap()
                d = {k: cur[k] - prev[k] for k in cur}
                prev = cur
                for k in PROFILE_COUNTS:
                    counts[k] += d[k]
                host["request"].append((t1 - t0) / 1000)
                if not sends or d["woken"] != 1 or d["notified"] != 1:
                    counts["not_one_woken_round"] += 1
                    continue
                host["driver until its kick"].append((sends[0] - t0) / 1000)
                host["kick -> image awake (WFI returns)"].append((wake - sends[0]) / 1000)
                host["image awake -> 'N' written"].append((note - wake) / 1000)
                host["'N' -> driver done"].append((t1 - note) / 1000)
                for k in PROFILE_TIMES:
                    image[k].append(d[k] * tick_us)
                for i in range(len(m.guests)):
                    image[f"window{i}"].append(d[f"window{i}"] * tick_us)
        finally:
            proc.send = real_send  # type: ignore[method-assign]
        out["ping"] = asdict(timed(m.ping, n, gap_us))
    med = statistics.median
    out["host_p50_us"] = {k: round(med(v), 2) for k, v in host.items()}
    out["image_p50_us"] = {k: round(med(v), 2) for k, v in image.items()}
    out["image_mean_us"] = {k: round(statistics.fmean(v), 2) for k, v in image.items()}
    out["per_request"] = {k: round(v / n, 3) for k, v in counts.items()}
    if trace_mmio:
        counted = _mmio_pass(elf, min(n, 500), gap_us)
        out["mmio_per_request"], out["mmio_per_ping"] = counted["request"], counted["ping"]
    return out


def profile_table(p: dict[str, Any]) -> str:
    title = (
        f"doorbell-woken 1-byte I2C read, image asleep before each ({p['n']} requests, "
        f"{p['gap_us']} us pause; {p['image']})"
    )
    lines = [title, ""]
    lines.append(f"{'host side (p50)':<44} {'us':>8}")
    for k, v in p["host_p50_us"].items():
        lines.append(f"  {k:<42} {v:>8.1f}")
    lines.append(f"  {'raw doorbell ping (floor)':<42} {p['ping']['p50_us']:>8.1f}")
    lines.append(
        f"  (image clock mapped to the host's within {p['clock_offset_uncertainty_us']:.1f} us)"
    )
    lines.append("")
    lines.append(f"{'image, from its WFI return (p50 / mean)':<44} {'us':>8} {'mean':>8}")
    for k, v in p["image_p50_us"].items():
        lines.append(f"  {k:<42} {v:>8.2f} {p['image_mean_us'][k]:>8.2f}")
    lines.append("  per request: " + ", ".join(f"{k} {v:g}" for k, v in p["per_request"].items()))
    for what in ("mmio_per_request", "mmio_per_ping"):
        if what in p:
            shown = ", ".join(f"{k} {v:.2f}" for k, v in p[what].items())
            lines.append(f"  {what.replace('_', ' ')}: {shown}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-n", type=int, default=2000, help="requests per latency figure")
    p.add_argument("--boots", type=int, default=5, help="boots per mode (median reported)")
    p.add_argument("--idle", type=float, default=5.0, help="seconds of idle CPU measured")
    p.add_argument("--json", action="store_true", help="print JSON instead of the table")
    p.add_argument("--out", type=Path, default=None, help=f"JSON file (default {OUT})")
    p.add_argument(
        "--profile",
        action="store_true",
        help="take a doorbell-woken request apart instead (VBE_BM_PROFILE image)",
    )
    p.add_argument(
        "--trace-mmio",
        action="store_true",
        help="with --profile: count MMIO accesses per request (QEMU trace)",
    )
    args = p.parse_args(argv)
    if args.n < 1 or args.boots < 1 or args.idle <= 0:
        p.error("-n and --boots must be at least 1, --idle positive")
    if args.profile:
        prof = profile(args.n, trace_mmio=args.trace_mmio)
        out = args.out or PROFILE_OUT
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(prof, indent=2) + "\n")
        print(json.dumps(prof, indent=2) if args.json else profile_table(prof) + f"\n\nJSON: {out}")
        return 0
    args.out = args.out or OUT
    res = run(args.n, args.boots, args.idle)
    doc = to_json(res)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(doc, indent=2) if args.json else table(res) + f"\n\nJSON: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
