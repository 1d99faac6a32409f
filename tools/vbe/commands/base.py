"""The command class every ``vbe`` command derives from, shaped like west's WestCommand.

A command has a ``name``, a one-line ``help``, a ``description`` with examples, and two
methods: :meth:`VbeCommand.do_add_parser` builds its argparse parser (and must return it)
and :meth:`VbeCommand.do_run` does the work. The same classes back ``vbe <cmd>`` and,
through a generated ``west-commands.yml``, ``west vbe <cmd>``.

A :class:`VbeCommandGroup` (``vbe i2c``) holds subcommands that are commands themselves.

Usage mistakes go to ``self.parser.error()`` (exit 2); runtime failures raise
:class:`CommandError` or call ``vbe.output.die`` (exit 1).
"""

from __future__ import annotations

import argparse
from abc import ABC, abstractmethod
from typing import Any


class CommandError(RuntimeError):
    """Ends a command with ``returncode`` (message, when any, already printed)."""

    def __init__(self, returncode: int = 1):
        super().__init__(f"command failed with exit code {returncode}")
        self.returncode = returncode


class VbeCommand(ABC):
    def __init__(
        self,
        name: str,
        help: str,
        description: str,
        accepts_unknown_args: bool = False,
    ):
        self.name = name
        self.help = help
        self.description = description
        self.accepts_unknown_args = accepts_unknown_args
        self.parser: argparse.ArgumentParser | None = None

    def add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        """Build the parser through ``do_add_parser`` and remember it."""
        parser = self.do_add_parser(parser_adder)
        if parser is None:
            raise ValueError(f"do_add_parser of the {self.name!r} command returned None")
        parser.set_defaults(vbe_command=self)
        self.parser = parser
        return parser

    def run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        """Check ``unknown``, then ``do_run``; returns the exit code (None counts as 0)."""
        if unknown and not self.accepts_unknown_args:
            assert self.parser is not None
            self.parser.error(f"unexpected arguments: {' '.join(unknown)}")
        rc = self.do_run(args, unknown)
        return 0 if rc is None else int(rc)

    def _parser(self, parser_adder: Any, **kwargs: Any) -> argparse.ArgumentParser:
        """A subparser with this command's name, help and description (raw, with epilog)."""
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        return parser_adder.add_parser(
            self.name, help=self.help, description=self.description, **kwargs
        )

    @abstractmethod
    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        """Add this command's parser to ``parser_adder`` and return it."""

    @abstractmethod
    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int | None:
        """Do the work; return the exit code (or None for success)."""


class VbeCommandGroup(VbeCommand):
    """A command whose first argument picks one of its subcommands (``vbe i2c transfer``)."""

    def __init__(
        self,
        name: str,
        help: str,
        description: str,
        children: list[VbeCommand],
        epilog: str | None = None,
    ):
        super().__init__(name, help, description, accepts_unknown_args=True)
        self.children = children
        self.epilog = epilog

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        parser = self._parser(parser_adder, epilog=self.epilog)
        sub = parser.add_subparsers(
            title="commands", metavar="COMMAND", dest=f"{self.name}_command"
        )
        for child in self.children:
            child.add_parser(sub)
        return parser

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int | None:
        assert self.parser is not None
        self.parser.print_help()
        return 2

    def run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        # argparse set vbe_command to the deepest command that matched.
        child = getattr(args, "vbe_command", self)
        if child is self:
            return super().run(args, unknown)
        return child.run(args, unknown)
