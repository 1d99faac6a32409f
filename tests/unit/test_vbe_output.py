"""vbe.output (west-style messages) and vbe.commands.base (the command contract)."""

from __future__ import annotations

import argparse
import io

import pytest
from vbe import output
from vbe.cli import main
from vbe.commands.base import VbeCommand


@pytest.fixture(autouse=True)
def default_verbosity():
    output.set_verbosity(output.Verbosity.INF)
    yield
    output.set_verbosity(output.Verbosity.INF)


def test_warnings_and_errors_go_to_stderr_with_prefixes(capsys):
    output.inf("hello")
    output.wrn("careful")
    output.err("broken")
    cap = capsys.readouterr()
    assert cap.out == "hello\n"
    assert cap.err == "WARNING: careful\nERROR: broken\n"


def test_die_prints_fatal_error_and_exits_1(capsys):
    with pytest.raises(SystemExit) as exc:
        output.die("cannot go on")
    assert exc.value.code == 1
    assert capsys.readouterr().err == "FATAL ERROR: cannot go on\n"


def test_traceback_only_at_dbg_extreme(capsys):
    for level, shown in ((output.Verbosity.DBG_MORE, False), (output.Verbosity.DBG_EXTREME, True)):
        output.set_verbosity(level)
        try:
            raise ValueError("inner cause")
        except ValueError:
            with pytest.raises(SystemExit):
                output.die("outer")
        assert ("Traceback" in capsys.readouterr().err) is shown


def test_verbosity_filters_debug_and_info(capsys):
    output.dbg("hidden")
    output.set_verbosity(output.Verbosity.DBG)
    output.dbg("shown")
    output.set_verbosity(output.Verbosity.WRN)
    output.inf("quiet")
    output.out("result")
    assert capsys.readouterr().out == "shown\nresult\n"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert output.paint("x", "err", io.StringIO()) == "x"
    assert output.paint("x", "err", _Tty()) != "x"
    monkeypatch.setenv("NO_COLOR", "1")
    assert output.paint("x", "err", _Tty()) == "x"


class _NoParser(VbeCommand):
    def do_add_parser(self, parser_adder):
        return None

    def do_run(self, args, unknown):
        return 0


class _Echo(VbeCommand):
    def do_add_parser(self, parser_adder):
        return self._parser(parser_adder)

    def do_run(self, args, unknown):
        return 7


def test_do_add_parser_must_return_the_parser():
    sub = argparse.ArgumentParser().add_subparsers()
    with pytest.raises(ValueError, match="returned None"):
        _NoParser("x", "help", "desc").add_parser(sub)


def test_unknown_arguments_are_a_usage_error_unless_accepted(capsys):
    top = argparse.ArgumentParser(prog="t")
    cmd = _Echo("echo", "help", "desc")
    cmd.add_parser(top.add_subparsers())
    args, unknown = top.parse_known_args(["echo", "--bogus"])
    with pytest.raises(SystemExit) as exc:
        cmd.run(args, unknown)
    assert exc.value.code == 2 and "unexpected arguments: --bogus" in capsys.readouterr().err
    cmd.accepts_unknown_args = True
    assert cmd.run(args, unknown) == 7


def test_main_returns_exit_codes_instead_of_raising(capsys):
    assert main(["--version"]) == 0
    assert main(["i2c", "transfer", "-y", "r1"]) == 2
    assert "no address given" in capsys.readouterr().err
