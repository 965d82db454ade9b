"""Run the detect stages over stored messages: the use case behind ``tgintel analyze``.

Incremental by construction: the store hands out only messages whose text the stages have not seen
(``iter_messages(unanalyzed_only=True)``; an edited text is queued again by ``upsert_messages``), and each
batch is written back in one transaction (``save_analysis``), so a run killed half-way resumes where it
stopped and a second run over an unchanged store does nothing.

Per batch: near-duplicate clusters (:func:`tgintel.jobs.cluster.assign_clusters`, persisted by it), then the
pure :class:`~tgintel.detect.pipeline.Pipeline` (language, offer, categories with evidence, entities, the
user's indicator lists), then ``save_analysis``.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tgintel.detect.classify import Classifier
from tgintel.detect.classify.classifier import indicator_findings
from tgintel.detect.classify.rules import RuleSet, compile_term
from tgintel.detect.classify.text import normalize, tokens
from tgintel.detect.entities import extract_entities
from tgintel.detect.pipeline import Pipeline
from tgintel.errors import UserError
from tgintel.jobs.cluster import TextMemo, assign_clusters
from tgintel.jobs.regions import channel_regions
from tgintel.model import Entity, Finding
from tgintel.store.interface import Analysis, Store

__all__ = ["analyze", "load_indicator_file", "read_indicator_file"]

# Each batch is two transactions (clusters, then analysis); on SQLite a commit with its WAL checkpoint cost
# ~45 ms on the shared dev machine, so 2,000-message batches spent a tenth of the run committing. 20,000
# messages hold ~100 MB of objects at most.
DEFAULT_BATCH = 20_000


def analyze(
    store: Store,
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int, int], Any] | None = None,
    classifier: Classifier | None = None,
) -> dict[str, Any]:
    """Analyse every message waiting for it; ``progress(done, total)`` after each batch is saved. Returns
    counts: ``messages`` analysed, ``offers``, ``findings`` by category, ``seconds``.

    A run over most of a big store asks the store for bulk mode (indexes built once at the end, see
    ``begin_bulk_analysis``). Batch *n* is written by a second thread while this one classifies and
    clusters batch *n + 1*: the write is one statement per table inside SQLite (tgintel/store/bulk.py), so
    the two overlap on two cores. One batch is in flight at most, and each is still one transaction."""
    started = time.perf_counter()
    if classifier is None:
        classifier = Classifier.load(indicators=list(store.iter_indicators()))
    pipeline = Pipeline(classifier)  # memoises by text across batches, like ``memo`` below
    regions = channel_regions(store)  # channel id -> default phone region (``tgintel channels region``)
    memo = TextMemo()
    total = store.count_messages(unanalyzed_only=True)
    done = offers = 0
    by_category: dict[str, int] = {}
    if progress:
        progress(0, total)
    bulk = total > 0 and store.begin_bulk_analysis(total, store.count_messages())
    writer = _Writer(store)
    try:
        for batch in store.iter_lean_messages(batch_size=batch_size):
            texts = [m.text if m.kind == "message" else "" for _, m in batch]
            # Stages once per distinct text of the batch (the pipeline memoises across batches too); before
            # clustering, whose write waits for the batch being written, so this overlaps with that write.
            counts = Counter(texts)
            verdicts: dict[str, tuple[str | None, bool | None, list[Finding], list[Entity]]] = {}
            for text, d in zip(counts, pipeline.run(list(counts), normalizer=memo.normalized), strict=True):
                n = counts[text]
                offers += d.offer * n
                for f in d.findings:
                    by_category[f.category] = by_category.get(f.category, 0) + n
                if text and text.strip():
                    verdicts[text] = (d.lang, d.offer, d.findings, d.entities)
                else:
                    verdicts[text] = (None, None, d.findings, d.entities)
            clusters = assign_clusters(store, batch, memo=memo)
            no_cluster = (None, None)
            results: list[Analysis] = []
            for (pk, _m), text in zip(batch, texts, strict=True):
                norm_hash, cluster_id = clusters.get(pk, no_cluster)
                lang, offer, findings, entities = verdicts[text]
                if regions and text and _m.channel_id in regions:  # national-format numbers: that country's
                    entities = extract_entities(text, default_region=regions[_m.channel_id])
                results.append(
                    Analysis(pk=pk, lang=lang, offer=offer, norm_hash=norm_hash, cluster_id=cluster_id,
                             findings=findings, entities=entities)
                )  # fmt: skip
            saved = writer.save(results)  # waits for the batch before, then hands this one over
            if saved:
                done += saved
                if progress:
                    progress(done, max(total, done))
        saved = writer.wait()
        if saved:
            done += saved
            if progress:
                progress(done, max(total, done))
    finally:
        writer.close()
        if bulk:
            store.finish_bulk_analysis()
    return {
        "messages": done,
        "offers": offers,
        "findings": dict(sorted(by_category.items())),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _two_connections(store: Store) -> bool:
    """True when a second thread gets its own connection to the same database (not an in-memory SQLite
    database, where each connection is a separate, empty database)."""
    url = getattr(getattr(store, "engine", None), "url", None)
    if url is None:
        return False
    if url.get_backend_name() != "sqlite":
        return True
    db = url.database or ""
    return bool(db) and db != ":memory:" and "mode=memory" not in str(url)


class _Writer:
    """``store.save_analysis`` of one batch at a time in a worker thread (inline where the store cannot be
    shared between threads). ``save`` and ``wait`` return how many messages the finished batch held."""

    def __init__(self, store: Store) -> None:
        self.store = store
        threaded = _two_connections(store)
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="analyze-writer") if threaded else None
        self.pending: Future[None] | None = None
        self.pending_n = 0

    def wait(self) -> int:
        if self.pending is None:
            return 0
        future, n = self.pending, self.pending_n
        self.pending, self.pending_n = None, 0
        future.result()  # re-raises the writer's error here
        return n

    def save(self, results: list[Analysis]) -> int:
        finished = self.wait()
        if self.pool is None:
            self.store.save_analysis(results)
            return finished + len(results)
        self.pending, self.pending_n = self.pool.submit(self.store.save_analysis, results), len(results)
        return finished

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)  # never leave a batch being written behind


# -- indicator lists ---------------------------------------------------------------------------------------
def read_indicator_file(path: Path) -> list[tuple[int, str]]:
    """``(line number, term)`` for each entry of a list: one term per line, ``#`` starts a comment line,
    blank lines are skipped. A term must contain a letter or digit after normalisation."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read indicator list: {exc.strerror or exc}") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: byte {exc.start}: not UTF-8 text") from None
    entries: list[tuple[int, str]] = []
    for n, line in enumerate(content.splitlines(), 1):
        term = line.strip()
        if not term or term.startswith("#"):
            continue
        if not compile_term(term)[0]:
            raise UserError(f"{path}: line {n}: entry has no letters or digits to match")
        entries.append((n, term))
    if not entries:
        raise UserError(f"{path}: indicator list has no entries")
    return entries


