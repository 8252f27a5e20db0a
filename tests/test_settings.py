"""The one configuration file of the main job."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskmodel.errors import ConfigError
from riskmodel.settings import Settings, load_settings

DOCUMENTED = Path(__file__).resolve().parents[1] / "riskmodel.toml"


def test_documented_file_holds_the_defaults() -> None:
    assert load_settings(DOCUMENTED) == Settings()


def test_overrides_reach_every_section() -> None:
    settings = load_settings(
        {
            "sampler": {"draws": 200},
            "hazard": {"date": "2027-01-01", "bars": ["raised"]},
            "simulation": {"draws": 50, "evaluation_noise_sd": 0.5},
            "report": {"variants": ["enrolled"]},
        }
    )
    assert settings.fit.sampler.draws == 200
    assert settings.hazard.date == "2027-01-01" and settings.hazard.bars == ("raised",)
    assert settings.simulation.draws == 50 and settings.simulation.evaluation_noise_sd == 0.5
    assert settings.report.variants == ("enrolled",)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[hazard]\ndate = '2026-02-30'\n", "hazard.date"),
        ("[hazard]\ntable_flops = [-1.0]\n", "hazard.table_flops"),
        ("[simulation]\ndraws = 0\n", "simulation.draws"),
        ("[simulation]\nfirst_year = 2030\nlast_year = 2025\n", "simulation"),
        ("[simulation]\ndrawz = 10\n", "simulation.drawz"),
        ("[reprot]\nvariants = 'all'\n", "reprot"),
        ("[sampler]\nchains = 0\n", "sampler.chains"),
        ("[hazard]\nlink_params = 'posterior'\n", "hazard.link_params"),
    ],
)
def test_bad_settings_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(path) in str(info.value) and key in str(info.value)


def test_unreadable_settings(tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"must end in \.toml or \.json"):
        load_settings(path)
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe[hazard]\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(bad)
