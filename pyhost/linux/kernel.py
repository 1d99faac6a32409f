"""The guest kernel: Debian's linux-source-6.12 cross-built for arm64 from ``allnoconfig`` plus
``guest.config``, cached by (source package version, config fragment).

Layout under ``<cache>/linux/`` (see pyhost.linux.cache for ``<cache>``):

    dl/                         the linux-source .deb (apt-get download)
    src/<version>/linux-source-6.12/   the unpacked tree, shared by every config
    obj-<key>/                  the out-of-tree build (removed once the Image is cached)
    <key>/Image, config, build.log, info.json   the result
    <key>/modules/virtio_mmio.ko                the one module (MODULES in guest.config)

``<key>`` is the first 16 hex digits of sha256(package, version, fragment); ``info.json``
records the version the build was made from. Which version to build is decided when
building: ``$VBE_LINUX_VERSION`` when set, else apt's candidate for the package (Debian keeps
it in bookworm-security, and bookworm-backports, which
boards/qemu_virt_baremetal/install-qemu.sh adds to apt's sources). Which kernel to boot is
decided from the cache alone (:func:`current_kernel`: the newest build of the current
fragment), so an ``apt-get update`` or a new upload never hides a built kernel;
``build_kernel(update=True)`` (``vbe guest build --update``) moves to apt's newer candidate.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from pyhost.linux.cache import (
    LinuxError,
    Progress,
    apt_download,
    cache_root,
    compare_versions,
    locked,
    no_progress,
    require_tools,
    run,
    safe_name,
)

PACKAGE = "linux-source-6.12"
FRAGMENT = Path(__file__).with_name("guest.config")
ARCH = "arm64"
CROSS_COMPILE = "aarch64-linux-gnu-"
BUILD_TIMEOUT = float(os.environ.get("VBE_LINUX_BUILD_TIMEOUT", "3600"))
UNPACK_TIMEOUT = 900.0
BUILD_TOOLS = {
    "make": "make",
    "flex": "flex",
    "bison": "bison",
    "bc": "bc",
    "xz": "xz-utils",
    "dpkg-deb": "dpkg",
    f"{CROSS_COMPILE}gcc": "gcc-aarch64-linux-gnu",
    "gcc": "gcc",
}
# headers the host tools of the kernel build include: header -> Debian package
BUILD_HEADERS = {"/usr/include/gelf.h": "libelf-dev", "/usr/include/openssl/ssl.h": "libssl-dev"}
#: modules the config builds (=m in guest.config), kept next to the Image: object path in
#: the build tree. virtio_mmio is a module so that a guest can bind its virtio-mmio devices
#: late: a Xen DomU must not touch them before Dom0 serves them (docs/xen.md); the
#: initramfs loads it at once unless told to wait.
MODULES = {"virtio_mmio.ko": "drivers/virtio/virtio_mmio.ko"}
_OPT_RE = re.compile(r"^(CONFIG_[A-Za-z0-9_]+)=(.*)$")
_UNSET_RE = re.compile(r"^# (CONFIG_[A-Za-z0-9_]+) is not set$")


def linux_dir() -> Path:
    return cache_root() / "linux"


def pinned_version() -> str | None:
    """``$VBE_LINUX_VERSION``: the one linux-source version to build and boot, or None."""
    return os.environ.get("VBE_LINUX_VERSION") or None


def apt_candidate() -> str:
    """apt's candidate version of linux-source-6.12. Asked only when building (apt's answer
    moves with every ``apt-get update``); LinuxError saying what to do when apt knows none."""
    try:
        out = subprocess.run(
            ["apt-cache", "policy", PACKAGE],
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LinuxError(f"apt-cache policy {PACKAGE}: {exc}") from exc
    m = re.search(r"Candidate:\s*(\S+)", out)
    if m is None or m[1] == "(none)":
        raise LinuxError(
            f"apt knows no {PACKAGE}: it is in bookworm-security and bookworm-backports; add "
            "backports (boards/qemu_virt_baremetal/install-qemu.sh writes the entry), run "
            "apt-get update, or set VBE_LINUX_VERSION"
        )
    return m[1]


def fragment_text() -> str:
    return FRAGMENT.read_text()


def cache_key(version: str, fragment: str) -> str:
    h = hashlib.sha256(f"{PACKAGE}\n{version}\n".encode() + fragment.encode())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class KernelBuild:
    """Where one (version, fragment) kernel lives in the cache."""

    version: str
    key: str

    @property
    def dir(self) -> Path:
        return linux_dir() / self.key

    @property
    def image(self) -> Path:
        return self.dir / "Image"

    @property
    def config(self) -> Path:
        return self.dir / "config"

    @property
    def modules(self) -> Path:
        return self.dir / "modules"

    @property
    def obj(self) -> Path:
        return linux_dir() / f"obj-{self.key}"

    @property
    def source(self) -> Path:
        return linux_dir() / "src" / safe_name(self.version) / PACKAGE

    def is_built(self) -> bool:
        return (
            self.image.is_file()
            and (self.dir / "info.json").is_file()
            and all((self.modules / m).is_file() for m in MODULES)
        )

    def info(self) -> dict[str, object]:
        return dict(json.loads((self.dir / "info.json").read_text()))


def kernel_build(version: str | None = None) -> KernelBuild:
    """Where the build of ``version`` (default: $VBE_LINUX_VERSION, else apt's candidate)
    and the current fragment lives; it may not be built yet."""
    v = version or pinned_version() or apt_candidate()
    return KernelBuild(v, cache_key(v, fragment_text()))


def cached_builds(fragment: str | None = None) -> list[KernelBuild]:
    """The complete builds of ``fragment`` (default: guest.config) in the cache, oldest
    linux-source version first. Read from each entry's info.json; apt is not asked."""
    frag = fragment_text() if fragment is None else fragment
    found = []
    for info in linux_dir().glob("*/info.json"):
        try:
            data = json.loads(info.read_text())
        except (OSError, ValueError):
            continue  # a broken entry is no build
        version = data.get("version") if isinstance(data, dict) else None
        if not isinstance(version, str) or data.get("package") != PACKAGE:
            continue
        kb = KernelBuild(version, cache_key(version, frag))
        if kb.dir == info.parent and kb.is_built():
            found.append(kb)
    return sorted(
        found, key=functools.cmp_to_key(lambda a, b: compare_versions(a.version, b.version))
    )


def current_kernel() -> KernelBuild | None:
    """The kernel the guest boots: with $VBE_LINUX_VERSION that version's build, else the
    newest cached build of the current fragment; None when there is none. Never asks apt
    (nor builds), so apt's state cannot change which kernel is found."""
    pinned = pinned_version()
    if pinned is not None:
        kb = KernelBuild(pinned, cache_key(pinned, fragment_text()))
        return kb if kb.is_built() else None
    builds = cached_builds()
    return builds[-1] if builds else None


def cached_kernel() -> Path | None:
    """The Image of :func:`current_kernel`, or None (never builds, never raises)."""
    kb = current_kernel()
    return kb.image if kb is not None else None


def no_kernel_reason() -> str:
    """Why :func:`cached_kernel` found nothing, and the command that fixes it."""
    pinned = pinned_version()
    what = f"{PACKAGE} {pinned} ($VBE_LINUX_VERSION)" if pinned else f"any {PACKAGE}"
    return (
        f"no guest kernel built from {FRAGMENT.name} and {what} is cached in {linux_dir()}: "
        "`vbe guest build` builds it (minutes, cached)"
    )


def parse_config(text: str) -> dict[str, str]:
    """CONFIG_* -> value of a .config or fragment; "is not set" lines map to "n"."""
    opts: dict[str, str] = {}
    for ln in text.splitlines():
        ln = ln.strip()
        if m := _OPT_RE.match(ln):
            opts[m[1]] = m[2]
        elif m := _UNSET_RE.match(ln):
            opts[m[1]] = "n"
    return opts


def config_mismatches(config: str, fragment: str) -> list[str]:
    """What the fragment asks for that ``config`` (a .config) does not have, one
    ``CONFIG_X: want y, got n`` string each, in fragment order."""
    have = parse_config(config)
    bad = []
    for name, want in parse_config(fragment).items():
        got = have.get(name, "n")
        if got != want:
            bad.append(f"{name}: want {want}, got {got}")
    return bad


def _fetch_source(kb: KernelBuild, progress: Progress, log: Path) -> None:
    if (kb.source / "Makefile").is_file():
        return
    dl = linux_dir() / "dl"
    debs = list(dl.glob(f"{PACKAGE}_{kb.version.split(':')[-1]}_all.deb"))
    if debs:
        deb = debs[0]
    else:
        progress(f"downloading {PACKAGE} {kb.version} (about 150 MB)")
        deb = apt_download(f"{PACKAGE}={kb.version}", dl, log)
    progress(f"unpacking {deb.name} into {kb.source.parent}")
    tmp = kb.source.parent.with_name(kb.source.parent.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    tarball = f"./usr/src/{PACKAGE}.tar.xz"
    run(
        ["sh", "-c", f'dpkg-deb --fsys-tarfile "$1" | tar -xO {tarball} | tar -xJ', "sh", str(deb)],
        what=f"unpacking {deb.name}",
        timeout=UNPACK_TIMEOUT,
        log=log,
        cwd=tmp,
    )
    if not (tmp / PACKAGE / "Makefile").is_file():
        raise LinuxError(f"{deb}: no {PACKAGE}/Makefile after unpacking {tarball}")
    shutil.rmtree(kb.source.parent, ignore_errors=True)
    tmp.rename(kb.source.parent)


def _make(kb: KernelBuild, *targets: str, jobs: int = 1) -> list[str]:
    return [
        "make", "-C", str(kb.source), f"O={kb.obj}", f"ARCH={ARCH}",
        f"CROSS_COMPILE={CROSS_COMPILE}", f"-j{jobs}",
        "KBUILD_BUILD_USER=vbe", "KBUILD_BUILD_HOST=vbe", *targets,
    ]  # fmt: skip


def check_build_tools() -> None:
    require_tools(BUILD_TOOLS)
    missing = sorted({pkg for hdr, pkg in BUILD_HEADERS.items() if not Path(hdr).exists()})
    if missing:
        raise LinuxError(
            f"missing Debian packages: {' '.join(missing)} (scripts/setup installs it)"
        )


def build_kernel(
    version: str | None = None,
    *,
    update: bool = False,
    progress: Progress = no_progress,
    jobs: int | None = None,
    force: bool = False,
) -> KernelBuild:
    """The kernel to boot for the current fragment, built first when there is none.

    ``version`` (default $VBE_LINUX_VERSION) builds that linux-source version. Without one,
    the newest cached build (:func:`current_kernel`) is the answer and apt is asked for its
    candidate only when there is none; ``update`` asks apt anyway and builds its candidate
    when that is newer than every cached build, saying which version it leaves for which.
    ``force`` rebuilds the chosen version even when it is cached."""
    kb = _choose(version, update, progress)
    if kb.is_built() and not force:
        return kb
    with locked(linux_dir() / f"{kb.key}.lock", "guest kernel", progress):
        if kb.is_built() and not force:
            return kb
        check_build_tools()
        log = kb.obj / "build.log"
        kb.obj.mkdir(parents=True, exist_ok=True)
        _fetch_source(kb, progress, log)
        jobs = jobs or os.cpu_count() or 1
        fragment = fragment_text()
        frag_copy = kb.obj / "guest.config"
        frag_copy.write_text(fragment)
        progress(f"configuring: allnoconfig + {FRAGMENT.name} (key {kb.key})")
        run(
            _make(kb, "allnoconfig") + [f"KCONFIG_ALLCONFIG={frag_copy}"],
            what="make allnoconfig",
            timeout=300,
            log=log,
        )
        bad = config_mismatches((kb.obj / ".config").read_text(), fragment)
        if bad:
            raise LinuxError(
                f"{FRAGMENT}: {len(bad)} options did not come out as asked (a missing "
                f"dependency or a renamed symbol): {'; '.join(bad)}"
            )
        progress(
            f"building Image and modules with make -j{jobs} (a 2-core machine takes ~6 min); "
            f"log {log}"
        )
        t0 = time.monotonic()

        def tick(elapsed: float) -> None:
            progress(f"  ... {elapsed / 60:.1f} min, {_objects(kb.obj)} objects compiled")

        run(
            _make(kb, "Image", "modules", jobs=jobs),
            what="make Image modules",
            timeout=BUILD_TIMEOUT,
            log=log,
            tick=tick,
        )
        seconds = time.monotonic() - t0
        _store(kb, log, seconds, jobs, fragment)
        progress(
            f"kernel cached: {kb.image} ({kb.image.stat().st_size >> 10} KiB, {seconds:.0f} s)"
        )
    return kb


def _choose(version: str | None, update: bool, progress: Progress) -> KernelBuild:
    """Which (version, fragment) build :func:`build_kernel` wants."""
    version = version or pinned_version()
    if version is not None:
        return kernel_build(version)
    have = current_kernel()
    if have is not None and not update:
        return have
    candidate = apt_candidate()
    kb = kernel_build(candidate)
    if update:
        progress(update_note(have.version if have else None, candidate, kb.key))
        if have is not None and compare_versions(candidate, have.version) <= 0:
            return have
    return kb


def update_note(old: str | None, new: str, key: str) -> str:
    """What ``vbe guest build --update`` does, in one line: old version -> new version."""
    if old is None:
        return f"no guest kernel of {FRAGMENT.name} cached: building {PACKAGE} {new} (key {key})"
    if compare_versions(new, old) <= 0:
        return f"{PACKAGE} {old} is built and apt's candidate is {new}: nothing to rebuild"
    return f"{PACKAGE} {old} -> {new}: rebuilding the guest kernel (key {key}, minutes)"


def _objects(obj: Path) -> int:
    return sum(1 for _ in obj.rglob("*.o"))


def _store(kb: KernelBuild, log: Path, seconds: float, jobs: int, fragment: str) -> None:
    """Copy the Image, .config and log into the cache entry (atomically), drop the tree."""
    image = kb.obj / "arch" / "arm64" / "boot" / "Image"
    if not image.is_file():
        raise LinuxError(f"make Image succeeded but {image} is missing; log {log}")
    tmp = kb.dir.with_name(kb.dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    shutil.copy2(image, tmp / "Image")
    (tmp / "modules").mkdir()
    for name, rel in MODULES.items():
        if not (kb.obj / rel).is_file():
            raise LinuxError(f"make modules succeeded but {kb.obj / rel} is missing; log {log}")
        shutil.copy2(kb.obj / rel, tmp / "modules" / name)
    shutil.copy2(kb.obj / ".config", tmp / "config")
    shutil.copy2(log, tmp / "build.log")
    release = (kb.obj / "include" / "config" / "kernel.release").read_text().strip()
    info = {
        "package": PACKAGE,
        "version": kb.version,
        "key": kb.key,
        "fragment_sha256": hashlib.sha256(fragment.encode()).hexdigest(),
        "release": release,
        "image_sha256": hashlib.sha256(image.read_bytes()).hexdigest(),
        "build_seconds": round(seconds, 1),
        "jobs": jobs,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    (tmp / "info.json").write_text(json.dumps(info, indent=2) + "\n")
    shutil.rmtree(kb.dir, ignore_errors=True)
    tmp.rename(kb.dir)
    shutil.rmtree(kb.obj, ignore_errors=True)
