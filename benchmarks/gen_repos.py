"""Synthetic research repositories of a given size, as a tree and a codeload-style .tar.gz.

Deterministic (seeded). Files mimic research code: modules with docstrings,
imports (third-party, stdlib, local, relative), functions; notebooks; a
requirements file; README; and non-code data files (which dominate real repos'
bytes and must be skipped cheaply). The archive is laid out like GitHub's
codeload ``.tar.gz`` (``git archive``): a pax global header holding the commit
id, a ``{repo}-{sha7}/`` top folder, ustar headers.
"""

from __future__ import annotations

import json
import os
import random
import tarfile

THIRD = ["numpy", "torch", "torch.nn", "scipy", "matplotlib.pyplot", "pandas", "cv2", "sklearn",
         "yaml", "tqdm", "PIL", "tensorflow", "jax", "einops", "wandb", "h5py", "skimage"]
STD = ["os", "sys", "json", "math", "argparse", "collections", "itertools", "logging", "time"]


def _module(rng: random.Random, pkg: str, n_funcs: int) -> str:
    lines = ['"""Module docstring.\n\nExample:\n    import notreal\n"""',
             "from __future__ import annotations"]
    for name in rng.sample(STD, 3):
        lines.append(f"import {name}")
    for name in rng.sample(THIRD, 4):
        lines.append(f"import {name} as m{rng.randrange(1000)}")
    lines.append(f"from {pkg}.util import helper")
    lines.append("from . import sibling")
    for i in range(n_funcs):
        lines += [f"\n\ndef func_{i}(x, y=1):", f'    """Compute thing {i}."""',
                  "    s = 'a string with import inside'", "    for k in range(10):",
                  "        x = x * y + k  # comment", "    return x"]
    return "\n".join(lines) + "\n"


def make_repo(root: str, name: str, n_files: int, seed: int = 0) -> tuple[str, str]:
    """Write ``root/name/`` with about ``n_files`` files and ``root/name.tar.gz``; return both."""
    rng = random.Random(seed)
    tree = os.path.join(root, name)
    files: dict[str, bytes] = {
        "requirements.txt": b"numpy>=1.18\ntorch==1.4\ntqdm\n",
        "README.md": b"# Repo\n\n```\npip install -r requirements.txt\npip install einops\n```\n",
        "pkg/__init__.py": b"", "pkg/util.py": b"def helper():\n    return 1\n",
    }
    n_pkgs = max(1, n_files // 200)
    for i in range(n_files - len(files)):
        kind = rng.random()
        sub = f"pkg{i % n_pkgs}/sub{(i // 7) % 5}"
        if kind < 0.45:
            files[f"{sub}/mod_{i}.py"] = _module(rng, "pkg", rng.randint(3, 30)).encode()
        elif kind < 0.48:
            source = ["%matplotlib inline\n", "import numpy as np\n"]
            cells: list[dict[str, object]] = [
                {"cell_type": "code", "source": source, "metadata": {}, "outputs": [],
                 "execution_count": None}]
            files[f"notebooks/nb_{i}.ipynb"] = json.dumps({"cells": cells, "nbformat": 4}).encode()
        elif kind < 0.75:
            files[f"data/{sub}/sample_{i}.npy"] = rng.randbytes(rng.randint(2_000, 60_000))
        else:
            files[f"configs/{sub}/c_{i}.yaml"] = b"lr: 0.1\nbatch: 32\n" * rng.randint(1, 20)
    for rel, data in files.items():
        path = os.path.join(tree, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
    archive = os.path.join(root, f"{name}.tar.gz")
    sha = f"{rng.getrandbits(160):040x}"
    with tarfile.open(archive, "w:gz", compresslevel=6, format=tarfile.PAX_FORMAT,
                      pax_headers={"comment": sha}) as tf:
        tf.add(tree, arcname=f"{name}-{sha[:7]}", filter=_like_git_archive)
    return tree, archive


def _like_git_archive(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """Header fields as ``git archive`` (GitHub's codeload) writes them.

    Integer mtime and root owner: ``tarfile`` would otherwise add a pax record to
    every member for the float mtime, which real GitHub archives do not have
    (they carry one pax global header with the commit id, and pax ``path``
    records only for paths that do not fit the ustar name/prefix fields).
    """
    info.mtime = 1_600_000_000
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.mode = 0o775 if info.isdir() else 0o664
    return info
