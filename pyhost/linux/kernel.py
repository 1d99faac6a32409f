"""The guest kernel: Debian's linux-source-6.12 cross-built for arm64 from ``allnoconfig`` plus
``guest.config``, cached by (source package version, config fragment).

Layout under ``<cache>/linux/`` (see pyhost.linux.cache for ``<cache>``):

    dl/                         the linux-source .deb (apt-get download)
    src/<version>/linux-source-6.12/   the unpacked tree, shared by every config
    obj-<key>/                  the out-of-tree build (removed once the Image is cached)
    <key>/Image, config, build.log, info.json   the result
    <key>/modules/virtio_mmio.ko                the one module (MODULES in guest.config)

``<key>`` is the first 16 hex digits of sha256(package, version, fragment). The version is
``$VBE_LINUX_VERSION`` when set, else apt's candidate for the package; Debian keeps it in
bookworm-security (and bookworm-backports, which boards/qemu_virt_baremetal/install-qemu.sh
adds to apt's sources).
"""

from __future__ import annotations

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


def source_version() -> str:
    """The linux-source version to build: $VBE_LINUX_VERSION, else apt's candidate."""
    if os.environ.get("VBE_LINUX_VERSION"):
        return os.environ["VBE_LINUX_VERSION"]
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
    v = version or source_version()
    return KernelBuild(v, cache_key(v, fragment_text()))


def cached_kernel() -> Path | None:
    """The cached Image for the current fragment, or None (never builds, never raises)."""
    kb = cached_build()
    return kb.image if kb is not None else None


def cached_build() -> KernelBuild | None:
    """The cached build (Image and modules) for the current fragment, or None."""
    try:
        kb = kernel_build()
    except LinuxError:
        return None
    return kb if kb.is_built() else None


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
    progress: Progress = no_progress,
    jobs: int | None = None,
    force: bool = False,
) -> KernelBuild:
    """The cached kernel for (version, guest.config), built first when missing."""
    kb = kernel_build(version)
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
        _store(kb, log, seconds, jobs)
        progress(
            f"kernel cached: {kb.image} ({kb.image.stat().st_size >> 10} KiB, {seconds:.0f} s)"
        )
    return kb


def _objects(obj: Path) -> int:
    return sum(1 for _ in obj.rglob("*.o"))


def _store(kb: KernelBuild, log: Path, seconds: float, jobs: int) -> None:
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
