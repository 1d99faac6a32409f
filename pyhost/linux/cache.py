"""What the Linux guest tooling shares: the cache directory and its lock, subprocesses that
always die with us, and Debian package downloads (for the host's architecture or, through a
private package list, for arm64).

Cache root: ``$VBE_CACHE_DIR``, else ``$XDG_CACHE_HOME/vbe``, else ``~/.cache/vbe``.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pyhost.machine.qemu_proc import _child_setup

Progress = Callable[[str], None]
LOCK_TIMEOUT = 3 * 3600.0  # another process building the same thing
APT_TIMEOUT = 600.0
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
SUITE = "bookworm"
SETUP_HINT = "scripts/setup installs it"


class LinuxError(Exception):
    """Building or booting the Linux guest failed; the message says what to change."""


def no_progress(_: str) -> None:
    pass


def cache_root() -> Path:
    if os.environ.get("VBE_CACHE_DIR"):
        return Path(os.environ["VBE_CACHE_DIR"])
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "vbe"


@contextmanager
def locked(
    path: Path, what: str, progress: Progress, timeout: float = LOCK_TIMEOUT
) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created); wait at most ``timeout`` s for it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as f:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    progress(f"waiting for another process building the {what} ({path})")
                    told = True
                if time.monotonic() > deadline:
                    raise LinuxError(f"{path}: still locked after {timeout:.0f} s") from None
                time.sleep(1.0)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _stop_group(p: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, SIGKILL after 5 s; reap."""
    if p.poll() is not None:
        return
    try:
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(5.0)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    except ProcessLookupError:
        p.wait()


