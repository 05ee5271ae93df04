"""Read a file the user gave as text: one rule, everywhere, for what counts as text.

    text = read_text_file(path, "give the YAML answers file (--answers FILE)")

Missing files and folders raise OSError as open() does, so each caller names its own flag;
binary data and bytes that are not UTF-8 raise NotTextFile, "<file>: not a text file (...)".
"""

from __future__ import annotations

import codecs
from pathlib import Path

from runner.errors import InputError

# Editors on Windows save UTF-8 with a byte-order mark, and PowerShell 5 redirects
# (`kubectl describe pod x > pod.txt`) write UTF-16 with one: both are text.
_BYTE_ORDER_MARKS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16"))


class NotTextFile(InputError):
    """A file that should be text holds binary data or is not UTF-8."""


def read_text_file(path, todo: str = "give a UTF-8 text file", *, strict: bool = True) -> str:
    """The text of `path`; NotTextFile when it is not text. `strict=False` (logs, which may
    carry any bytes a program printed) still refuses binary data but replaces stray bytes."""
    return decode_text(Path(path).read_bytes(), str(path), todo, strict=strict)


def decode_text(data: bytes, name: str, todo: str = "give a UTF-8 text file", *,
                strict: bool = True) -> str:
    """`data` as text, by the same rule as read_text_file; `name` goes in the message."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                break
    if b"\x00" in data:
        raise NotTextFile(f"{name}: not a text file (it holds binary data): {todo}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as problem:
        if not strict:
            return data.decode("utf-8", errors="replace")
        raise NotTextFile(f"{name}: not a text file (byte {problem.start} is not UTF-8): "
                          f"{todo}") from None
