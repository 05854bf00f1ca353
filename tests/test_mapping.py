"""The bundled mapping tables: self-check and the names that matter in ML code."""

from __future__ import annotations

import pytest

from crawler.mapping import (
    check_tables,
    conda_name,
    declared_name,
    family_of,
    import_table,
    pick_variant,
    resolve_import,
)


def test_tables_are_sorted_and_normalised() -> None:
    assert check_tables() == []


def test_table_is_big_enough() -> None:
    assert len(import_table()) >= 400


IMPORTS = [
    ("cv2", "opencv-python"), ("PIL.Image", "pillow"), ("sklearn.svm", "scikit-learn"),
    ("skimage.io", "scikit-image"), ("yaml", "pyyaml"), ("bs4", "beautifulsoup4"),
    ("attr", "attrs"), ("absl.flags", "absl-py"), ("haiku", "dm-haiku"), ("flax.linen", "flax"),
    ("google.protobuf.text_format", "protobuf"), ("google.cloud.storage", "google-cloud-storage"),
    ("google.cloud.bigquery_storage", "google-cloud-bigquery-storage"),
    ("mpl_toolkits.mplot3d", "matplotlib"), ("tensorflow_datasets", "tensorflow-datasets"),
    ("gym.spaces", "gym"), ("mujoco_py", "mujoco-py"), ("dgl", "dgl"),
    ("torch_geometric.data", "torch-geometric"), ("tensorflow.keras.layers", "tensorflow"),
    ("keras.layers", "keras"), ("paddle.nn", "paddlepaddle"), ("fitz", "pymupdf"),
    ("some_unknown", "some-unknown"), ("utils", ""), ("google.colab", ""),
]


@pytest.mark.parametrize("name, dist", IMPORTS)
def test_resolve_import(name: str, dist: str) -> None:
    assert resolve_import(name).dist == dist


@pytest.mark.parametrize("dist, family", [
    ("torch", "pytorch"), ("torchvision", "pytorch"), ("tensorflow-gpu", "tensorflow"),
    ("tf-nightly", "tensorflow"), ("keras", "keras"), ("jaxlib", "jax"), ("dm-haiku", "jax"),
    ("mxnet-cu101", "mxnet"), ("paddlepaddle-gpu", "paddlepaddle"), ("chainer", "chainer"),
    ("theano", "theano"), ("pytorch-lightning", ""), ("tensorflow-datasets", ""), ("numpy", ""),
])
def test_family_of(dist: str, family: str) -> None:
    assert family_of(dist) == family


def test_declared_and_conda_names() -> None:
    assert declared_name("PyTorch") == "torch" and declared_name("scikit_learn") == "scikit-learn"
    assert conda_name("pytorch-gpu") == "torch" and conda_name("cudatoolkit") == ""
    assert conda_name("libgcc-ng") == "" and conda_name("python") == ""


def test_variants_follow_what_is_declared() -> None:
    assert pick_variant("tensorflow", {"tensorflow-gpu"}) == "tensorflow-gpu"
    assert pick_variant("cupy", {"cupy-cuda11x"}) == "cupy-cuda11x"
    assert pick_variant("tensorflow", {"torch"}) == "tensorflow"