def run(
    cmd: list[str],
    *,
    what: str,
    timeout: float,
    log: Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    tick: Callable[[float], None] | None = None,
    tick_every: float = 30.0,
) -> None:
    """Run ``cmd`` with its output appended to ``log``; LinuxError with the log's tail when
    it fails or outlives ``timeout`` s. The process group is stopped on any exit (timeout,
    Ctrl-C, an exception) and the command dies with this process (PR_SET_PDEATHSIG).
    ``tick(elapsed)`` is called every ``tick_every`` s while it runs."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        out.write(f"$ {' '.join(cmd)}\n".encode())
        out.flush()
        try:
            p = subprocess.Popen(
                cmd,
                cwd=cwd,
                env=None if env is None else {**os.environ, **env},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_child_setup,  # noqa: PLW1509 (prctl only, no locks)
            )
        except OSError as exc:
            raise LinuxError(f"cannot run {cmd[0]} for {what}: {exc}") from exc
    t0 = time.monotonic()
    next_tick = t0 + tick_every
    try:
        while True:
            try:
                rc = p.wait(1.0)
                break
            except subprocess.TimeoutExpired:
                now = time.monotonic()
                if now - t0 > timeout:
                    raise LinuxError(
                        f"{what}: no result after {timeout:.0f} s (stopped); log {log}: {tail(log)}"
                    ) from None
                if tick is not None and now >= next_tick:
                    tick(now - t0)
                    next_tick = now + tick_every
    finally:
        _stop_group(p)
    if rc != 0:
        raise LinuxError(f"{what} failed (exit status {rc}); log {log}: {tail(log)}")


def tail(path: Path, lines: int = 8) -> str:
    try:
        text = path.read_bytes().decode("utf-8", "replace")
    except FileNotFoundError:
        return "(no log)"
    kept = [ln.strip() for ln in text.splitlines() if ln.strip()][-lines:]
    return " | ".join(kept) or "(empty)"


def require_tools(tools: dict[str, str]) -> None:
    """LinuxError naming every missing program (``{program: Debian package}``)."""
    missing = sorted({pkg for prog, pkg in tools.items() if shutil.which(prog) is None})
    if missing:
        raise LinuxError(f"missing Debian packages: {' '.join(missing)} ({SETUP_HINT})")


def debian_mirror() -> str:
    """The Debian archive URI: ``$VBE_DEBIAN_MIRROR``, else the first apt source (deb822 or
    one-line) whose suites include plain bookworm. No host name is built in."""
    if os.environ.get("VBE_DEBIAN_MIRROR"):
        return os.environ["VBE_DEBIAN_MIRROR"]
    for f in sorted(Path("/etc/apt/sources.list.d").glob("*.sources")):
        for stanza in re.split(r"\n\s*\n", f.read_text()):
            fields = {
                k.strip(): v.strip()
                for k, _, v in (ln.partition(":") for ln in stanza.splitlines())
                if not k.startswith("#") and v
            }
            if SUITE in fields.get("Suites", "").split() and fields.get("URIs"):
                return fields["URIs"].split()[0]
    legacy = Path("/etc/apt/sources.list")
    if legacy.exists():
        for ln in legacy.read_text().splitlines():
            parts = re.sub(r"\[[^]]*\]", " ", ln).split()  # drop [arch=...] options
            if len(parts) >= 3 and parts[0] == "deb" and parts[2] == SUITE:
                return parts[1]
    raise LinuxError("no bookworm entry in apt's sources: set VBE_DEBIAN_MIRROR to the archive")


def private_apt_options(root: Path, name: str, source: str) -> list[str]:
    """apt options for a private view of the archive under ``root``: its own source list
    (``name``.sources holding ``source``, a deb822 stanza without URIs, Suites and Signed-By,
    which are bookworm's), package lists, status and cache; the system's apt state is neither
    read nor written."""
    parts = root / "sources.list.d"
    parts.mkdir(parents=True, exist_ok=True)
    (root / "lists" / "partial").mkdir(parents=True, exist_ok=True)
    (root / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
    status = root / "status"
    status.touch()
    (parts / f"{name}.sources").write_text(
        f"{source}URIs: {debian_mirror()}\nSuites: {SUITE}\nSigned-By: {KEYRING}\n"
    )
    return [
        "-o", f"Dir::State::Lists={root / 'lists'}",
        "-o", f"Dir::State::status={status}",
        "-o", f"Dir::Cache={root / 'cache'}",
        "-o", "Dir::Etc::SourceList=/dev/null",
        "-o", f"Dir::Etc::SourceParts={parts}",
        "-o", "Debug::NoLocking=1",
    ]  # fmt: skip


def arm64_apt_options(root: Path) -> list[str]:
    """apt options for a private arm64 view of bookworm main under ``root``."""
    source = "Types: deb\nComponents: main\nArchitectures: arm64\n"
    return [
        "-o", "APT::Architecture=arm64",
        "-o", "APT::Architectures=arm64",
        *private_apt_options(root, "vbe-arm64", source),
    ]  # fmt: skip


def apt_download(package: str, dest: Path, log: Path, *, options: list[str] | None = None) -> Path:
    """``apt-get download package`` (``name=version`` pins one) into ``dest``; the .deb."""
    dest.mkdir(parents=True, exist_ok=True)
    name = package.split("=")[0]
    run(
        ["apt-get", *(options or []), "download", package],
        what=f"downloading {package}",
        timeout=APT_TIMEOUT,
        log=log,
        cwd=dest,
    )
    debs = sorted(dest.glob(f"{name}_*.deb"), key=lambda p: p.stat().st_mtime)
    if not debs:
        raise LinuxError(f"apt-get download {package} left no {name}_*.deb in {dest}")
    return debs[-1]


def _order(c: str) -> int:
    """A character's weight in the non-digit parts of a Debian version: ``~`` before the
    end of the part, the end before letters, letters before everything else."""
    if c == "~":
        return -1
    return ord(c) if c.isalpha() else ord(c) + 256


def _split(part: str) -> list[tuple[tuple[int, ...], int]]:
    """``part`` as (non-digit run as weights ending in the end's 0, digit run as a number)."""
    out = []
    for text, digits in re.findall(r"(\D*)(\d*)", part):
        if text or digits:
            out.append(((*map(_order, text), 0), int(digits or 0)))
    return out


def compare_versions(a: str, b: str) -> int:
    """-1, 0 or 1 as Debian version ``a`` sorts before, with or after ``b`` (epoch, then
    upstream version, then revision; ``~`` sorts before anything, even the end)."""

    def fields(v: str) -> tuple[int, str, str]:
        epoch, _, rest = v.rpartition(":") if ":" in v else ("0", "", v)
        upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "0")
        return int(epoch or 0), upstream, revision

    ea, ua, ra = fields(a)
    eb, ub, rb = fields(b)
    if ea != eb:
        return -1 if ea < eb else 1
    for x, y in ((ua, ub), (ra, rb)):
        px, py = _split(x), _split(y)
        pad = ((0,), 0)  # a missing part: an empty run and the number 0
        for i in range(max(len(px), len(py))):
            p, q = px[i] if i < len(px) else pad, py[i] if i < len(py) else pad
            if p != q:
                return -1 if p < q else 1
    return 0


def safe_name(version: str) -> str:
    """A Debian version as a directory name make is happy with (no ~ or :)."""
    return re.sub(r"[^A-Za-z0-9.+-]", "_", version)
