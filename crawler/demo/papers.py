"""Synthetic accepted (and rejected) papers of the three bundled demo venue-years.

Plain data, no network: ``crawler.loopback.openreview_data`` turns these into
recorded-shape OpenReview notes (v1 with decisions in direct replies for ICLR
2020, v1 with ``content.venue`` tiers for ICLR 2022, v2 for ICLR 2024).
Titles and abstracts are invented. ``code`` is the raw value of the paper's
code field (``None``: the field is absent); ``abstract`` may carry links too.
Repository names refer to ``crawler.demo.repos.REPOS``; the ``demo-missing``
repository is deliberately absent from the loopback GitHub server (404).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DemoPaper:
    venue_key: str  # catalogue key: iclr2020, iclr2022, iclr2024
    number: int
    title: str
    decision: str  # as the venue writes it; "Reject" papers must not be counted
    code: str | None = None
    abstract: str = "We study a synthetic problem."
    keywords: tuple[str, ...] = ()
    primary_area: str = ""


GH = "https://github.com/toolcensus-demo/"

DEMO_PAPERS: tuple[DemoPaper, ...] = (
    # ICLR 2020 style: v1, decision in a direct reply (Accept (Talk|Spotlight|Poster) / Reject)
    DemoPaper("iclr2020", 11, "Residual Nets for Toy Vision", "Accept (Talk)", GH + "pt-classifier",
              keywords=("computer vision", "deep learning")),
    DemoPaper("iclr2020", 12, "GANs the TensorFlow 1 Way", "Accept (Poster)", GH + "tf1-gan.git",
              keywords=("generative models",)),
    DemoPaper("iclr2020", 13, "Sequence Models in TF2", "Accept (Spotlight)",
              GH + "tf2-seq/tree/master/src", keywords=("natural language processing",)),
    DemoPaper("iclr2020", 14, "Keras Is All You Need", "Accept (Poster)", GH + "keras-standalone"),
    DemoPaper("iclr2020", 15, "Legacy Theano Code", "Accept (Poster)", GH + "theano-py2"),
    DemoPaper("iclr2020", 16, "A Paper Without Code", "Accept (Poster)", None,
              keywords=("theory",)),
    DemoPaper("iclr2020", 17, "Anonymous Drive Link", "Accept (Poster)",
              "https://drive.google.com/file/d/abc123/view"),
    DemoPaper("iclr2020", 18, "Repository That Was Deleted", "Accept (Poster)",
              GH + "demo-missing"),
    DemoPaper("iclr2020", 19, "Rejected With Code", "Reject", GH + "pt-classifier"),
    DemoPaper("iclr2020", 20, "Notebooks Only", "Accept (Poster)", "",
              abstract="Code: https://github.com/toolcensus-demo/notebook-only."),
    # ICLR 2022 style: v1, tier in content.venue; rejected papers say "ICLR 2022 Submitted"
    DemoPaper("iclr2022", 21, "JAX for Everything", "ICLR 2022 Oral", GH + "jax-flax",
              keywords=("optimization",)),
    DemoPaper("iclr2022", 22, "Just NumPy", "ICLR 2022 Poster", GH + "numpy-only"),
    DemoPaper("iclr2022", 23, "Setup Dot Py Only", "ICLR 2022 Poster", GH + "setup-only"),
    DemoPaper("iclr2022", 24, "No Dependency File", "ICLR 2022 Spotlight", GH + "no-deps-file",
              keywords=("computer vision",)),
    DemoPaper("iclr2022", 25, "Conda Environments", "ICLR 2022 Poster", GH + "conda-env"),
    DemoPaper("iclr2022", 26, "Poetry in Motion", "ICLR 2022 Poster", GH + "poetry-proj"),
    DemoPaper("iclr2022", 27, "MXNet Lives", "ICLR 2022 Poster", GH + "mxnet-repo"),
    DemoPaper("iclr2022", 28, "Chainer Memories", "ICLR 2022 Poster", GH + "chainer-repo"),
    DemoPaper("iclr2022", 29, "Submitted but Rejected", "ICLR 2022 Submitted", GH + "jax-flax"),
    DemoPaper("iclr2022", 30, "Paddle Paddle", "ICLR 2022 Poster", GH + "paddle-repo"),
    DemoPaper("iclr2022", 31, "Only R Code", "ICLR 2022 Poster", GH + "r-only"),
    # ICLR 2024 style: v2, every note listed by venueid is accepted; tier in content.venue
    DemoPaper("iclr2024", 41, "Lightning Fast", "ICLR 2024 oral", None,
              abstract="Our code is at https://github.com/toolcensus-demo/pt-lightning).",
              keywords=("deep learning",), primary_area="optimization"),
    DemoPaper("iclr2024", 42, "Transformers Everywhere", "ICLR 2024 poster", None,
              abstract="See [code](https://github.com/toolcensus-demo/hf-transformers).",
              primary_area="natural language processing"),
    DemoPaper("iclr2024", 43, "Reinforcement in the Gym", "ICLR 2024 spotlight", None,
              abstract="https://github.com/toolcensus-demo/rl-gym",
              primary_area="reinforcement learning"),
    DemoPaper("iclr2024", 44, "Graphs Galore", "ICLR 2024 poster", None,
              abstract="http://www.github.com/toolcensus-demo/graph-dgl/",
              primary_area="learning on graphs"),
    DemoPaper("iclr2024", 45, "tf.keras Revisited", "ICLR 2024 poster", None,
              abstract="Code: github.com/toolcensus-demo/tf-keras", primary_area="applications"),
    DemoPaper("iclr2024", 46, "Encodings Matter", "ICLR 2024 poster", None,
              abstract="https://github.com/toolcensus-demo/gbk-encoded",
              primary_area="datasets and benchmarks"),
    DemoPaper("iclr2024", 47, "Source Layouts", "ICLR 2024 poster", None,
              abstract="https://github.com/toolcensus-demo/src-layout"),
    DemoPaper("iclr2024", 48, "Pipfiles", "ICLR 2024 poster", None,
              abstract="https://github.com/toolcensus-demo/pipfile-repo"),
    DemoPaper("iclr2024", 49, "TensorFlow Two Again", "ICLR 2024 poster", None,
              abstract="https://github.com/toolcensus-demo/pt-classifier and baseline "
                       "https://github.com/someone-else/baseline-repo"),
)
