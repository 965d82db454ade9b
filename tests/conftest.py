"""Shared fixtures: stores on a real SQLite file and on a real PostgreSQL server started from Debian's
packages for the test session (skipped with a reason only where no server binaries are installed)."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tgintel.store import SQLStore, open_store

# CI (.ci/run sets CI=1) checks the same property examples on every run: a new random draw that fails, or
# that backtracks for minutes, is found by a developer's run (random by default), not by a merge.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TGINTEL = str(ROOT / ".venv" / "bin" / "tgintel")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway PostgreSQL server on loopback for the whole session; yields a base URL."""
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not installed (make system-deps installs them)")
    base = Path(tempfile.mkdtemp(prefix="tgintel-pg-"))
    data = base / "data"
    port = _free_port()
    run_as: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root: use the Debian 'postgres' user
        user = pwd.getpwnam("postgres")
        os.chown(base, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "tgintel", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    log = base / "log"
    subprocess.run(
        [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o",
         f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    try:
        yield f"postgresql://tgintel@127.0.0.1:{port}"
    finally:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)


def _new_pg_database(base_url: str) -> str:
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(base_url + "/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{base_url}/{name}"


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SQLStore]:
    store = open_store(str(tmp_path / "t.sqlite"))
    yield store
    store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLStore]:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        s = open_store(str(tmp_path / "t.sqlite"))
    else:
        s = open_store(_new_pg_database(request.getfixturevalue("postgres_url")))
    yield s
    s.close()


@pytest.fixture
def run_cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run the real `tgintel` executable; returns CompletedProcess with text output."""

    def run(*args: str, check: bool = False, env: dict[str, str] | None = None, input: str | None = None):
        full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
        full_env.pop("TGINTEL_DB", None) if env is None or "TGINTEL_DB" not in env else None
        proc = subprocess.run(
            [TGINTEL, *args], capture_output=True, text=True, env=full_env, cwd=tmp_path, input=input
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"tgintel {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
        return proc

    return run


@contextlib.contextmanager
def wait_for_port(port: int, timeout: float = 20.0) -> Iterator[None]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            break
        time.sleep(0.1)
    yield
