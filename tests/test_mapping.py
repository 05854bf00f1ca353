"""The bundled mapping tables: self-check and the names that matter in ML code."""

from __future__ import annotations

import re

import pytest

from crawler.mapping import (
    check_tables,
    conda_name,
    declared_name,
    family_of,
    import_table,
    is_known_import,
    local_names,
    pick_variant,
    read_table,
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
    assert pick_variant("clip", {"clip-anytorch", "torch"}) == "clip-anytorch"
    assert pick_variant("tensorflow", {"torch"}) == "tensorflow"


# Import names that differ from their distribution, each checked against the
# distribution's wheel/sdist (top_level.txt or RECORD) when the table row was added.
LONG_TAIL = [
    ("pyspiel", "open-spiel"), ("meltingpot", "dm-meltingpot"), ("retro", "gym-retro"),
    ("habitat_baselines.rl", "habitat-baselines"), ("pybullet_data", "pybullet"),
    ("pydrake.all", "drake"), ("pinocchio", "pin"), ("snap", "snap-stanford"),
    ("sknetwork", "scikit-network"), ("art.attacks.evasion", "adversarial-robustness-toolbox"),
    ("taming.models.vqgan", "taming-transformers"), ("imwatermark", "invisible-watermark"),
    ("cleanfid.fid", "clean-fid"), ("psbody.mesh", "psbody-mesh"), ("mcubes", "pymcubes"),
    ("igl", "libigl"), ("quaternion", "numpy-quaternion"), ("Imath", "openexr"),
    ("comet.models", "unbabel-comet"), ("mauve", "mauve-text"), ("nlgeval", "nlg-eval"),
    ("whisper", "openai-whisper"), ("nemo.collections.asr", "nemo-toolkit"),
    ("speech_recognition", "speechrecognition"), ("fastchat.model", "fschat"),
    ("llama_cpp", "llama-cpp-python"), ("awq", "autoawq"), ("vertexai", "google-cloud-aiplatform"),
    ("_jsonnet", "jsonnet"), ("official.nlp", "tf-models-official"),
    ("tensorflow_serving.apis", "tensorflow-serving-api"), ("scvi.model", "scvi-tools"),
    ("ants", "antspyx"), ("radiomics", "pyradiomics"), ("nrrd", "pynrrd"), ("dicom", "pydicom"),
    ("ee", "earthengine-api"), ("ogr", "gdal"), ("skbio", "scikit-bio"), ("allel", "scikit-allel"),
    ("castle.algorithms", "gcastle"), ("causallearn.search", "causal-learn"),
    ("autosklearn.classification", "auto-sklearn"), ("tap", "typed-argument-parser"),
    ("cattr", "cattrs"), ("progressbar", "progressbar2"), ("pl_bolts", "lightning-bolts"),
    ("torchnlp", "pytorch-nlp"), ("pytorch_grad_cam", "grad-cam"), ("Orange", "orange3"),
    ("sklearnex", "scikit-learn-intelex"), ("mkl", "mkl-service"),
    ("websocket", "websocket-client"),
    ("socketio", "python-socketio"), ("telegram.ext", "python-telegram-bot"),
    ("mysql.connector", "mysql-connector-python"), ("bson", "pymongo"),
    ("dns.resolver", "dnspython"),
    ("win32api", "pywin32"), ("win32com.client", "pywin32"), ("Xlib", "python-xlib"),
    ("cairo", "pycairo"), ("gi.repository", "pygobject"), ("RPi.GPIO", "rpi-gpio"),
    ("vis.visualization", "keras-vis"), ("tvtk.api", "mayavi"),
]


@pytest.mark.parametrize("name, dist", LONG_TAIL)
def test_long_tail_imports(name: str, dist: str) -> None:
    assert resolve_import(name).dist == dist


@pytest.mark.parametrize("name, dist", [
    ("azure.storage.blob", "azure-storage-blob"), ("azure.identity", "azure-identity"),
    ("azure.ai.ml.entities", "azure-ai-ml"), ("azure.keyvault.secrets", "azure-keyvault-secrets"),
    ("azure.mgmt.compute", "azure-mgmt-compute"),
    ("azure.cognitiveservices.vision.computervision",
     "azure-cognitiveservices-vision-computervision"),
    ("google.cloud.pubsub_v1", "google-cloud-pubsub"),
    ("google.cloud.exceptions", "google-cloud-core"),
    ("google.api_core.exceptions", "google-api-core"), ("google.rpc", "googleapis-common-protos"),
    ("pyannote.audio", "pyannote-audio"), ("backports.zoneinfo", "backports-zoneinfo"),
    ("openff.toolkit.topology", "openff-toolkit"), ("orbax.checkpoint", "orbax-checkpoint"),
    ("sphinxcontrib.katex", "sphinxcontrib-katex"), ("eos", "extendedos"),
    ("espnet2.bin", "espnet"), ("dora", "dora-search"), ("zero", "libzero"),
])
def test_namespace_templates(name: str, dist: str) -> None:
    assert resolve_import(name).dist == dist


@pytest.mark.parametrize("name", ["dnnlib", "torch_utils", "tflib", "agents", "envs", "vis",
                                  "third_party", "unet"])
def test_generic_local_names_are_not_reported(name: str) -> None:
    res = resolve_import(name)
    assert (res.dist, res.mapped) == ("", False)


def test_hf_packages_are_mapped_not_local() -> None:
    # `datasets`/`evaluate` are Hugging Face packages: mapped, never generic local names.
    assert {"datasets", "evaluate"} <= set(import_table())
    assert not {"datasets", "evaluate"} & local_names()


def test_local_names_are_not_table_keys() -> None:
    assert not local_names() & set(import_table())


def test_every_variant_is_reachable_from_an_import() -> None:
    # pick_variant only runs on mapped imports: a variant row whose default distribution
    # no import maps to could never apply.
    targets = set(import_table().values())
    assert {dist for dist, _ in read_table("variants.csv")} - targets == set()


@pytest.mark.parametrize("dist, present, picked", [
    ("faiss-cpu", {"faiss-gpu-cu12"}, "faiss-gpu-cu12"), ("faiss-cpu", {"faiss"}, "faiss"),
    ("dgl", {"dgl-cu113"}, "dgl-cu113"), ("spconv", {"spconv-cu118"}, "spconv-cu118"),
    ("pynvml", {"nvidia-ml-py"}, "nvidia-ml-py"), ("python-igraph", {"igraph"}, "igraph"),
    ("fair-esm", {"esm"}, "esm"), ("progressbar2", {"progressbar"}, "progressbar"),
    ("jax", {"jax-metal"}, "jax"), ("onnxruntime", {"onnxruntime-extensions"}, "onnxruntime"),
])
def test_more_variants(dist: str, present: set[str], picked: str) -> None:
    assert pick_variant(dist, present) == picked


@pytest.mark.parametrize("name, dist", [
    ("pyg", "torch-geometric"), ("pytorch-scatter", "torch-scatter"), ("numpy-base", "numpy"),
    ("matplotlib-base", "matplotlib"), ("pytables", "tables"), ("pyqt", "pyqt5"),
    ("torchtriton", "triton"), ("dgl-cuda11.3", "dgl"), ("ray-core", "ray"),
    ("cpuonly", ""), ("setuptools", ""), ("graphviz", ""), ("magma-cuda118", ""), ("vc", ""),
    ("python-graphviz", "graphviz"), ("faiss-gpu", "faiss-gpu"),
])
def test_conda_names(name: str, dist: str) -> None:
    assert conda_name(name) == dist


@pytest.mark.parametrize("name, dist", [
    ("umap", "umap-learn"), ("hydra", "hydra-core"), ("pyro", "pyro-ppl"), ("attr", "attrs"),
    ("community", "python-louvain"), ("fitz", "pymupdf"), ("pytorch_geometric", "torch-geometric"),
    ("python-opencv", "opencv-python"), ("serial", "pyserial"), ("tqdm", "tqdm"),
])
def test_declared_aliases(name: str, dist: str) -> None:
    assert declared_name(name) == dist


@pytest.mark.parametrize("name, dist", [
    ("google.cloud.pubsub_v1", "google-cloud-pubsub"),
    ("google.cloud.bigquery_storage_v1", "google-cloud-bigquery-storage"),
    ("google.cloud.vision_v1p3beta1", "google-cloud-vision"),
    ("google.cloud.speech_v1p1beta1", "google-cloud-speech"),
    ("google.cloud.aiplatform_v1beta1.types", "google-cloud-aiplatform"),
    ("google.cloud.language_v1alpha2", "google-cloud-language"),
    ("google.cloud.secretmanager_v1", "google-cloud-secret-manager"),  # via the explicit row
    ("google.cloud.storage", "google-cloud-storage"),
    ("google.cloud.vision_v1x", "google-cloud-vision-v1x"),  # not an API-version suffix
])
def test_google_cloud_api_version_suffix(name: str, dist: str) -> None:
    assert resolve_import(name).dist == dist


def test_google_cloud_version_rule_keeps_the_written_name_as_provenance() -> None:
    assert resolve_import("google.cloud.pubsub_v1.types").key == "google.cloud.pubsub_v1"


def test_no_versioned_google_cloud_rows_left() -> None:
    # The rule covers them; a new `_v1` row would be dead weight.
    versioned = [k for k in import_table()
                 if k.startswith("google.cloud.") and re.search(r"_v\d", k)]
    assert versioned == []


@pytest.mark.parametrize("name, dist", [
    ("cuda-nvcc", ""), ("cuda-version", ""), ("cuda-cudart-dev", ""), ("magma-cuda124", ""),
    ("xorg-libxfixes", ""), ("r-base", ""), ("r-ggplot2", ""), ("yaml-cpp", ""),
    ("abseil-cpp", ""), ("libgcc-ng", ""),
    # Python packages the prefix/suffix rules must not swallow.
    ("cuda-python", "cuda-python"), ("cuda-bindings", "cuda-bindings"), ("librosa", "librosa"),
    ("libcst", "libcst"), ("r2pipe", "r2pipe"), ("rpy2", "rpy2"), ("xarray", "xarray"),
    ("llama-cpp-python", "llama-cpp-python"), ("cudf", "cudf"), ("magma", ""),
])
def test_conda_not_python_rules(name: str, dist: str) -> None:
    assert conda_name(name) == dist


def test_conda_rows_are_not_redundant_with_the_rules() -> None:
    # A row for a rule-covered name must be an exception (a Python package), never "".
    covered = [name for name, dist in read_table("conda_map.csv")
               if dist == "" and (name.startswith(("lib", "_", "cuda-", "magma-", "xorg-", "r-"))
                                  or name.endswith(("-dev", "-devel", "-cpp")))]
    assert covered == []


@pytest.mark.parametrize("name, dist", [
    ("Image", "pillow"), ("ImageDraw", "pillow"), ("ImageOps", "pillow"), ("ImageFont", "pillow"),
    ("ImageTk", "pillow"), ("PngImagePlugin", "pillow"), ("ExifTags", "pillow"),
    ("Imagen", "imagen"),  # exact names only, not a prefix
    ("cleverhans_tutorials.tutorial_models", "cleverhans"), ("hypertune", "cloudml-hypertune"),
    ("brax.envs", "brax"), ("minatar", "minatar"),
])
def test_real_corpus_rows(name: str, dist: str) -> None:
    assert resolve_import(name).dist == dist


def test_brax_and_minatar_are_known_names() -> None:
    # Known names are hidden only by the importer's own folder chain, not by any folder anywhere.
    assert is_known_import("brax") and is_known_import("minatar")
    assert not is_known_import("some_unknown")
