"""Hash-list files in the shapes partners send, bad lines reported with their line numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tgintel.detect.media import SIGNAL_TYPES
from tgintel.detect.media.listfile import ParseStats, parse_hash_lines
from tgintel.store import open_store

from .conftest import PDQ_DATA, expected_pdq

MD5_A = "0123456789abcdef0123456789abcdef"
MD5_B = "fedcba9876543210fedcba9876543210"
PDQ = expected_pdq()["bridge-aaa-orig.jpg"]
NEEDLES = (PDQ_DATA / "needles.txt").read_text().split()


def parse(
    text: str, type: str = "md5", format: str = "auto"
) -> tuple[list[tuple[str, str | None]], ParseStats]:
    stats = ParseStats()
    rows = list(
        parse_hash_lines(text.splitlines(keepends=True), SIGNAL_TYPES[type], format=format, stats=stats)
    )
    return rows, stats


def test_plain_list_with_comments_case_and_md5sum_lines() -> None:
    rows, st = parse(f"# partner list\n\n{MD5_A.upper()}\n{MD5_B}  ./some/file.jpg\n")
    assert rows == [(MD5_A, None), (MD5_B, None)]
    assert (st.format, st.lines, st.good, st.bad_count) == ("plain", 2, 2, 0)


def test_bad_lines_are_counted_with_line_numbers() -> None:
    rows, st = parse(f"{MD5_A}\nnot-a-hash\n{MD5_A[:-1]}\n\n{MD5_B}\n")
    assert [r[0] for r in rows] == [MD5_A, MD5_B]
    assert [(b.line, b.reason) for b in st.bad] == [
        (2, "expected 32 hex digits for md5, got 10"),
        (3, "expected 32 hex digits for md5, got 31"),
    ]


def test_csv_with_header_picks_hash_and_tags_columns() -> None:
    text = f"id,md5,tags\n1,{MD5_A},zqxplaceholder1\n2,{MD5_B},\n3,xyz,zqxplaceholder2\n"
    rows, st = parse(text)
    assert rows == [(MD5_A, "zqxplaceholder1"), (MD5_B, None)]
    assert st.format == "csv" and [b.line for b in st.bad] == [4]


def test_tsv_and_semicolon_headers() -> None:
    assert parse(f"hash\tnote\n{MD5_A}\tx\n")[0] == [(MD5_A, None)]
    assert parse(f"Label;Hash\nzqx;{MD5_B}\n")[0] == [(MD5_B, "zqx")]


def test_threatexchange_hash_tags_without_header() -> None:
    rows, st = parse(f"{PDQ},zqxplaceholder1 zqxplaceholder2\n{NEEDLES[0]},\n", type="pdq")
    assert rows == [(PDQ, "zqxplaceholder1 zqxplaceholder2"), (NEEDLES[0], None)]
    assert st.bad_count == 0


def test_signal_type_column_skips_other_types() -> None:
    text = f"signal_type,signal_value\npdq,{PDQ}\nmd5,{MD5_A}\nHASH_PDQ,{NEEDLES[1]}\n"
    rows, st = parse(text, type="pdq")
    assert [r[0] for r in rows] == [PDQ, NEEDLES[1]]
    assert st.other_type == 1 and st.bad_count == 0


def test_json_lines() -> None:
    text = "\n".join([
        json.dumps({"pdq": PDQ, "tags": ["zqxplaceholder1", "b"]}),
        json.dumps({"hash": NEEDLES[2]}),
        json.dumps({"type": "md5", "hash": MD5_A}),
        "{broken",
        json.dumps({"other": 1}),
        "[1, 2]",
    ])  # fmt: skip
    rows, st = parse(text, type="pdq")
    assert rows == [(PDQ, "zqxplaceholder1,b"), (NEEDLES[2], None)]
    assert st.other_type == 1
    assert [b.line for b in st.bad] == [4, 5, 6]
    assert st.bad[0].reason.startswith("not JSON")


def test_forced_format_overrides_sniffing() -> None:
    rows, st = parse(f"{MD5_A},x\n", format="plain")
    assert rows == [] and st.bad_count == 1


# -- the command line ----------------------------------------------------------------------------------
@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "lists.sqlite")


def test_cli_import_list_remove(run_cli, tmp_path: Path, db: str) -> None:
    f = tmp_path / "needles.txt"
    f.write_text("\n".join(NEEDLES[:50]) + "\nzz\n" + NEEDLES[0] + "\n")
    proc = run_cli("hashlist", "import", str(f), "--name", "partner-a", "--type", "pdq", "--category",
                   "csam_indicator", "--source", "zqx hotline", "--db", db, "--json", check=True)  # fmt: skip
    res = json.loads(proc.stdout)
    assert (res["added"], res["duplicates"], res["bad"]) == (50, 1, 1)
    assert res["first_bad"] == ["line 51: expected 64 hex digits for pdq, got 2"]
    # importing the same file again adds nothing new (and says so in words without --json)
    again = run_cli(
        "hashlist", "import", str(f), "--name", "partner-a", "--type", "pdq", "--db", db, check=True
    )
    assert "partner-a: 0 pdq hashes added (plain), 51 already present, 1 bad lines" in again.stdout
    assert "line 51: expected 64 hex digits" in again.stderr
    listed = json.loads(run_cli("hashlist", "list", "--db", db, "--json", check=True).stdout)
    assert [(x["name"], x["type"], x["category"], x["source"], x["hashes"]) for x in listed] == [
        ("partner-a", "pdq", "csam_indicator", "zqx hotline", 50)
    ]
    assert listed[0]["created"].endswith("Z")
    assert run_cli("hashlist", "remove", "partner-a", "--db", db, check=True).returncode == 0
    store = open_store(db)
    assert store.list_hashlists() == []
    store.close()


@pytest.mark.parametrize(
    ("args", "content", "message"),
    [
        (["--type", "md5"], "nothing useful\n", "no md5 hash found in 1 data lines (first: line 1:"),
        (["--type", "sha1"], f"{MD5_A}\n", "unknown hash type 'sha1'"),
        (["--type", "md5", "--strict"], f"{MD5_A}\nbad\n", "line 2: expected 32 hex digits"),
        (["--type", "md5", "--category", "drugz"], f"{MD5_A}\n", "--category 'drugz': not a taxonomy"),
    ],
)
def test_cli_import_errors_are_one_line_and_store_nothing(
    run_cli, tmp_path: Path, db: str, args: list[str], content: str, message: str
) -> None:
    f = tmp_path / "list.txt"
    f.write_text(content)
    proc = run_cli("hashlist", "import", str(f), "--name", "x", *args, "--db", db)
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr
    if Path(db).exists():
        store = open_store(db)
        assert store.list_hashlists() == []
        store.close()


def test_cli_import_into_list_of_other_type_is_refused(run_cli, tmp_path: Path, db: str) -> None:
    store = open_store(db)
    store.import_hashes("x", "md5", [(MD5_A, None)])
    store.close()
    g = tmp_path / "pdq.txt"
    g.write_text(PDQ + "\n")
    proc = run_cli("hashlist", "import", str(g), "--name", "x", "--type", "pdq", "--db", db)
    assert proc.returncode == 2 and "holds md5 hashes, not pdq" in proc.stderr
    assert run_cli("hashlist", "remove", "nope", "--db", db).returncode == 2


def test_cli_import_of_non_utf8_file_stores_nothing(run_cli, tmp_path: Path, db: str) -> None:
    f = tmp_path / "list.txt"
    f.write_bytes((MD5_A + "\n").encode() * 3 + b"\xff\xfe\n")
    proc = run_cli("hashlist", "import", str(f), "--name", "x", "--type", "md5", "--db", db)
    assert proc.returncode == 2 and "not UTF-8" in proc.stderr
    store = open_store(db)
    assert store.list_hashlists() == []
    store.close()
