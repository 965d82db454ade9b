"""`tgintel watch …`: targets in every form users paste, tags, statuses, removal, discovery candidates."""

from __future__ import annotations

import json

import pytest

from tgintel.errors import UserError
from tgintel.jobs.collect import parse_target


@pytest.mark.parametrize(
    ("given", "target"),
    [("@Drug_Shop", "@drug_shop"), ("drug_shop", "@drug_shop"), ("https://t.me/Drug_Shop/123", "@drug_shop"),
     ("t.me/s/drug_shop", "@drug_shop"), ("telegram.me/drug_shop", "@drug_shop"),
     ("https://t.me/c/1234567/89", "1234567"), ("-1001234567", "1234567"), ("1234567", "1234567")],
)  # fmt: skip
def test_targets_are_canonical(given: str, target: str) -> None:
    assert parse_target(given) == target


@pytest.mark.parametrize(
    "bad", ["https://t.me/+AbCdEf123", "t.me/joinchat/AbCdEf", "@ab", "not a name!", "t.me/"]
)
def test_bad_targets_are_refused(bad: str) -> None:
    with pytest.raises(UserError, match="watch target"):
        parse_target(bad)


def test_watch_add_list_remove(tmp_path, run_cli) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from tgintel.cli import app

    env = {"TGINTEL_DB": str(tmp_path / "w.sqlite")}

    def cli(*args: str) -> str:
        result = CliRunner().invoke(app, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.stdout

    cli("watch", "add", "@Alpha_Shop", "t.me/beta_shop", "--tag", "drugs", "--tag", "nl")
    added = cli("watch", "add", "https://t.me/alpha_shop", "--tag", "weapons", "--json")
    assert json.loads(added) == [{"target": "@alpha_shop", "new": False}]
    listed = {e["target"]: e for e in json.loads(cli("watch", "list", "--json"))}
    assert listed["@alpha_shop"]["tags"] == ["drugs", "nl", "weapons"]
    assert listed["@beta_shop"]["tags"] == ["drugs", "nl"] and listed["@beta_shop"]["status"] == "active"
    table = cli("watch", "list")
    assert "@alpha_shop" in table and "active" in table
    assert cli("watch", "remove", "@beta_shop").strip() == "removed 1"
    assert [e["target"] for e in json.loads(cli("watch", "list", "--json"))] == ["@alpha_shop"]
    # Through the real executable: a refused target is one line on stderr, exit 2, no traceback.
    bad = run_cli("watch", "add", "https://t.me/+SecretInvite", env=env)
    assert bad.returncode == 2 and "public channels" in bad.stderr and "Traceback" not in bad.stderr
    assert bad.stderr.strip().count("\n") == 0


def test_from_discovery_takes_the_top_collectable_candidates(sqlite_store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tgintel.analyze import discovery
    from tgintel.commands.collect import _discovery_targets
    from tgintel.store.collect import Peer

    ranked = [
        discovery.Candidate(key="a", username="First_Cand"),
        discovery.Candidate(key="b", invite="t.me/+Private"),  # private chat: never added
        discovery.Candidate(key="c", channel_id=777),  # id without a cached access hash: cannot be collected
        discovery.Candidate(key="d", channel_id=888),
        discovery.Candidate(key="e", username="second_cand"),
        discovery.Candidate(key="f", username="third_cand"),
    ]
    monkeypatch.setattr(discovery, "discover", lambda store, *, min_channels=2, limit=50: ranked[:limit])
    sqlite_store.peer_save(Peer(channel_id=888, access_hash=5))
    assert _discovery_targets(sqlite_store, 3) == ["@first_cand", "888", "@second_cand"]
