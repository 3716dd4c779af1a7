"""The results cache: Redis when configured, else files shared by the workers, else memory."""

from __future__ import annotations

import multiprocessing
import os
import time
import uuid

import pytest

from elicit.services.results.cache import (
    FileBackend,
    MemoryBackend,
    RedisBackend,
    make_backend,
    make_key,
)
from elicit.settings_table import default_settings

DEFAULTS = default_settings("instance")


def test_memory_backend_evicts_the_least_recently_used():
    cache = MemoryBackend(size=2)
    cache.set("a", 1)
    cache.set("b", 2)
    assert cache.get("a") == 1  # a is now the most recent
    cache.set("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    cache.clear()
    assert len(cache) == 0


def test_keys_are_stable_and_distinct():
    assert make_key(1, "mean", [("Impact", 2.0)]) == make_key(1, "mean", [("Impact", 2.0)])
    assert make_key(1, "mean", 3) != make_key(1, "mean", 4)


def test_backend_choice_follows_the_configuration():
    memory = make_backend({**DEFAULTS, "RESULTS_CACHE_SIZE": 3, "RESULTS_CACHE_DIR": ""})
    assert isinstance(memory, MemoryBackend) and memory.size == 3
    redis_backend = make_backend({**DEFAULTS, "REDIS_URL": "redis://127.0.0.1:6379/0",
                                  "SQLALCHEMY_DATABASE_URI": "sqlite:///a"})
    other = make_backend({**DEFAULTS, "REDIS_URL": "redis://127.0.0.1:6379/0",
                          "SQLALCHEMY_DATABASE_URI": "sqlite:///b"})
    assert isinstance(redis_backend, RedisBackend) and redis_backend.prefix != other.prefix


def test_redis_backend_round_trip():
    backend = RedisBackend("redis://127.0.0.1:6379/0", prefix=f"elicit:test:{uuid.uuid4()}:")
    try:
        backend.client.ping()
    except Exception:  # noqa: BLE001 - no server, nothing to test
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    backend.set("k", {"x": [1, 2]})
    assert backend.get("k") == {"x": [1, 2]} and backend.get("missing") is None
    backend.clear()
    assert backend.get("k") is None


def test_backend_without_redis_is_the_folder_when_one_is_configured(tmp_path):
    files = make_backend({**DEFAULTS, "RESULTS_CACHE_DIR": str(tmp_path),
                          "SQLALCHEMY_DATABASE_URI": "sqlite:///a"})
    other = make_backend({**DEFAULTS, "RESULTS_CACHE_DIR": str(tmp_path),
                          "SQLALCHEMY_DATABASE_URI": "sqlite:///b"})
    assert isinstance(files, FileBackend) and files.folder.parent == tmp_path
    assert files.folder != other.folder  # one namespace per database
    assert DEFAULTS["RESULTS_CACHE_DIR"].endswith("results-cache")  # the default: files


def test_file_backend_round_trip_leaves_no_partial_file(tmp_path):
    cache = FileBackend(tmp_path / "cache", size=10)
    assert cache.get("k") is None
    cache.set("k", {"x": [1, 2]})
    assert cache.get("k") == {"x": [1, 2]}
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["k.pickle"]
    cache.clear()
    assert cache.get("k") is None and len(cache) == 0


def test_file_backend_keeps_the_most_recently_used(tmp_path):
    cache = FileBackend(tmp_path, size=2)
    cache.set("a", 1)
    cache.set("b", 2)
    past = time.time() - 100
    os.utime(tmp_path / "a.pickle", (past, past))
    os.utime(tmp_path / "b.pickle", (past - 10, past - 10))
    assert cache.get("a") == 1  # a is now the most recent, b the least
    cache.set("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3


def test_file_backend_reads_a_damaged_entry_as_absent(tmp_path, caplog):
    cache = FileBackend(tmp_path, size=2)
    (tmp_path / "k.pickle").write_bytes(b"not a pickle")
    assert cache.get("k") is None
    assert "unreadable entry" in caplog.text


def test_file_backend_that_cannot_write_still_answers(tmp_path):
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("x")
    cache = FileBackend(blocker / "cache", size=2)
    cache.set("k", 1)  # logged, not raised
    assert cache.get("k") == 1  # this process keeps what it computed
    assert FileBackend(blocker / "cache", size=2).get("k") is None  # no other process sees it


def test_file_backend_reads_a_file_once_per_process(tmp_path, monkeypatch):
    FileBackend(tmp_path, size=4).set("k", {"x": 1})  # another process wrote it
    reader = FileBackend(tmp_path, size=4)
    reads = []
    original = reader._read
    monkeypatch.setattr(reader, "_read", lambda key: reads.append(key) or original(key))
    assert reader.get("k") == reader.get("k") == {"x": 1}
    assert reads == ["k"]  # unpickled once, then from this process's memory


def _writer(folder: str, key: str, queue) -> None:
    FileBackend(folder, size=10).set(key, {"from": os.getpid()})
    queue.put(os.getpid())


def test_an_entry_written_by_one_process_is_read_by_another(tmp_path):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_writer, args=(str(tmp_path), "shared", queue))
    process.start()
    process.join(timeout=120)
    writer_pid = queue.get(timeout=5)
    assert writer_pid != os.getpid()
    assert FileBackend(tmp_path, size=10).get("shared") == {"from": writer_pid}


def test_results_computed_by_one_app_are_ready_in_another(app_factory, tmp_path):
    from elicit.extensions import db
    from elicit.models import Study
    from elicit.services import results
    from tests.factories import make_study, submit_round

    settings = {"RESULTS_CACHE_DIR": str(tmp_path)}
    first, second = app_factory(**settings), app_factory(**settings)
    with first.app_context():
        study = make_study(n_experts=3)
        submit_round(study, 0, [(0.2, 3), (0.8, 2), (0.5, -1)])
        study_id = study.id
        params = results.ResultParams(round=1)
        results.round_results(study, params)
    with second.app_context():
        study = db.session.get(Study, study_id)
        assert results.results_ready(study, params)  # a worker that computed nothing
    with first.app_context():
        study = db.session.get(Study, study_id)
        submit_round(study, 1, [(0.4, 3), (None, None), (0.5, -1)])
    with second.app_context():
        study = db.session.get(Study, study_id)
        assert not results.results_ready(study, params)  # new answers: a new entry
