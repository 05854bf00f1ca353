"""The venue catalogue and the short forms that resolve through it."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.discover import discover
from crawler.errors import ConfigError, VenueNotFound
from crawler.loopback.openreview_data import Recordings, v2_note
from crawler.loopback.openreview_server import OpenReviewReplay
from crawler.settings import CONFIG_DIR, Settings
from crawler.venues import format_catalogue, load_catalogue, resolve

EXPECTED = {
    "iclr2018": "v1", "iclr2019": "v1", "iclr2020": "v1", "iclr2021": "v1", "iclr2022": "v1",
    "iclr2023": "v1", "iclr2024": "v2", "iclr2025": "v2", "neurips2021": "v1",
    "neurips2022": "v1", "neurips2023": "v2", "neurips2024": "v2", "icml2023": "v2",
    "icml2024": "v2", "icml2025": "v2", "tmlr": "v2",
}


def test_catalogue_has_every_required_venue_year_with_its_api() -> None:
    cat = load_catalogue()
    assert {k: vy.api for k, vy in cat.items()} == EXPECTED
    iclr2020 = cat["iclr2020"]
    assert (iclr2020.venue, iclr2020.year, iclr2020.venue_id) == (
        "ICLR", 2020, "ICLR.cc/2020/Conference")
    assert iclr2020.snapshot_date == "2020-05-01T23:59:59Z"
    assert iclr2020.listings[0].value == "ICLR.cc/2020/Conference/-/Blind_Submission"
    assert iclr2020.listings[0].details == "directReplies"
    assert cat["iclr2019"].decision_field == "recommendation"
    assert cat["iclr2018"].decision_invitation == "ICLR.cc/2018/Conference/-/Acceptance_Decision"
    assert cat["iclr2024"].listings[0].value == "ICLR.cc/2024/Conference"
    assert cat["neurips2021"].acceptance == "venue"
    assert "link_to_code" in cat["icml2025"].code_fields
    assert len(cat["icml2025"].listings) == 2
    assert cat["tmlr"].year_from == "pdate" and cat["tmlr"].snapshot_date == ""
    assert all(vy.snapshot_date.endswith("T23:59:59Z") for k, vy in cat.items() if k != "tmlr")


@pytest.mark.parametrize(("spec", "keys"), [
    ("iclr2020", ["iclr2020"]),
    ("ICLR2020", ["iclr2020"]),
    ("iclr:2018-2020", ["iclr2018", "iclr2019", "iclr2020"]),
    ("neurips:2021", ["neurips2021"]),
    ("icml:2025", ["icml2025"]),
    ("icml", ["icml2023", "icml2024", "icml2025"]),
    ("tmlr", ["tmlr"]),
    ("tmlr:2023", ["tmlr2023"]),
    ("ICLR.cc/2020/Conference", ["iclr2020"]),
    ("NeurIPS.cc/2025/Conference", ["NeurIPS.cc/2025/Conference"]),
])
def test_resolve_forms(spec: str, keys: list[str]) -> None:
    assert [vy.key for vy in resolve([spec])] == keys


def test_resolve_keeps_order_and_drops_repeats() -> None:
    got = resolve(["iclr2020", "iclr:2019-2020", "ICLR.cc/2020/Conference"])
    assert [vy.key for vy in got] == ["iclr2020", "iclr2019"]


def test_generic_venue_id_uses_the_v2_recipe() -> None:
    (vy,) = resolve(["NeurIPS.cc/2025/Conference"])
    assert (vy.venue, vy.year, vy.api, vy.acceptance) == ("NeurIPS", 2025, "v2", "listed")
    assert vy.listings[0].value == "NeurIPS.cc/2025/Conference"


@pytest.mark.parametrize(("spec", "known"), [
    ("cvpr2020", "iclr2018, iclr2019"), ("iclr2017", "2018, 2019"), ("iclr:2017-2019", "2018"),
    ("tmlr:1999", "2022-2026"), ("x y", "neurips2021"),
])
def test_unknown_venues_say_what_is_known(spec: str, known: str) -> None:
    with pytest.raises(VenueNotFound) as info:
        resolve([spec])
    assert known in str(info.value) and "venues.yaml" in str(info.value)
    assert isinstance(info.value, ConfigError)


def test_format_catalogue_lists_every_entry() -> None:
    text = format_catalogue()
    for key in EXPECTED:
        assert key in text
    assert "2020-04-26..2020-05-01" in text


def test_a_new_year_is_a_yaml_edit(tmp_path: Path) -> None:
    text = (CONFIG_DIR / "venues.yaml").read_text()
    anchor = "        dates: [2025-04-24, 2025-04-28]\n"
    assert anchor in text
    text = text.replace(anchor, anchor + "      2026: {dates: [2026-04-23, 2026-04-27]}\n", 1)
    path = tmp_path / "venues.yaml"
    path.write_text(text)
    cat = load_catalogue(str(path))
    vy = cat["iclr2026"]
    assert (vy.api, vy.venue_id, vy.snapshot_date) == (
        "v2", "ICLR.cc/2026/Conference", "2026-04-27T23:59:59Z")
    org = "ICLR.cc/2026/Conference"
    notes = [v2_note(domain=org, number=n, content={"title": f"p{n}", "venue": v})
             for n, v in enumerate(["ICLR 2026 Oral", "ICLR 2026 Poster"], 1)]
    with OpenReviewReplay(Recordings(v2=notes)) as srv:
        settings = Settings(out=str(tmp_path / "o"), openreview_baseurl_v2=srv.url_v2,
                            openreview_pace=0)
        papers = discover(resolve(["iclr2026"], cat), settings)
    assert [(p.year, p.tier, p.snapshot_date) for p in papers] == [
        (2026, "oral", "2026-04-27T23:59:59Z"), (2026, "poster", "2026-04-27T23:59:59Z")]


@pytest.mark.parametrize(("edit", "message"), [
    ("acceptance: reply", "decision_invitation"),
    ("api: v3", "api must be v1 or v2"),
    ("colour: blue", "unknown field"),
    ("accept: '('", "bad regular expression"),
])
def test_bad_entries_are_config_errors(tmp_path: Path, edit: str, message: str) -> None:
    path = tmp_path / "v.yaml"
    path.write_text("venues:\n  X:\n    short: x\n    years:\n      2020:\n"
                    "        api: v2\n        venue_id: X/2020\n"
                    "        listings: [{venueid: X/2020}]\n        acceptance: listed\n"
                    f"        {edit}\n")
    with pytest.raises(ConfigError, match=message):
        load_catalogue(str(path))
