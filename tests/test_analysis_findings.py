"""Key-finding sentences: computed from the tables, honest about ties and small n."""

from __future__ import annotations

import analysis_data as data
import pandas as pd
import pytest

from analysis import findings
from analysis.api import compute_tables
from analysis.load import load_census


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    url = str(tmp_path_factory.mktemp("crawl"))
    data.write_dataset(url)
    return compute_tables(load_census(url))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    url = str(tmp_path_factory.mktemp("crawl"))
    data.write_dataset(url)
    return compute_tables(load_census(url, venues=["ICLR"], years=[2019]))


def test_seed_sentence_uses_the_definitions_without_the_offset(
        tables: dict[str, pd.DataFrame]) -> None:
    [sentence] = findings.seed_sentence(tables["seed_comparison"])
    # published 154/249; without the +12 offset 154/237; ours and the seed's 13/19 (no offset)
    assert "reported PyTorch/(PyTorch+TensorFlow) = 61.8% (154 of 249 uses" in sentence
    assert "+12 offset, 65.0% without it" in sentence
    assert "its definitions give 68.4% (13 of 19 uses, 95% CI 46.0%–84.6%)" in sentence
    assert "ours 68.4% (13 of 19" in sentence
    assert "the published figure lies inside our 95% interval" in sentence


def test_findings_about_few_repositories_say_so(small: dict[str, pd.DataFrame]) -> None:
    sentences = findings.findings(small)
    text = " ".join(sentences)
    # ICLR 2019 has 12 analysed repositories, 9 PyTorch or TensorFlow uses
    assert "Pooled over 1 venue-year(s) and 12 analysed repositories" in text
    assert not any(s.startswith("At ICLR") for s in sentences)  # no trend from one year
    assert "2020 study" not in text  # the published figure is for ICLR 2020 only


def test_failure_reasons_are_listed_and_ties_not_called_most_common() -> None:
    funnel = pd.DataFrame({"venue": "V", "year": 2020,
                           "stage": ["accepted", "with_code_link", "analysed",
                                     "failed:not_found", "failed:no_python", "failed:too_large"],
                           "count": [10, 8, 5, 1, 1, 1]})
    tie = findings.coverage(funnel)[1]
    assert tie == "3 primary links were not analysed (no_python 1, not_found 1, too_large 1)."
    funnel.loc[3, "count"] = 2
    assert findings.coverage(funnel)[1].endswith("the most common reason was not_found.")


def test_small_venue_years_are_named(tables: dict[str, pd.DataFrame]) -> None:
    sentences = findings.latest_frameworks(tables["framework_share"])
    assert sentences[-1].endswith("TMLR 2021 (n=2).")
    assert any(s.startswith("In ICLR 2021 (35 analysed repositories), PyTorch by") for s in
               sentences)


def test_top_tools_give_counts_ties_and_interval_width(tables: dict[str, pd.DataFrame]) -> None:
    [sentence] = findings.top_tools(tables["tool_totals"], k=2)
    totals = tables["tool_totals"]
    n, first = int(totals["analysed"].iloc[0]), totals.iloc[0]
    assert f"most used tools of {n} analysed repositories were {first['tool']} " \
           f"({int(first['repos'])}, " in sentence
    widest = (totals["ci_high"] - totals["ci_low"]).head(2).max()
    assert f"intervals are up to {100 * widest:.0f} percentage points wide" in sentence
