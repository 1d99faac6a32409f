"""System description: one YAML file -> a validated model -> generated artefacts.

    from sysdesc import load_system, render
    loaded = load_system(Path("examples/demo.yaml"))   # SysdescError lists every problem
    files = render(loaded.system)                       # {"vbe_sys_cfg.c": ..., ...}

Modules: ``schema.json`` + :mod:`schema_check` (shape), :mod:`loader` (YAML with lines),
:mod:`build` / :mod:`build_guests` (semantic rules -> :mod:`model`), :mod:`limits` (what
the core and the boards hold, read from their sources), ``gen_*`` (one artefact each),
:mod:`generate` (artefact registry, atomic writes), :mod:`manifest` (the image manifest,
read and written), :mod:`elfsyms` (a linked image's symbols), :mod:`buildstep` (what an
image's build runs), :mod:`hostbuild` (the in-process library of a system).

This package is the lowest layer of vbe's Python: it imports neither the harness
(pyhost) nor the command line (vbe); both import it.
"""

from sysdesc.build import Loaded, load_system, loads_system
from sysdesc.generate import ARTEFACTS, render, write_atomically
from sysdesc.loader import Problem, SysdescError
from sysdesc.model import System

__all__ = [
    "ARTEFACTS",
    "Loaded",
    "Problem",
    "SysdescError",
    "System",
    "load_system",
    "loads_system",
    "render",
    "write_atomically",
]
