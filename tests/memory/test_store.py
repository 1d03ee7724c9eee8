"""The episode store on a real embedded LanceDB database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from config.errors import UserError
from config.settings import MemorySettings
from memory.embedding import HashingEmbedder
from memory.episode import Outcome, ReviewStatus
from memory.schema import IncompatibleStoreError
from memory.store import EpisodeStore, StorePathError, UnknownEpisodeError, store_path
from tests.memory.factories import make_episode, two_cycle_episode

REPO = Path(__file__).resolve().parents[2]

TASKS = {
    "dates": (
        "Parse an ISO 8601 date string into a datetime.",
        "def parse_iso(s):\n    return datetime.fromisoformat(s)\n",
    ),
    "sort": (
        "Sort a list of dictionaries by a key.",
        "def sort_by(rows, key):\n    return sorted(rows, key=lambda r: r[key])\n",
    ),
    "csv": (
        "Read a CSV file and return its rows.",
        "def read_rows(path):\n    with open(path) as f:\n        return list(csv.reader(f))\n",
    ),
    "primes": (
        "Return the prime numbers below n.",
        "def primes(n):\n    return [p for p in range(2, n) if all(p % d for d in range(2, p))]\n",
    ),
    "slug": (
        "Turn a title into a URL slug.",
        "def slugify(title):\n    return re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')\n",
    ),
}


@pytest.fixture
def store(tmp_path: Path) -> EpisodeStore:
    return EpisodeStore.open(tmp_path / "memory", HashingEmbedder())


def _fill(store: EpisodeStore) -> None:
    for minutes, (key, (task, code)) in enumerate(TASKS.items()):
        store.add(make_episode(key, task=task, final_code=code, minutes=minutes))


def _spawn_writer(path: Path, prefix: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.memory.writer_process", str(path), prefix, str(count)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_an_empty_store_has_no_episodes(store: EpisodeStore) -> None:
    assert (store.list(), store.search("anything"), store.get("x")) == ([], [], None)


def test_added_episode_reads_back_equal(store: EpisodeStore) -> None:
    episode = two_cycle_episode("run-1")
    store.add(episode)
    assert store.get("run-1") == episode


def test_adding_the_same_id_twice_stores_it_once(store: EpisodeStore) -> None:
    assert store.add(make_episode("run-1")) is True
    assert store.add(make_episode("run-1", task="a resumed run")) is False
    assert store.count() == 1
    assert store.get("run-1") == make_episode("run-1")


def test_a_resumed_run_replaces_its_interrupted_episode(store: EpisodeStore) -> None:
    store.add(make_episode("run-1", outcome=Outcome.INTERRUPTED, final_code="partial"))
    assert store.add(two_cycle_episode("run-1")) is True
    assert store.count() == 1
    assert store.get("run-1") == two_cycle_episode("run-1")


def test_a_finished_episode_is_never_replaced(store: EpisodeStore) -> None:
    store.add(make_episode("run-1", outcome=Outcome.LIMIT))
    assert store.add(make_episode("run-1", outcome=Outcome.INTERRUPTED)) is False
    assert store.get("run-1") == make_episode("run-1", outcome=Outcome.LIMIT)


def test_store_path_default_is_under_the_data_dir(tmp_path: Path) -> None:
    assert store_path(MemorySettings(), tmp_path) == tmp_path / "memory"
    assert store_path(MemorySettings(path=str(tmp_path / "x")), tmp_path) == tmp_path / "x"


def test_add_many_skips_ids_already_stored(store: EpisodeStore) -> None:
    store.add(make_episode("a"))
    assert store.add_many([make_episode("a"), make_episode("b"), make_episode("b")]) == 1
    assert store.count() == 2


def test_list_is_newest_first_and_limited(store: EpisodeStore) -> None:
    _fill(store)
    assert [e.id for e in store.list(limit=3)] == ["slug", "primes", "csv"]


def test_list_filters_by_status_and_outcome(store: EpisodeStore) -> None:
    store.add(make_episode("clean-approved", review_status=ReviewStatus.APPROVED))
    store.add(
        make_episode("limit-approved", outcome=Outcome.LIMIT, review_status=ReviewStatus.APPROVED)
    )
    store.add(make_episode("clean-pending"))
    found = store.list(status=ReviewStatus.APPROVED, outcome=Outcome.CLEAN)
    assert [e.id for e in found] == ["clean-approved"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("parse a date in ISO format", "dates"),
        ("sorted rows by key", "sort"),
        ("csv.reader", "csv"),
        ("slugify", "slug"),
    ],
)
def test_hybrid_search_ranks_the_matching_episode_first(
    store: EpisodeStore, query: str, expected: str
) -> None:
    _fill(store)
    hits = store.search(query, k=3)
    assert hits[0].episode.id == expected
    assert hits[0].score >= hits[-1].score


def test_a_new_store_indexes_task_code_and_id(store: EpisodeStore) -> None:
    store.add(make_episode("run-1"))
    assert store.indexes() == {"task_idx": "FTS", "final_code_idx": "FTS", "id_idx": "BTree"}


def test_search_finds_rows_added_after_the_index_was_built(store: EpisodeStore) -> None:
    _fill(store)
    store.optimize()
    store.add(make_episode("late", task="Compute a CRC32 checksum of bytes."))
    assert store.search("checksum", k=1)[0].episode.id == "late"


def test_search_applies_filters(store: EpisodeStore) -> None:
    _fill(store)
    store.set_review("csv", ReviewStatus.APPROVED)
    hits = store.search("parse a date in ISO format", k=5, status=ReviewStatus.APPROVED)
    assert [h.episode.id for h in hits] == ["csv"]


def test_search_with_blank_text_matches_nothing(store: EpisodeStore) -> None:
    _fill(store)
    assert store.search("   ", k=2) == []


def test_set_review_records_status_note_and_time(store: EpisodeStore) -> None:
    store.add(make_episode("run-1"))
    reviewed = store.set_review("run-1", ReviewStatus.REJECTED, "uses eval")
    assert (reviewed.review_status, reviewed.reviewer_note) == (ReviewStatus.REJECTED, "uses eval")
    assert reviewed.reviewed_at is not None
    assert store.get("run-1") == reviewed


def test_reviewing_an_unknown_id_is_a_user_error(store: EpisodeStore) -> None:
    store.add(make_episode("run-1"))
    with pytest.raises(UnknownEpisodeError, match="episodes list"):
        store.set_review("nope'; --", ReviewStatus.APPROVED)


def test_retrieve_examples_prefers_approved_episodes(store: EpisodeStore) -> None:
    _fill(store)
    store.set_review("sort", ReviewStatus.APPROVED)
    assert [e.id for e in store.retrieve_examples("parse an ISO date", k=2)] == ["sort"]


def test_retrieve_examples_shows_no_unreviewed_episode_unless_asked(store: EpisodeStore) -> None:
    _fill(store)
    assert store.retrieve_examples("parse an ISO date string", k=5) == []


def test_retrieve_examples_leaves_out_episodes_below_the_similarity_floor(
    store: EpisodeStore,
) -> None:
    _fill(store)
    for key in TASKS:
        store.set_review(key, ReviewStatus.APPROVED)
    everything = store.retrieve_examples("parse an ISO date string", k=5)
    similar = store.retrieve_examples("parse an ISO date string", k=5, min_similarity=0.3)
    assert len(everything) == len(TASKS)
    assert [e.id for e in similar] == ["dates"]


def test_retrieve_examples_falls_back_to_clean_unrejected(store: EpisodeStore) -> None:
    _fill(store)
    store.add(make_episode("dates-limit", task=TASKS["dates"][0], outcome=Outcome.LIMIT))
    store.set_review("dates", ReviewStatus.REJECTED)
    ids = [
        e.id
        for e in store.retrieve_examples("parse an ISO date string", k=5, include_clean=True)
    ]
    assert "dates" not in ids
    assert "dates-limit" not in ids
    assert len(ids) == 4


def test_retrieve_examples_with_k_zero_is_empty(store: EpisodeStore) -> None:
    _fill(store)
    assert store.retrieve_examples("parse an ISO date", k=0) == []


def test_a_reader_sees_another_process_commit(store: EpisodeStore, tmp_path: Path) -> None:
    store.add(make_episode("mine"))
    assert store.count() == 1
    writer = _spawn_writer(tmp_path / "memory", "other", 1)
    _, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert store.get("other-0") is not None


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "memory"
    writers = [_spawn_writer(path, prefix, 15) for prefix in ("a", "b")]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    store = EpisodeStore.open(path, HashingEmbedder())
    ids = {e.id for e in store.list()}
    assert ids == {f"{p}-{i}" for p in ("a", "b") for i in range(15)}


def test_a_killed_writer_leaves_every_committed_episode_readable(tmp_path: Path) -> None:
    path = tmp_path / "memory"
    writer = _spawn_writer(path, "k", 1000)
    stdout = writer.stdout
    if stdout is None:
        pytest.fail("writer has no stdout")
    committed = [stdout.readline().strip() for _ in range(5)]
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    committed += [line.strip() for line in stdout.read().splitlines() if line.strip()]
    stdout.close()
    assert writer.stderr is not None
    writer.stderr.close()
    store = EpisodeStore.open(path, HashingEmbedder())
    stored = {e.id for e in store.list()}
    assert set(committed) <= stored
    store.add(make_episode("after-kill"))
    assert store.get("after-kill") is not None


def test_a_path_under_a_file_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StorePathError, match=r"set memory\.path"):
        EpisodeStore.open(blocker / "memory", HashingEmbedder())


#: Opens the store at ``argv[1]`` and prints the user error it gives.
OPEN_STORE = (
    "import sys\n"
    "from pathlib import Path\n"
    "from memory.embedding import HashingEmbedder\n"
    "from memory.store import EpisodeStore, StorePathError\n"
    "try:\n"
    "    EpisodeStore.open(Path(sys.argv[1]), HashingEmbedder())\n"
    "except StorePathError as exc:\n"
    "    print(exc)\n"
)


def test_a_read_only_directory_is_a_user_error(tmp_path: Path) -> None:
    """Its permissions make the directory read-only to a user; root ignores them, so for root
    it is also a read-only bind mount, in a mount namespace the child process has to itself."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    mount = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    read_only_mount = (
        ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", mount, str(locked)]
        if os.geteuid() == 0
        else []
    )
    try:
        result = subprocess.run(
            [*read_only_mount, sys.executable, "-c", OPEN_STORE, str(locked)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        locked.chmod(0o700)
    assert f"the episode store at {locked} is not writable" in result.stdout, result.stderr


def test_a_table_of_another_schema_is_refused(tmp_path: Path) -> None:
    import lancedb
    import pyarrow as pa

    db = lancedb.connect(str(tmp_path / "memory"))
    db.create_table("episodes", schema=pa.schema([pa.field("id", pa.string())]))
    with pytest.raises(IncompatibleStoreError, match="move it aside"):
        EpisodeStore.open(tmp_path / "memory", HashingEmbedder())


def test_another_embedder_is_refused_until_reembed(tmp_path: Path) -> None:
    path = tmp_path / "memory"
    EpisodeStore.open(path, HashingEmbedder(dim=32)).add(make_episode("run-1"))
    wider = EpisodeStore.open(path, HashingEmbedder(dim=64))
    with pytest.raises(UserError, match="episodes reembed"):
        wider.search("add two numbers")


def test_reembed_rebuilds_vectors_for_the_new_embedder(tmp_path: Path) -> None:
    path = tmp_path / "memory"
    narrow = EpisodeStore.open(path, HashingEmbedder(dim=32))
    narrow.add_many([two_cycle_episode("run-1")] + [make_episode(f"x{i}") for i in range(12)])
    wider = EpisodeStore.open(path, HashingEmbedder(dim=64))
    assert wider.reembed() == 13
    assert wider.search("evaluate an arithmetic literal", k=1)[0].episode == two_cycle_episode(
        "run-1"
    )
    assert wider.add(make_episode("run-2")) is True


def test_optimize_builds_a_vector_index_on_a_large_store(
    store: EpisodeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("memory.store.VECTOR_INDEX_MIN_ROWS", 300)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
    store.add_many(
        [
            make_episode(f"e{i}", task=f"Handle {words[i % 8]} {words[i // 8 % 8]} case {i}.")
            for i in range(320)
        ]
    )
    store.add(make_episode("needle", task="Compute the Levenshtein distance of two strings."))
    store.optimize()
    assert "IvfFlat" in store.indexes().values()
    assert store.search("Levenshtein distance", k=1)[0].episode.id == "needle"


def test_optimize_rebuilds_the_vector_index_after_the_store_grew(
    store: EpisodeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("memory.store.VECTOR_INDEX_MIN_ROWS", 100)
    monkeypatch.setattr("memory.store.VECTOR_INDEX_REBUILD_GROWTH", 2)
    store.add_many([make_episode(f"a{i}", task=f"Task alpha number {i}.") for i in range(120)])
    store.optimize()
    store.add_many([make_episode(f"b{i}", task=f"Task bravo number {i}.") for i in range(130)])
    store.optimize()
    vector_indexes = [name for name, kind in store.indexes().items() if kind == "IvfFlat"]
    assert vector_indexes == ["vector_ivf_flat_250"]


def test_a_store_of_schema_version_1_is_upgraded_in_place_and_keeps_its_episodes(
    tmp_path: Path,
) -> None:
    import lancedb
    import pyarrow as pa

    from memory.schema import META_SCHEMA_VERSION, episode_schema, episode_to_row

    embedder = HashingEmbedder()
    schema = episode_schema(embedder.dim, embedder.name)
    attempts = schema.field("attempts").type.value_type
    old_attempt = pa.struct([f for f in attempts if f.name != "verification"])
    old = pa.schema(
        [
            pa.field("attempts", pa.list_(old_attempt), nullable=False) if f.name == "attempts" else f
            for f in schema
        ],
        metadata={**(schema.metadata or {}), META_SCHEMA_VERSION: b"1"},
    )
    episode = two_cycle_episode("old")
    row = episode_to_row(episode, embedder.embed([episode.task])[0])
    for attempt in row["attempts"]:
        del attempt["verification"]
    db = lancedb.connect(str(tmp_path / "memory"))
    db.create_table("episodes", pa.Table.from_pylist([row], schema=old), schema=old)

    store = EpisodeStore.open(tmp_path / "memory", embedder)
    found = store.get("old")
    assert found is not None
    assert [a.code for a in found.attempts] == [a.code for a in episode.attempts]
    assert all(a.verification == {} for a in found.attempts)
    store.add(make_episode("new"))
    assert {e.id for e in store.list()} == {"old", "new"}


def test_retrieve_examples_falls_back_when_no_approved_episode_is_similar_enough(
    store: EpisodeStore,
) -> None:
    _fill(store)
    store.set_review("sort", ReviewStatus.APPROVED)
    examples = store.retrieve_examples(
        "parse an ISO date string", k=2, include_clean=True, min_similarity=0.3
    )
    assert [e.id for e in examples] == ["dates"]


def test_retrieve_examples_applies_the_similarity_floor_to_the_fallback_too(
    store: EpisodeStore,
) -> None:
    _fill(store)
    store.set_review("sort", ReviewStatus.APPROVED)
    store.set_review("dates", ReviewStatus.REJECTED)
    examples = store.retrieve_examples(
        "parse an ISO date string", k=5, include_clean=True, min_similarity=0.3
    )
    assert examples == []
