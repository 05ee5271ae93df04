"""The corpus: one labelled case per file, built from the message formats in kubelet,
containerd, CRI-O, runc and Docker source and docs, the frameworks' documentation of their
start-up failures, and variations of them (tests/fixtures/diagnose/corpus/).

Each file starts with `#| key: value` header lines (stripped before reading):
`cause` (the label), `source` (file and tag the format comes from), `shape`, `variant`,
`ambiguous: yes` (the input cannot separate causes: the label must be among the
candidates and the separating command named) and `error: yes` (not kubectl output: a
one-line error).
"""

from pathlib import Path

import pytest

from runner.diagnose import CAUSES, diagnose
from runner.diagnose.readers import read_all
from runner.errors import InputError

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "diagnose" / "corpus"
FILES = sorted(p.name for p in CORPUS.glob("*.txt"))


def load_case(name: str) -> tuple[dict, str]:
    header, body = {}, []
    with open(CORPUS / name, encoding="utf-8", newline="") as handle:  # keep CRLF variants as CRLF
        text = handle.read()
    for line in text.splitlines(keepends=True):
        if line.startswith("#| ") and not body:
            key, _, value = line[3:].strip().partition(": ")
            header[key] = value
        else:
            body.append(line)
    return header, "".join(body)


def test_the_corpus_is_big_and_every_case_is_labelled_with_its_source():
    assert len(FILES) >= 150
    for name in FILES:
        header, body = load_case(name)
        assert header.get("cause") in CAUSES, name
        assert header.get("source") and header.get("shape") and header.get("variant"), name
        assert body.strip(), name


def test_every_new_cause_has_cases():
    labels = {load_case(name)[0]["cause"] for name in FILES}
    assert {"startup_probe", "init_container", "evicted", "create_container_error"} <= labels


@pytest.mark.parametrize("name", FILES)
def test_case(name):
    header, body = load_case(name)
    label = header["cause"]
    if header.get("error") == "yes":
        with pytest.raises(InputError) as problem:
            read_all(body, name)
        assert "\n" not in str(problem.value) and str(problem.value).startswith(f"cannot read {name}: ")
        return
    result = diagnose(*read_all(body, name))
    if result.cause != label:
        assert result.confidence != "high", f"wrong with high confidence: {result.cause} {result.evidence}"
    if header.get("ambiguous") == "yes":
        assert label in [c.cause for c in result.candidates], result.candidates
        assert result.separate and result.separate[1].startswith("kubectl "), result
        assert result.confidence != "high"
    else:
        assert result.cause == label, (result.cause, result.confidence, result.evidence)
        if label != "unknown":
            assert result.evidence
