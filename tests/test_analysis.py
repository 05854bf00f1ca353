"""Analysis tables on the generated crawl: exact counts, shares and intervals."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import analysis_data as data
import pandas as pd
import pytest

from analysis import funnel_table, metrics
from analysis.breakdowns import by_tier, institution, paper_domains
from analysis.load import Census, load_census
from analysis.seed import seed_comparison
from analysis.stats import wilson


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = str(tmp_path_factory.mktemp("crawl"))
    data.write_dataset(url)
    return url


@pytest.fixture(scope="module")
def census(crawl: str) -> Census:
    return load_census(crawl)


def _one(df: pd.DataFrame, **where: object) -> pd.Series:
    mask = pd.Series(True, index=df.index)
    for col, value in where.items():
        mask &= df[col] == value
    assert mask.sum() == 1, where
    return df[mask].iloc[0]


def test_wilson_matches_the_closed_form() -> None:
    low, high = wilson([13, 0, 12], [23, 12, 12])
    # 13/23 by hand: centre 0.55587, half-width 0.18777
    assert low[0] == pytest.approx(0.368114, abs=1e-6)
    assert high[0] == pytest.approx(0.743654, abs=1e-6)
    # k = 0: [0, z²/(n+z²)]; k = n: [n/(n+z²), 1]
    z2 = 1.959963984540054**2
    assert (low[1], high[1]) == (0.0, pytest.approx(z2 / (12 + z2)))
    assert (low[2], high[2]) == (pytest.approx(12 / (12 + z2)), 1.0)
    assert all(math.isnan(v) for v in wilson(0, 0))


def test_funnel_counts_every_stage_and_failure(census: Census) -> None:
    f = metrics.funnel(census)
    got = dict(f[(f["venue"] == "ICLR") & (f["year"] == 2020)][["stage", "count"]].values)
    assert got == {"accepted": 40, "with_code_link": 30, "supported_host": 28,
                   "downloaded": 24, "analysed": 23, "failed:no_python": 1,
                   "failed:not_found": 3, "failed:rate_limited": 1, "failed:unsupported_host": 2}
    assert list(f.columns) == ["venue", "year", "stage", "count"]
    assert f.groupby("stage")["count"].sum()["accepted"] == 203


def test_funnel_table_reads_without_tools_and_is_empty_without_data(crawl: str,
                                                                    tmp_path: Path) -> None:
    assert funnel_table(crawl).equals(metrics.funnel(load_census(crawl)))
    empty = funnel_table(str(tmp_path / "nothing"))
    assert empty.empty and list(empty.columns) == ["venue", "year", "stage", "count"]


def test_tool_usage_counts_primary_analysed_repos_only(census: Census) -> None:
    usage = metrics.tool_usage(census)
    iclr = usage[(usage["venue"] == "ICLR") & (usage["year"] == 2020)].set_index("tool")
    assert iclr["repos"].to_dict() == {
        "numpy": 23, "torch": 13, "matplotlib": 12, "scikit-learn": 8, "tensorflow": 6,
        "torchvision": 6, "tqdm": 6, "keras": 4, "scipy": 2, "jax": 1, "jaxlib": 1,
        "torchfile": 1}  # jax is 1: the analysed secondary link is left out
    assert set(iclr["analysed"]) == {23}
    row = iclr.loc["torch"]
    assert row["share"] == pytest.approx(13 / 23)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.368114, 0.743654), abs=1e-6)
    assert census.secondary_ok == 1


def test_unique_tools(census: Census) -> None:
    u = _one(metrics.unique_tools(census), venue="ICLR", year=2020)
    assert (u["analysed"], u["unique_tools"], u["tool_rows"]) == (23, 12, 83)
    assert u["single_repo_tools"] == 3 and u["repos_without_tools"] == 0


def test_framework_share_with_intervals_and_none(census: Census) -> None:
    fw = metrics.framework_share(census)
    sub = fw[(fw["venue"] == "ICLR") & (fw["year"] == 2020)].set_index("framework")
    assert sub["repos"].to_dict() == {"pytorch": 13, "tensorflow": 6, "keras": 4, "jax": 1,
                                      "mxnet": 0, "chainer": 0, "theano": 0,
                                      "paddlepaddle": 0, "none": 2}
    assert set(sub["analysed"]) == {23}
    low, high = wilson(2, 23)
    assert sub.loc["none", "share"] == pytest.approx(2 / 23)
    assert (sub.loc["none", "ci_low"], sub.loc["none", "ci_high"]) == (low, high)
    assert sub.loc["mxnet", "ci_low"] == 0.0


def test_exclusive_classes_sum_to_analysed(census: Census) -> None:
    cls = metrics.framework_classes(census)
    sub = cls[(cls["venue"] == "ICLR") & (cls["year"] == 2020)].set_index("framework_class")
    assert sub["repos"].to_dict() == {"pytorch+tensorflow": 1, "pytorch": 12, "tensorflow": 5,
                                      "keras": 2, "jax": 1, "other": 0, "none": 2}
    assert cls.groupby(["venue", "year"])["share"].sum().round(12).eq(1).all()


def test_pytorch_share_both_definitions(census: Census) -> None:
    row = _one(metrics.pytorch_share(census), venue="ICLR", year=2020)
    assert (row["pytorch"], row["tensorflow"], row["both"]) == (13, 6, 1)
    assert row["share"] == pytest.approx(13 / 19)
    assert row["share_exclusive"] == pytest.approx(12 / 17)
    assert (row["ci_low"], row["ci_high"]) == tuple(float(x) for x in wilson(13, 19))


def test_seed_study_side_by_side(census: Census) -> None:
    s = seed_comparison(census, metrics.funnel(census))
    sub = s[(s["venue"] == "ICLR") & (s["year"] == 2020)].set_index("metric")
    seed = sub["seed_definition"].to_dict()
    ours = sub["ours"].to_dict()
    # GitHub only (1 GitLab repo, 2 unsupported hosts out); "torch" substring catches torchfile
    # but misses the GitLab PyTorch repo. The study's +12 TensorFlow offset is NOT added.
    assert (seed["repos_counted"], seed["analysed"], seed["pytorch"]) == (27, 22, 13)
    assert (seed["tensorflow"], seed["keras"]) == (6, 4)
    assert "tensorflow_no_offset" not in sub.index
    assert (ours["repos_counted"], ours["analysed"], ours["pytorch"], ours["tensorflow"]) == (
        28, 23, 13, 6)
    assert seed["top_tools"].split(", ")[3] == "scikit_learn"
    assert ours["top_tools"].split(", ")[3] == "scikit-learn"
    share = sub.loc["pytorch_share_of_pt_tf"]
    assert share["published"] == pytest.approx(0.618, abs=5e-4)
    assert share["seed_definition"] == pytest.approx(13 / 19)  # no offset: 13 / (13 + 6)
    assert share["ours"] == pytest.approx(13 / 19)
    low, high = wilson(13, 19)
    assert (share["seed_ci_low"], share["seed_ci_high"]) == (pytest.approx(low),
                                                              pytest.approx(high))
    assert "+12 offset" in sub.loc["tensorflow", "note"]
    assert sub.loc["tensorflow", "published"] == 95
    assert sub.loc["analysed", "published"] == 237
    assert list(sub.index[:8]) == ["accepted", "with_code_link", "repos_counted", "analysed",
                                   "pytorch", "tensorflow", "keras", "pytorch_share_of_pt_tf"]
    assert set(s[s["venue"] == "NeurIPS"]["published"]) == {""}


def test_co_usage_counts_pairs(census: Census) -> None:
    co = metrics.co_usage(census, ["numpy", "torch", "tensorflow"]).set_index(["tool_a", "tool_b"])
    assert co.loc[("torch", "tensorflow"), "both"] == 3  # the "both" repos of 3 venue-years
    assert co.loc[("numpy", "numpy"), "both"] == 125
    assert co.loc[("tensorflow", "torch"), "p_b_given_a"] == pytest.approx(3 / 22)


def test_tier_breakdown_matches_a_plain_count(census: Census) -> None:
    papers, repos, _ = data.rows()
    ok = {r["paper_id"] for r in repos if r["status"] == "ok" and r["primary"]}
    want = Counter((p["tier"], p["paper_id"] in ok) for p in papers
                   if (p["venue"], p["year"]) == ("ICLR", 2020))
    t = by_tier(census)
    for tier in ("oral", "spotlight", "poster"):
        row = _one(t, venue="ICLR", year=2020, tier=tier)
        assert row["accepted"] == want[(tier, True)] + want[(tier, False)]
        assert row["analysed"] == want[(tier, True)]


def test_domains_follow_config_order_and_primary_area(census: Census) -> None:
    labels = paper_domains(census).set_axis(census.papers["paper_id"])
    assert labels["iclr2020-000"] == "computer vision"  # "deep learning" is broader, later
    assert labels["iclr2020-003"] == "graphs & geometry"  # before "neural network"
    assert labels["iclr2020-002"] == "language"
    assert labels["iclr2020-005"] == "unknown"  # no keywords, no area
    assert labels["iclr2021-014"] == "reinforcement learning"  # primary area wins (kw: cv)


@pytest.mark.parametrize(("domain", "want"), [("cs.stanford.edu", "stanford.edu"),
                                              ("eng.cam.ac.uk", "cam.ac.uk"),
                                              ("Research.Google.com", "google.com"),
                                              ("qq.com", "(personal e-mail)")])
def test_institution_keys(domain: str, want: str) -> None:
    assert institution(domain) == want


def test_filters_by_venue_and_year(crawl: str) -> None:
    c = load_census(crawl, venues=["iclr"], years=[2020, 2021])
    assert set(map(tuple, c.papers[["venue", "year"]].drop_duplicates().values)) == {
        ("ICLR", 2020), ("ICLR", 2021)}
    assert {(p.venue, p.year) for p in c.tool_parts} == {("ICLR", 2020), ("ICLR", 2021)}
