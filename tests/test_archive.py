"""Archives: streaming, caps, and hostile members built in tmp_path."""

from __future__ import annotations

import gzip
import io
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from crawler.errors import ConfigError, CorruptArchive
from crawler.extract import Limits, extract_archive, extract_path

REPOS = Path(__file__).parent / "data" / "repos"


def _tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for m in members:
            if isinstance(m, tarfile.TarInfo):
                tf.addfile(m)
            else:
                info = tarfile.TarInfo(m[0])
                info.size = len(m[1])
                tf.addfile(info, io.BytesIO(m[1]))
    return path


def _special(name: str, kind: bytes, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info


def test_tar_strips_top_folder_and_reads_members(tmp_path: Path) -> None:
    arc = _tar(tmp_path / "r.tar.gz", [("repo-abc123/train.py", b"import torch\n"),
                                       ("repo-abc123/requirements.txt", b"numpy\n"),
                                       ("repo-abc123/data/x.bin", b"\x00" * 10)])
    ex = extract_archive(str(arc))
    assert [t.name for t in ex.tools] == ["numpy", "torch"]
    assert ex.manifests == ("requirements.txt",)
    assert (ex.n_files, ex.n_py_files) == (3, 1)


def test_zip_and_directory_agree_with_tar(tmp_path: Path) -> None:
    src = REPOS / "ml_aliases" / "repo"
    zpath = shutil.make_archive(str(tmp_path / "z"), "zip", src.parent, "repo")
    tpath = shutil.make_archive(str(tmp_path / "t"), "gztar", src.parent, "repo")
    assert extract_path(zpath) == extract_path(tpath) == extract_path(str(src))


@pytest.mark.parametrize("member, reason", [
    (("repo/../../evil.py", b"import os"), "escapes"),
    (("/etc/evil.py", b"import os"), "absolute"),
    (_special("repo/link.py", tarfile.SYMTYPE, "/etc/passwd"), "link not followed"),
    (_special("repo/hard.py", tarfile.LNKTYPE, "repo/ok.py"), "link not followed"),
    (_special("repo/dev", tarfile.CHRTYPE), "device"),
    (_special("repo/fifo", tarfile.FIFOTYPE), "device"),
])
def test_hostile_tar_members_become_errors(tmp_path: Path, member: object, reason: str) -> None:
    arc = _tar(tmp_path / "h.tar.gz", [("repo/ok.py", b"import scipy\n"), member])  # type: ignore[list-item]
    before = set(tmp_path.rglob("*"))
    ex = extract_archive(str(arc))
    assert [t.name for t in ex.tools] == ["scipy"]
    assert any(reason in e.reason for e in ex.errors)
    assert set(tmp_path.rglob("*")) == before  # nothing written anywhere


def test_hostile_zip_members(tmp_path: Path) -> None:
    zpath = tmp_path / "h.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("repo/ok.py", "import scipy\n")
        zf.writestr("repo/../../evil.py", "import os\n")
        zf.writestr("/abs.py", "import os\n")
        link = zipfile.ZipInfo("repo/link.py")
        link.external_attr = (0o120777 << 16)
        zf.writestr(link, "/etc/passwd")
    ex = extract_archive(str(zpath))
    assert [t.name for t in ex.tools] == ["scipy"]
    reasons = " ".join(e.reason for e in ex.errors)
    assert "escapes" in reasons and "absolute" in reasons and "link" in reasons


def test_gzip_bomb_stops_at_repo_cap(tmp_path: Path) -> None:
    big = b"\0" * (64 << 20)  # 64 MiB of zeros compresses to ~64 KiB
    arc = _tar(tmp_path / "bomb.tar.gz", [("repo/a.py", b"import numpy\n"), ("repo/zeros.dat", big),
                                          ("repo/b.py", b"import scipy\n")])
    assert arc.stat().st_size < 1 << 20
    ex = extract_archive(str(arc), Limits(max_repo_bytes=16 << 20))
    assert [t.name for t in ex.tools] == ["numpy"]
    assert any("size cap" in e.reason for e in ex.errors)


def test_oversize_member_is_an_error(tmp_path: Path) -> None:
    arc = _tar(tmp_path / "o.tar.gz", [("repo/big.py", b"import torch\n" + b"#" * 5000),
                                       ("repo/ok.py", b"import numpy\n")])
    ex = extract_archive(str(arc), Limits(max_member_bytes=1000))
    assert [t.name for t in ex.tools] == ["numpy"]
    assert any("too large" in e.reason for e in ex.errors)


def test_member_cap(tmp_path: Path) -> None:
    arc = _tar(tmp_path / "m.tar.gz", [(f"repo/m{i}.py", b"import numpy\n") for i in range(10)])
    ex = extract_archive(str(arc), Limits(max_members=3))
    assert ex.n_files == 3 and any("member cap" in e.reason for e in ex.errors)


def test_truncated_gzip_raises_corrupt(tmp_path: Path) -> None:
    noise = bytes(range(256)) * 400
    arc = _tar(tmp_path / "t.tar.gz", [(f"repo/m{i}.py", noise) for i in range(5)])
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(arc.read_bytes()[: arc.stat().st_size // 2])
    with pytest.raises(CorruptArchive, match="truncated"):
        extract_archive(str(cut))


@pytest.mark.parametrize("content", [b"hello, not an archive", gzip.compress(b"not a tar" * 100),
                                     b"PK\x03\x04garbage"])
def test_not_an_archive_raises_corrupt(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.tar.gz"
    path.write_bytes(content)
    with pytest.raises(CorruptArchive):
        extract_path(str(path))


def test_missing_path_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        extract_path(str(tmp_path / "nope"))


def test_directory_symlink_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("import secretpkg\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("import numpy\n")
    (repo / "link.py").symlink_to(outside)
    ex = extract_path(str(repo))
    assert [t.name for t in ex.tools] == ["numpy"]
    assert any("link" in e.reason for e in ex.errors)


LONG = "repo-abc/" + "/".join(["deeply_nested_folder"] * 6) + "/model.py"  # > 100 chars


@pytest.mark.parametrize("fmt", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_long_names_in_every_tar_format(tmp_path: Path, fmt: int) -> None:
    arc = tmp_path / "long.tar.gz"
    with tarfile.open(arc, "w:gz", format=fmt, pax_headers={"comment": "c0ffee"}
                      if fmt == tarfile.PAX_FORMAT else None) as tf:
        for name, data in [(LONG, b"import torch\n"), ("repo-abc/a.py", b"import numpy\n")]:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1.5  # a float mtime: a pax record in PAX_FORMAT
            tf.addfile(info, io.BytesIO(data))
    ex = extract_archive(str(arc))
    assert [t.name for t in ex.tools] == ["numpy", "torch"]
    assert next(t for t in ex.tools if t.name == "torch").files == (LONG.split("/", 1)[1],)


def test_members_spanning_inflate_chunks(tmp_path: Path) -> None:
    noise = bytes(range(256)) * 4096 * 3  # 3 MiB: several 1 MiB inflate steps
    big_py = b"x = 1\n" * 300_000 + b"import scipy\n"  # ~1.8 MiB, read across chunks
    arc = _tar(tmp_path / "c.tar.gz", [("repo/data.bin", noise), ("repo/big.py", big_py),
                                       ("repo/data2.bin", noise), ("repo/z.py", b"import numpy\n")])
    ex = extract_archive(str(arc))
    assert [t.name for t in ex.tools] == ["numpy", "scipy"]
    assert ex.n_files == 4 and ex.errors == ()


def test_plain_tar_is_read(tmp_path: Path) -> None:
    arc = tmp_path / "p.tar"
    with tarfile.open(arc, "w") as tf:
        info = tarfile.TarInfo("repo/a.py")
        info.size = 13
        tf.addfile(info, io.BytesIO(b"import numpy\n"))
    assert [t.name for t in extract_archive(str(arc)).tools] == ["numpy"]


def test_flood_of_directory_headers_is_capped(tmp_path: Path) -> None:
    dirs: list[tarfile.TarInfo | tuple[str, bytes]] = [
        _special(f"repo/d{i}", tarfile.DIRTYPE) for i in range(200)]
    arc = _tar(tmp_path / "f.tar.gz", [("repo/a.py", b"import numpy\n"), *dirs])
    ex = extract_archive(str(arc), Limits(max_members=10))
    assert any("member cap" in e.reason for e in ex.errors)


def test_corrupt_tar_header_raises(tmp_path: Path) -> None:
    arc = _tar(tmp_path / "ok.tar.gz", [("repo/a.py", b"import numpy\n")])
    raw = bytearray(gzip.decompress(arc.read_bytes()))
    raw[150] ^= 0xFF  # checksum field of the first header
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(CorruptArchive):
        extract_archive(str(bad))