def load_indicator_file(
    store: Store, path: Path, *, category: str, name: str | None = None, batch_size: int = 5000
) -> dict[str, Any]:
    """Store an indicator list and record ``indicator`` findings on the stored messages it matches now
    (new messages get them from :func:`analyze`). Returns ``name``, ``entries``, ``matched``."""
    from tgintel.detect.classify.taxonomy import CATEGORIES

    if category not in CATEGORIES:
        raise UserError(f"unknown category {category!r} (expected one of {', '.join(CATEGORIES)})")
    entries = read_indicator_file(path)
    name = name or path.stem
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    store.load_indicator_list(name, category, entries, source=path.name, sha256=sha)
    matched = apply_indicators(store, [(name, category, n, t) for n, t in entries], batch_size=batch_size)
    return {"name": name, "category": category, "entries": len(entries), "matched": matched}


def apply_indicators(
    store: Store, entries: Iterable[tuple[str, str, int, str]], *, batch_size: int = 5000
) -> int:
    """Scan every stored message for these entries and record the matches; returns messages matched."""
    ruleset = RuleSet([], entries)
    matched = 0
    # Markets repeat the same text thousands of times: match each distinct text once.
    verdicts: dict[str, list[Finding]] = {}
    for batch in store.iter_lean_messages(unanalyzed_only=False, batch_size=batch_size):
        rows: list[tuple[int, Finding]] = []
        for pk, m in batch:
            if not m.text:
                continue
            found = verdicts.get(m.text)
            if found is None:
                if len(verdicts) > 200_000:
                    verdicts.clear()
                norm = normalize(m.text)
                hits = ruleset.match(norm, tokens(norm))
                found = verdicts[m.text] = indicator_findings(hits) if hits else []
            for f in found:
                rows.append((pk, f))
        if rows:
            store.add_indicator_findings(rows)
            matched += len({pk for pk, _ in rows})
    return matched
