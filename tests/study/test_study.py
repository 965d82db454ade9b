"""``compute_study`` against the simulator's ground truth: exact for every count.

Counts that need no analysis are checked straight after ingest. For the analysis-dependent ones (unique
normalised texts, clusters, categories, dark-web links) the truth itself is stored as the analysis, which
proves the study's SQL computes them exactly; how close real detectors get is their own tests' business.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tgintel.analyze.study import compute_study
from tgintel.jobs.ingest import ingest_paths
from tgintel.share.report.build import report_data
from tgintel.sources.simulate import simulate
from tgintel.sources.simulate.truth import apply_truth_analysis, gold_cluster, iter_truth, truth_study

RAW_KEYS = (
    "channels",
    "first_date",
    "last_date",
    "messages",
    "text_messages",
    "exact_unique_texts",
    "actors",
)
RAW_KEYS += ("cross_channel_actors",)
CONTRACT = (*RAW_KEYS, "near_duplicate_clusters", "cross_channel_clusters", "categories")


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(out, channels=9, days=6, seed=21)
    return out


def test_raw_counts_equal_truth_after_ingest(store, sim: Path) -> None:
    ingest_paths(store, [sim])
    got, want = compute_study(store), truth_study(sim / "truth.jsonl")
    assert {k: got[k] for k in RAW_KEYS} == {k: want[k] for k in RAW_KEYS}
    assert got["unique_basis"] == "raw_text"
    assert got["near_duplicate_clusters"] == 0 and got["analysed_text_messages"] == 0
    assert all(c == {"messages": 0, "clusters": 0} for c in got["categories"].values())


def test_analysis_counts_equal_truth_with_truth_as_analysis(store, sim: Path) -> None:
    ingest_paths(store, [sim])
    apply_truth_analysis(store, sim / "truth.jsonl")
    got, want = compute_study(store), truth_study(sim / "truth.jsonl")
    assert got["unique_basis"] == "norm_hash"
    for key in want:
        if key == "categories":
            assert {c: v for c, v in got[key].items() if v["messages"]} == want[key]
        elif key == "dark_web_links":
            assert {k: got[key][k] for k in ("messages", "distinct")} == want[key]
        else:
            assert got[key] == want[key], key
    assert want["cross_channel_clusters"] > 0 and want["cross_channel_actors"] > 0
    # every query behind the report runs on this database too, and agrees with the headline figures
    data = report_data(store)
    assert sum(data["messages_per_day"]) == want["messages"]
    assert data["cumulative_unique"][-1] == want["exact_unique_texts"]
    assert sum(sum(v) for v in data["per_category"].values()) == sum(
        c["messages"] for c in want["categories"].values()
    )
    assert data["campaigns"] and data["distributors"] and set(data["entities"]) >= {"username", "price"}


def test_top_clusters_distributors_and_daily_agree_with_truth(sqlite_store, sim: Path) -> None:
    ingest_paths(sqlite_store, [sim])
    apply_truth_analysis(sqlite_store, sim / "truth.jsonl")
    truth = list(iter_truth(sim / "truth.jsonl"))
    top = sqlite_store.study_top_clusters(5)
    assert top
    for c in top:
        rows = [t for t in truth if gold_cluster(t) == c["cluster_id"]]
        assert all(t["offer"] for t in rows), "stock replies and chatter are not campaigns"
        assert c["messages"] == len(rows)
        assert c["channels"] == len({t["channel_id"] for t in rows}) == c["reach"][-1][1]
        assert [r[1] for r in c["reach"]] == sorted(r[1] for r in c["reach"])
    assert [c["channels"] for c in top] == sorted((c["channels"] for c in top), reverse=True)
    daily = sqlite_store.study_daily()
    assert sum(d["messages"] for d in daily["totals"]) == len(truth)
    assert sum(d["new_unique"] for d in daily["totals"]) == len({t["text"] for t in truth if t["text"]})
    dist = sqlite_store.study_distributors(3)
    first = dist[0]["key"]
    offer_channels = {t["channel_id"] for t in truth if t["actor"] == first and t["offer"]}
    assert dist[0]["channels"] == len(offer_channels)


def test_study_cli_prints_the_contract(run_cli, tmp_path: Path, sim: Path, capsys) -> None:
    from tgintel.commands.simulate import print_study

    run_cli("ingest", "--db", "s.sqlite", str(sim), check=True)
    out = run_cli("study", "--db", "s.sqlite", "--json", check=True)
    study = orjson.loads(out.stdout)
    assert set(CONTRACT) <= set(study)
    assert study["messages"] == truth_study(sim / "truth.jsonl")["messages"]
    print_study(study)
    table = capsys.readouterr().out
    assert (
        "near-duplicate clusters" in table and "not analysed" in table and f"{study['messages']:,}" in table
    )
