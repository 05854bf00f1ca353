from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from crawler import datasets, storage


def _rows() -> list[dict[str, object]]:
    base = {"venue_id": "", "title": "t", "decision": "", "tier": "poster", "code_urls": [],
            "link_source": "", "keywords": ["a"], "primary_area": "", "author_domains": [],
            "snapshot_date": "", "status": "no_code_link"}
    return [
        {**base, "paper_id": "b", "venue": "ICLR", "year": 2020},
        {**base, "paper_id": "a", "venue": "ICLR", "year": 2020},
        {**base, "paper_id": "c", "venue": "NeurIPS", "year": 2021},
    ]


@pytest.fixture(params=["file", "memory"])
def base_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return f"memory://storage-test/{tmp_path.name}"
    return str(tmp_path / "out")


def test_partitioned_write_is_deterministic_and_round_trips(base_url: str) -> None:
    url = storage.join(base_url, "papers")
    table = datasets.to_table("papers", _rows())
    written = storage.write_partitioned(table, url, sort_by=("paper_id",))
    assert [w.rsplit("/", 3)[-3:] for w in written] == [
        ["venue=ICLR", "year=2020", "part-0.parquet"],
        ["venue=NeurIPS", "year=2021", "part-0.parquet"],
    ]
    first = {w: hashlib.sha256(storage.read_bytes(w)).hexdigest() for w in written}
    storage.write_partitioned(table, url, sort_by=("paper_id",))
    assert {w: hashlib.sha256(storage.read_bytes(w)).hexdigest() for w in written} == first
    back = storage.read_dataset(url)
    assert back is not None
    got = sorted(zip(back["venue"].to_pylist(), back["year"].to_pylist(),
                     back["paper_id"].to_pylist(), strict=True))
    assert got == [("ICLR", 2020, "a"), ("ICLR", 2020, "b"), ("NeurIPS", 2021, "c")]


def test_stale_files_in_a_rewritten_partition_are_removed(base_url: str) -> None:
    url = storage.join(base_url, "papers")
    storage.write_bytes(storage.join(url, "venue=ICLR", "year=2020", "old-uuid.parquet"), b"x")
    storage.write_partitioned(datasets.to_table("papers", _rows()), url)
    names = [u.rsplit("/", 1)[-1] for u in storage.list_files(url)]
    assert names == ["part-0.parquet", "part-0.parquet"]


def test_small_object_helpers(base_url: str) -> None:
    assert storage.read_dataset(storage.join(base_url, "nothing")) is None
    storage.write_json(storage.join(base_url, "a", "x.json"), {"k": 1})
    storage.write_bytes(storage.join(base_url, "a", "y.json"), b"{}")
    files = storage.list_files(storage.join(base_url, "a"), suffix=".json")
    assert [f.rsplit("/", 1)[-1] for f in files] == ["x.json", "y.json"]
    assert storage.read_json(files[0]) == {"k": 1}
    assert storage.read_many(files) == {files[0]: b'{\n  "k": 1\n}\n', files[1]: b"{}"}
    storage.delete(files[1])
    assert not storage.exists(files[1])
