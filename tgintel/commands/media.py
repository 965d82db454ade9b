"""``tgintel media hash|match`` and ``tgintel hashlist import|list|remove``: hash-list matching without
keeping media (bytes are read into memory, hashed and dropped; nothing is displayed)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tgintel.commands.common import DbOption, JsonOption, print_json

media_app = typer.Typer(help="Hash media files in memory and match them against hash lists.",
                        no_args_is_help=True)  # fmt: skip
hashlist_app = typer.Typer(help="Load, list and remove hash lists (PDQ, MD5, SHA-256).", no_args_is_help=True)

FilesArg = Annotated[list[Path], typer.Argument(help="Media files (read into memory, never copied).")]
DihedralOption = Annotated[
    bool, typer.Option("--dihedral", help="Also hash the 8 rotations/flips (rotation-robust PDQ matching).")
]


@media_app.command("hash")
def media_hash(files: FilesArg, json: JsonOption = False, dihedral: DihedralOption = False) -> None:
    """Print PDQ (with quality), MD5 and SHA-256 of each file."""
    from tgintel.jobs.media import hash_file

    rows = [hash_file(f, dihedral=dihedral) for f in files]
    if json:
        print_json(rows)
        return
    for r in rows:
        pdq = f"{r['pdq']} q={r['quality']}" if r["pdq"] else "- (not an image)"
        typer.echo(f"{r['file']}\n  pdq    {pdq}\n  md5    {r['md5']}\n  sha256 {r['sha256']}")


@media_app.command("match")
def media_match(
    files: FilesArg,
    db: DbOption = None,
    json: JsonOption = False,
    radius: Annotated[int, typer.Option(help="Largest PDQ Hamming distance that matches.")] = 31,
    min_quality: Annotated[int, typer.Option(help="PDQ hashes of lower quality are not matched.")] = 50,
    dihedral: DihedralOption = False,
) -> None:
    """Match files against every loaded hash list. Only hashes and results are printed; nothing is stored."""
    from tgintel.errors import UserError
    from tgintel.jobs.media import Matcher, match_file
    from tgintel.store import open_store

    if not 0 <= radius <= 256:
        raise UserError(f"--radius {radius}: must be between 0 and 256")
    store = open_store(db)
    try:
        matcher = Matcher(store, radius=radius, min_quality=min_quality)
        rows = [match_file(matcher, f, dihedral=dihedral) for f in files]
    finally:
        store.close()
    if json:
        print_json(rows)
        return
    for r in rows:
        if r["matches"]:
            typer.echo(f"{r['file']}: MATCH")
            for m in r["matches"]:
                what = f"distance {m['distance']}" if m["type"] == "pdq" else "exact"
                typer.echo(f"  list {m['list']} ({m['category'] or 'no category'}): {m['type']} {what}")
        else:
            typer.echo(f"{r['file']}: no match" + (f" ({r['skipped']})" if r["skipped"] else ""))


@media_app.command("rematch")
def media_rematch(db: DbOption = None, json: JsonOption = False) -> None:
    """Match the stored media hashes of collected messages against the current lists (after loading one)."""
    from tgintel.jobs.media import rematch_all
    from tgintel.store import open_store

    store = open_store(db)
    try:
        result = rematch_all(store)
    finally:
        store.close()
    if json:
        print_json(result)
    else:
        typer.echo(f"{result['media']} hashed media checked, {result['matched']} match a hash list")


@hashlist_app.command("import")
def hashlist_import(
    file: Annotated[Path, typer.Argument(help="Plain, CSV/TSV or JSON-lines hash list.")],
    name: Annotated[str, typer.Option("--name", help="List name (importing again adds to it).")],
    type: Annotated[str, typer.Option("--type", help="Hash type: pdq, md5 or sha256.")],
    category: Annotated[
        str | None, typer.Option(help="Taxonomy category a match reports, e.g. csam_indicator.")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Who provided the list.")] = None,
    format: Annotated[str, typer.Option(help="auto, plain, csv or jsonl.")] = "auto",
    strict: Annotated[bool, typer.Option(help="Import nothing if any line is bad.")] = False,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Load a hash list; bad lines are counted and the first ones shown with their line numbers."""
    from tgintel.errors import UserError
    from tgintel.jobs.media import import_hashlist, sync_pdq_index
    from tgintel.store import open_store

    if category is not None:
        _check_category(category)
    if not name.strip():
        raise UserError("--name must not be empty")
    store = open_store(db)
    try:
        result = import_hashlist(store, file, name=name, type=type.lower(), category=category, source=source,
                                 format=format, strict=strict)  # fmt: skip
        if result["type"] == "pdq":
            sync_pdq_index(store)  # bring the index up to date now, not at the first match
    finally:
        store.close()
    if json:
        print_json(result)
        return
    typer.echo(
        f"{name}: {result['added']} {result['type']} hashes added ({result['format']}), "
        f"{result['duplicates']} already present, {result['bad']} bad lines"
        + (f", {result['other_type']} of another hash type skipped" if result["other_type"] else "")
    )
    for line in result["first_bad"]:
        typer.echo(f"  bad {line}", err=True)


def _check_category(category: str) -> None:
    """Accept the taxonomy's names only: a typo would make findings nobody filters for."""
    from tgintel.detect.classify.taxonomy import CATEGORIES
    from tgintel.errors import UserError

    if category not in CATEGORIES:
        raise UserError(f"--category {category!r}: not a taxonomy category ({', '.join(CATEGORIES)})")


@hashlist_app.command("list")
def hashlist_list(db: DbOption = None, json: JsonOption = False) -> None:
    """Show loaded hash lists with type, category, source, date and size."""
    from tgintel.store import open_store

    store = open_store(db)
    try:
        lists = store.list_hashlists()
    finally:
        store.close()
    rows = [
        {"name": hl.name, "type": hl.type, "category": hl.category, "source": hl.source, "file": hl.file,
         "created": hl.created.isoformat().replace("+00:00", "Z"),
         "updated": hl.updated.isoformat().replace("+00:00", "Z"), "hashes": hl.count}
        for hl in lists
    ]  # fmt: skip
    if json:
        print_json(rows)
        return
    if not rows:
        typer.echo("no hash lists loaded (tgintel hashlist import FILE --name NAME --type pdq|md5|sha256)")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("name", "type", "category", "hashes", "source", "updated")
    for r in rows:
        table.add_row(r["name"], r["type"], r["category"] or "", str(r["hashes"]), r["source"] or "",
                      r["updated"])  # fmt: skip
    Console().print(table)


@hashlist_app.command("remove")
def hashlist_remove(name: Annotated[str, typer.Argument(help="List name.")], db: DbOption = None) -> None:
    """Delete a list with its hashes and matches (findings it produced are kept)."""
    from tgintel.errors import UserError
    from tgintel.jobs.media import sync_pdq_index
    from tgintel.store import open_store

    store = open_store(db)
    try:
        if not store.remove_hashlist(name):
            raise UserError(f"no hash list named {name!r} (see tgintel hashlist list)")
        sync_pdq_index(store)
    finally:
        store.close()
    typer.echo(f"removed hash list {name}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the CLI."""
    app.add_typer(media_app, name="media")
    app.add_typer(hashlist_app, name="hashlist")
