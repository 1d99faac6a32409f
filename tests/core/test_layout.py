"""pyhost's cffi view of vbe/fvq_layout.h agrees with the C compiler's, field by field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pyhost import corelib

STRUCTS = {
    "header": "struct vbe_fvq_header",
    "devblock": "struct vbe_fvq_devblock",
    "dev_regs": "struct vbe_fvq_dev_regs",
    "drv_regs": "struct vbe_fvq_drv_regs",
    "dev_queue": "struct vbe_fvq_dev_queue",
    "drv_queue": "struct vbe_fvq_drv_queue",
}


def _fields(ctype: object, prefix: str, base: int) -> Iterator[tuple[str, int]]:
    """(path, offset) of every field, recursing into structs and arrays of structs."""
    for name, field in ctype.fields:  # type: ignore[attr-defined]
        path, off = f"{prefix}.{name}", base + field.offset
        yield path, off
        inner = field.type.item if field.type.kind == "array" else field.type
        if inner.kind == "struct":
            yield from _fields(inner, path, off)


def _cases() -> list[tuple[str, int]]:
    ffi = corelib.make_ffi()
    cases = []
    for short, cname in STRUCTS.items():
        cases.append((f"sizeof.{short}", ffi.sizeof(cname)))
        cases.extend(_fields(ffi.typeof(cname), short, 0))
    return cases


@pytest.mark.parametrize(("name", "cffi_value"), _cases(), ids=[c[0] for c in _cases()])
def test_cffi_layout_matches_c(name: str, cffi_value: int) -> None:
    core = corelib.load()
    c_value = core.lib.vbe_host_layout_offset(name.encode())
    assert c_value != -1, f"the C layout table does not know {name!r}: add it to host_layout.c"
    assert c_value == cffi_value, f"{name}: C says {c_value}, cffi says {cffi_value}"


def test_unknown_layout_name_is_minus_one() -> None:
    lib = corelib.load().lib
    assert lib.vbe_host_layout_offset(b"header.no_such_field") == -1
    assert lib.vbe_host_layout_offset(b"sizeof.nothing") == -1
    assert lib.vbe_host_layout_offset(b"nodot") == -1
