"""The QEMU machine, measured: latency against its floors, boot, idle CPU, footprint.

    python tests/bench/bench_qemu.py [-n 2000] [--boots 5] [--idle 5] [--json]

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
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

from pyhost.i2c import I2cClient, I2cMsg
from pyhost.machine import Machine, make_machine
from pyhost.machine.qemu import QemuMachine
from pyhost.machine.qemu_image import REPO, build_dir, ensure_image

GUEST = "ivi"
REQUEST = I2cMsg(0x48, True, 1)
WARMUP = 100
ASLEEP_GAP_US = 200  # pause before each request so the image is asleep in WFI
TEXT_TARGET = 24 * 1024
#: the image's doorbell-mode idle policy (spin us, longest sleep us), src/doorbell.c
DEFAULT_IDLE = (200, 100_000)
OUT = REPO / "build" / "bench" / "qemu.json"


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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-n", type=int, default=2000, help="requests per latency figure")
    p.add_argument("--boots", type=int, default=5, help="boots per mode (median reported)")
    p.add_argument("--idle", type=float, default=5.0, help="seconds of idle CPU measured")
    p.add_argument("--json", action="store_true", help="print JSON instead of the table")
    p.add_argument("--out", type=Path, default=OUT, help=f"JSON file (default {OUT})")
    args = p.parse_args(argv)
    if args.n < 1 or args.boots < 1 or args.idle <= 0:
        p.error("-n and --boots must be at least 1, --idle positive")
    res = run(args.n, args.boots, args.idle)
    doc = to_json(res)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(doc, indent=2) if args.json else table(res) + f"\n\nJSON: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
