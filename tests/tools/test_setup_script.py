"""scripts/setup on a machine that lacks what it installs: every probe tolerates a missing
tool (a fresh Debian 12 has no QEMU), and a failing step ends with one sentence saying
what failed and how to fix it. `--check` runs every probe and changes nothing; the
functions are run by sourcing the script (it then only defines them)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SETUP = REPO / "scripts" / "setup"
BIN_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def path_without(tmp_path: Path, *names: str) -> str:
    """A PATH of one directory holding every program of the usual ones but ``names`` (and
    every QEMU): what a machine without them looks like to the script."""
    farm = tmp_path / "bin"
    farm.mkdir(exist_ok=True)
    for d in BIN_DIRS:
        if not os.path.isdir(d):
            continue
        for entry in os.scandir(d):
            if entry.name in names or entry.name.startswith("qemu"):
                continue
            link = farm / entry.name
            if not link.exists() and not link.is_symlink():
                link.symlink_to(entry.path)
    return str(farm)


def bash(script: str, path: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``script`` in bash after sourcing scripts/setup, with ``path`` as PATH."""
    env = {**os.environ, "PATH": path}
    return subprocess.run(
        ["/bin/bash", "-c", f". {SETUP}\n{script}"],
        capture_output=True, text=True, env=env, timeout=timeout, check=False,
    )  # fmt: skip


def test_check_without_qemu_says_it_would_install_it(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": path_without(tmp_path)}
    p = subprocess.run([str(SETUP), "--check"], capture_output=True, text=True, env=env,
                       timeout=120, check=False)  # fmt: skip
    assert p.returncode == 0, p.stdout + p.stderr
    assert "would install QEMU 10" in p.stdout and "qemu-system-aarch64: not installed" in p.stdout
    assert "checked; nothing was changed" in p.stdout


def test_check_names_the_xen_step_unless_left_out(tmp_path: Path) -> None:
    """The set-up builds the Xen system's images too (and installs dpkg-dev for the
    hypervisor's source package); VBE_SETUP_XEN=0, or no guest, leaves that out."""
    outs = {}
    for xen in ("1", "0"):
        env = {**os.environ, "PATH": path_without(tmp_path, "dpkg-query"), "VBE_SETUP_XEN": xen}
        p = subprocess.run([str(SETUP), "--check"], capture_output=True, text=True, env=env,
                           timeout=120, check=False)  # fmt: skip
        assert p.returncode == 0, p.stdout + p.stderr
        outs[xen] = p.stdout
    assert "would build the Xen system's images unless cached (vbe xen build)" in outs["1"]
    assert "  dpkg-dev: the Xen hypervisor" in outs["1"]
    assert "vbe xen build" not in outs["0"] and "dpkg-dev" not in outs["0"]


def test_qemu_probe_reads_an_old_version(tmp_path: Path) -> None:
    fake = tmp_path / "old" / "qemu-system-aarch64"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'QEMU emulator version 7.2.15 (Debian 1:7.2+dfsg-7)'\n")
    fake.chmod(0o755)
    p = bash("qemu_major", f"{fake.parent}:{path_without(tmp_path)}")
    assert (p.returncode, p.stdout) == (0, "7\n"), p.stderr


def test_probes_tolerate_missing_tools(tmp_path: Path) -> None:
    """No QEMU, no dpkg-query, no python3: each probe answers, none fails."""
    path = path_without(tmp_path, "dpkg-query", "python3")
    p = bash('qemu_major; missing_packages cmake no-such-package; echo "state=$(venv_state)"; '
             "vbe_installed; echo end", path)  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[:3] == ["0", "cmake", "no-such-package"]
    assert p.stdout.splitlines()[-2:] in (["no", "end"], ["yes", "end"])


def test_a_failing_step_ends_with_one_sentence(tmp_path: Path) -> None:
    p = bash(f'logs={tmp_path / "logs"}; step "building the thing" "install the other thing"; '
             'logged thing sh -c "echo the compiler said no; exit 3"; echo not reached',
             path_without(tmp_path))  # fmt: skip
    assert p.returncode == 3 and "not reached" not in p.stdout
    last = p.stderr.strip().splitlines()[-1]
    assert last.startswith("setup: building the thing failed (exit status 3): install the other")
    assert "the compiler said no" in p.stderr  # the log's tail, shown above the sentence
    assert (tmp_path / "logs" / "thing.log").read_text() == "the compiler said no\n"


def test_no_root_and_no_sudo_is_a_sentence(tmp_path: Path) -> None:
    if os.getuid() == 0:
        fake_id = tmp_path / "id" / "id"
        fake_id.parent.mkdir()
        fake_id.write_text("#!/bin/sh\necho 1000\n")
        fake_id.chmod(0o755)
        path = f"{fake_id.parent}:{path_without(tmp_path, 'sudo')}"
    else:
        path = path_without(tmp_path, "sudo")
    p = bash("check=0; apt_ensure no-such-package-vbe; echo not reached", path)
    assert p.returncode == 1 and "not reached" not in p.stdout
    assert "installing Debian packages: no-such-package-vbe" in p.stdout
    assert p.stderr.strip().splitlines()[-1] == (
        "setup: installing Debian packages as root failed (exit status 1): run scripts/setup "
        "as root, install sudo, or install them yourself: apt-get install no-such-package-vbe"
    )


def test_ci_runs_the_readme_commands() -> None:
    """.ci/run runs the README's two commands as written there (its first code block)."""
    readme = (REPO / "README.md").read_text().split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [ln.split("#")[0].strip() for ln in readme.splitlines()]
    assert commands == ["./scripts/main", "./scripts/test"]
    ci = (REPO / ".ci" / "run").read_text()
    assert "\nTEST_CMD=./scripts/test\n" in ci and "\nMAIN_CMD=./scripts/main\n" in ci
    assert 'in_root "$TEST_CMD"' in ci and 'in_root "$MAIN_CMD"' in ci
