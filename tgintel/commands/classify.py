"""Classification commands: detect, analyze, eval, train, rules check, indicators load, label."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tgintel.commands.common import DbOption, JsonOption, print_json


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


ModelOption = Annotated[
    Path | None, typer.Option("--model", help="Model folder from `tgintel train --out` (default: packaged).")
]
IndicatorsOption = Annotated[
    list[str] | None,
    typer.Option("--indicators", help="Indicator list to apply, as FILE:CATEGORY (repeatable).",
                 metavar="FILE:CATEGORY"),
]  # fmt: skip


def _classifier(no_model: bool, model: Path | None, indicators: list[str] | None):  # type: ignore[no-untyped-def]
    from tgintel.detect.classify import Classifier
    from tgintel.detect.classify.model import LinearModel
    from tgintel.errors import UserError
    from tgintel.jobs.analyze import read_indicator_file

    entries: list[tuple[str, str, int, str]] = []
    for spec in indicators or []:
        file, _, category = spec.rpartition(":")
        if not file:
            raise UserError(f"--indicators {spec}: expected FILE:CATEGORY")
        p = Path(file)
        entries += [(p.stem, category, n, t) for n, t in read_indicator_file(p)]
    lm = None
    if model is not None and not no_model:
        try:
            lm = LinearModel.load(model)
        except (OSError, ValueError, KeyError) as exc:
            raise UserError(f"--model {model}: cannot load: {exc}") from None
    return Classifier.load(indicators=entries, model=lm, use_model=not no_model)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the CLI."""

    @app.command()
    def detect(
        src: Annotated[str, typer.Argument(metavar="IN.jsonl", help="JSONL input ('-' for stdin).")],
        output: Annotated[
            str, typer.Option("-o", "--output", help="JSONL output file ('-' for stdout).")
        ] = "-",
        skip_bad: Annotated[
            bool, typer.Option("--skip-bad", help="Skip bad lines instead of stopping.")
        ] = False,
        no_model: Annotated[
            bool, typer.Option("--no-model", help="Rules only, without the linear model.")
        ] = False,
        model: ModelOption = None,
        indicators: IndicatorsOption = None,
        region: Annotated[
            str | None,
            typer.Option("--region", help="Country (e.g. NL) of phone numbers written without '+'."),
        ] = None,
    ) -> None:
        """Run the detect stages on loose messages ({"id", "text"} per line) without a database."""
        from tgintel.detect.pipeline import Pipeline
        from tgintel.jobs.detect import detect_file
        from tgintel.jobs.regions import normalize_region

        region = normalize_region(region) if region else None

        pipeline = Pipeline(_classifier(no_model, model, indicators))
        out = sys.stdout.buffer if output == "-" else open(output, "wb")  # noqa: SIM115
        try:
            counts = detect_file(
                src,
                out,
                pipeline=pipeline,
                skip_bad=skip_bad,
                on_bad=lambda m: _err(f"skipped: {m}"),
                region=region,
            )
        finally:
            if out is not sys.stdout.buffer:
                out.close()
        if output != "-" or counts["skipped"]:
            _err(f"{counts['messages']} messages, {counts['offers']} offers, {counts['skipped']} skipped")

    @app.command()
    def analyze(
        db: DbOption = None,
        batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 20_000,
        json_out: JsonOption = False,
    ) -> None:
        """Run the detect stages over stored messages not analysed yet (incremental)."""
        from tgintel.jobs.analyze import analyze as run
        from tgintel.store import open_store

        store = open_store(db)
        try:
            if sys.stderr.isatty() and not json_out:
                from rich.progress import Progress

                with Progress(transient=True) as prog:
                    task = prog.add_task("analysing", total=None)
                    result = run(store, batch_size=batch_size,
                                 progress=lambda d, t: prog.update(task, completed=d, total=t))  # fmt: skip
            else:
                result = run(store, batch_size=batch_size)
        finally:
            store.close()
        if json_out:
            print_json(result)
            return
        cats = ", ".join(f"{c} {n}" for c, n in result["findings"].items()) or "none"
        print(f"analysed {result['messages']} messages in {result['seconds']} s; {result['offers']} offers; "
              f"findings: {cats}")  # fmt: skip

    @app.command("eval")
    def eval_cmd(
        files: Annotated[
            list[Path] | None, typer.Argument(metavar="FILE.jsonl", help="Labelled JSONL.")
        ] = None,
        real: Annotated[
            str | None,
            typer.Option(
                "--real", help="Evaluate the bundled real set's held-out split: tg-spam or smishing."
            ),
        ] = None,
        json_out: JsonOption = False,
        no_model: Annotated[bool, typer.Option("--no-model", help="Rules only.")] = False,
        threshold: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.5,
        model: ModelOption = None,
        indicators: IndicatorsOption = None,
    ) -> None:
        """Precision/recall/F1 per category and macro, offer F1, confusion table, chatter false alarms."""
        from tgintel.errors import UserError
        from tgintel.jobs.evaluate import evaluate, evaluate_files, format_report
        from tgintel.jobs.train import real_records

        clf = _classifier(no_model, model, indicators)
        if real:
            if files or real not in ("tg-spam", "smishing"):
                raise UserError("--real takes tg-spam or smishing, and no FILE")
            report = evaluate(
                (r for r in real_records("test") if r["source"] == real), clf, threshold=threshold
            )
            report["files"] = [f"bundled {real} (held-out 30 % split)"]
        elif not files:
            raise UserError("give a labelled FILE.jsonl or --real tg-spam|smishing")
        else:
            report = evaluate_files(files, clf, threshold=threshold)
        if json_out:
            print_json(report)
        else:
            print(format_report(report))

    @app.command()
    def train(
        out: Annotated[
            Path | None, typer.Option("--out", help="Model folder (default: the packaged one).")
        ] = None,
        sim: Annotated[
            list[Path] | None, typer.Option("--sim", help="Simulator truth.jsonl (repeatable).")
        ] = None,
        real: Annotated[bool, typer.Option("--real/--no-real", help="Use the bundled real samples.")] = True,
        labels: Annotated[
            bool, typer.Option("--labels/--no-labels", help="Use analysts' labels in --db.")
        ] = True,
        extra: Annotated[
            list[Path] | None, typer.Option("--data", help="Labelled JSONL ({text, categories, offer}).")
        ] = None,
        db: DbOption = None,
        seed: Annotated[int, typer.Option()] = 13,
        json_out: JsonOption = False,
    ) -> None:
        """Train the linear model from simulator truth, the bundled real samples' train split and analysts'
        labels."""
        from tgintel.jobs.train import train_model

        result = train_model(out=out, sim=sim or [], use_real=real, extra=extra or [],
                             db=db if labels else None, seed=seed, log=_err)  # fmt: skip
        if json_out:
            print_json(result)
        else:
            print(
                f"trained on {result['examples']} examples, {result['features']} features -> {result['out']}"
            )

    rules_app = typer.Typer(help="Rule packs: validate and test.", no_args_is_help=True)
    app.add_typer(rules_app, name="rules")

    @rules_app.command("check")
    def rules_check(
        files: Annotated[list[Path] | None, typer.Argument(metavar="[FILE.yaml]...")] = None,
    ) -> None:
        """Validate rule packs and run their embedded tests (all shipped packs when no FILE is given)."""
        from tgintel.detect.classify.rules import check_packs, default_pack_paths

        failures = check_packs(files or None)
        n = len(files) if files else len(default_pack_paths())
        for f in failures:
            print(f, file=sys.stderr)
        if failures:
            raise typer.Exit(1)
        print(f"{n} pack(s) OK")

    ind_app = typer.Typer(help="User-loaded indicator lists (csam_indicator, others).", no_args_is_help=True)
    app.add_typer(ind_app, name="indicators")

    @ind_app.command("load")
    def indicators_load(
        file: Annotated[Path, typer.Argument(metavar="FILE", help="One term per line; # comments.")],
        category: Annotated[str, typer.Option("--category", help="Taxonomy category the list marks.")],
        name: Annotated[str | None, typer.Option("--name", help="List name (default: file name).")] = None,
        db: DbOption = None,
        json_out: JsonOption = False,
    ) -> None:
        """Load (or replace) an indicator list and mark the stored messages it matches."""
        from tgintel.jobs.analyze import load_indicator_file
        from tgintel.store import open_store

        store = open_store(db)
        try:
            result = load_indicator_file(store, file, category=category, name=name)
        finally:
            store.close()
        if json_out:
            print_json(result)
        else:
            print(f"list {result['name']!r} ({result['category']}): {result['entries']} entries, "
                  f"{result['matched']} stored messages matched")  # fmt: skip

    @ind_app.command("list")
    def indicators_list(db: DbOption = None, json_out: JsonOption = False) -> None:
        """Show the loaded lists (names, categories, sizes; never the terms)."""
        import msgspec

        from tgintel.store import open_store

        store = open_store(db)
        try:
            lists = store.list_indicator_lists()
        finally:
            store.close()
        if json_out:
            print_json([msgspec.to_builtins(x) for x in lists])
            return
        for x in lists:
            print(f"{x.name}\t{x.category}\t{x.entries} entries\t{x.source or ''}")

    @app.command()
    def label(
        message: Annotated[str, typer.Argument(metavar="CHANNEL_ID:MSG_ID", help="The message to label.")],
        category: Annotated[
            str, typer.Option("--category", help="Category (or 'offer') the label is about.")
        ],
        reject: Annotated[
            bool, typer.Option("--reject", help="The category is wrong for this message.")
        ] = False,
        confirm: Annotated[bool, typer.Option("--confirm", help="The category is right (default).")] = False,
        relabel: Annotated[
            str | None, typer.Option("--relabel", help="Replace this wrong category with --category.")
        ] = None,
        user: Annotated[str, typer.Option("--user", envvar="USER", help="Who decides.")] = "analyst",
        note: Annotated[str | None, typer.Option("--note")] = None,
        db: DbOption = None,
    ) -> None:
        """Record an analyst's verdict. Existing findings and their evidence are never changed."""
        from tgintel.jobs.train import add_label

        if reject and (confirm or relabel):
            raise typer.BadParameter("--reject cannot be combined with --confirm or --relabel")
        from tgintel.store import open_store

        store = open_store(db)
        try:
            done = add_label(store, message, category, "reject" if reject else "confirm", user, note=note,
                             relabel=relabel)  # fmt: skip
        finally:
            store.close()
        for line in done:
            print(line)
