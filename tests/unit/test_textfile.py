"""What counts as a text file the user gave: one rule for answers, kubeconfigs, results,
rosters, pasted kubectl output and workspace manifests."""

import codecs

import pytest

from runner.errors import EXIT_BAD_INPUT
from runner.textfile import NotTextFile, read_text_file

TODO = "give the YAML answers file"


@pytest.mark.parametrize("data, text", [
    (b"a: 1\n", "a: 1\n"),
    ("café: ü\n".encode(), "café: ü\n"),
    (codecs.BOM_UTF8 + b"a: 1\n", "a: 1\n"),  # Notepad's UTF-8
    (codecs.BOM_UTF16_LE + "a: é\n".encode("utf-16-le"), "a: é\n"),  # PowerShell 5 `>`
    (codecs.BOM_UTF16_BE + "a: é\n".encode("utf-16-be"), "a: é\n"),
    (b"", ""),
])
def test_text_in_utf8_or_with_a_byte_order_mark_is_read(tmp_path, data, text):
    path = tmp_path / "a.yaml"
    path.write_bytes(data)
    assert read_text_file(path, TODO) == text


@pytest.mark.parametrize("data, why", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "it holds binary data"),
    (b"\x7fELF\x02\x01\x01\x00", "it holds binary data"),
    ("a: 1\n".encode("utf-16-le"), "it holds binary data"),  # UTF-16 without its mark
    (b"\x1f\x8b\x08\x08", "byte 1 is not UTF-8"),  # gzip (its header, before any NUL)
    ("name: Zoë\n".encode("latin-1"), "byte 8 is not UTF-8"),
])
def test_binary_or_non_utf8_is_not_a_text_file(tmp_path, data, why):
    path = tmp_path / "a.yaml"
    path.write_bytes(data)
    with pytest.raises(NotTextFile) as caught:
        read_text_file(path, TODO)
    assert str(caught.value) == f"{path}: not a text file ({why}): {TODO}"
    assert caught.value.exit_code == EXIT_BAD_INPUT


def test_logs_keep_stray_bytes_but_not_binary(tmp_path):
    path = tmp_path / "app.log"
    path.write_bytes("ERROR Zoë\n".encode("latin-1"))
    assert read_text_file(path, strict=False) == "ERROR Zo\ufffd\n"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00")
    with pytest.raises(NotTextFile, match=r"app\.log: not a text file \(it holds binary data\)"):
        read_text_file(path, strict=False)


def test_missing_files_raise_as_open_does_so_callers_name_their_flag(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_text_file(tmp_path / "none.yaml")
    with pytest.raises(IsADirectoryError):
        read_text_file(tmp_path)
