"""The one configuration file of the main job."""

from __future__ import annotations

from pathlib import Path

import pytest
import xarray as xr

from riskmodel.errors import ConfigError, EvidenceError
from riskmodel.hazard.assess import assess
from riskmodel.settings import Settings, load_settings
from riskmodel.simulation.config import SimulationConfig
from riskmodel.simulation.run import simulate, summary_table

REPO = Path(__file__).resolve().parents[1]

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
        ("[hazard]\ncrossing_samples = 5\n", "hazard.crossing_samples"),
        ("[hazard]\nlink = 'logistic'\n", "hazard.link"),
        ("[report]\nsensitivity_assumptions = ['noise']\n", "report.sensitivity_assumptions"),
        ("[files]\nprior_file = 'x.toml'\n", "files.prior_file"),
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


def _copy_with(tmp_path: Path, shipped: str, old: str, new: str) -> str:
    """A copy of a shipped data file with one text change (the change must apply)."""
    text = (REPO / shipped).read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / Path(shipped).name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return str(path)


def test_files_table_redirects_every_input(tmp_path: Path) -> None:
    enhancement = _copy_with(
        tmp_path, "data/elicitation/enhancement_priors.toml", "q50 = 0.6", "q50 = 0.9"
    )
    world = _copy_with(
        tmp_path,
        "data/world_assumptions.toml",
        "[derivatives.per_open_base]\nvalue = 2.0",
        "[derivatives.per_open_base]\nvalue = 0.5",
    )
    settings = load_settings(
        {"files": {"enhancement_priors": enhancement, "world_assumptions": world}}
    )
    inputs = settings.files.load_hazard_inputs()
    shipped = Settings().files.load_hazard_inputs()
    assert inputs.files["enhancement_priors"] == enhancement
    assert inputs.enhancement_priors != shipped.enhancement_priors
    assert inputs.uplift_priors == shipped.uplift_priors
    assert settings.files.load_world_assumptions().derivatives_per_open_base == 0.5


def test_missing_or_bad_input_file_is_named(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.toml")
    with pytest.raises(ConfigError, match="nowhere.toml"):
        load_settings({"files": {"risk_chain_priors": missing}}).files.load_hazard_inputs()
    bad = _copy_with(tmp_path, "data/uplift_studies.csv", "1.0,0.667,1.5", "1.0,low,1.5")
    with pytest.raises(EvidenceError, match="uplift_studies.csv"):
        load_settings({"files": {"uplift_studies": bad}}).files.load_hazard_inputs()


def test_changed_enhancement_prior_moves_the_hazard_probability(
    small_fit: xr.DataTree, tmp_path: Path
) -> None:
    """A stronger elicited enhancement prior, given only through the settings' [files]
    table, raises P(hazard) for the same model (common random numbers)."""
    fit = small_fit
    stronger = _copy_with(
        tmp_path, "data/elicitation/enhancement_priors.toml", "q50 = 0.6", "q50 = 1.2"
    )
    base = Settings().files.load_hazard_inputs()
    changed = load_settings({"files": {"enhancement_priors": stronger}}).files.load_hazard_inputs()
    common = {"flop": 1e26, "date": "2026-06-01", "bars": "current", "seed": 3}
    p_base = assess(fit, link_params="prior", inputs=base, **common)[0]["probability"]
    p_changed = assess(fit, link_params="prior", inputs=changed, **common)[0]["probability"]
    assert p_changed > p_base


@pytest.mark.slow
def test_simulation_uses_the_chosen_uplift_link(small_fit: xr.DataTree) -> None:
    fit = small_fit
    config = SimulationConfig(first_year=2026, last_year=2028, draws=60, chunk_draws=30)
    runs = {
        link: simulate(
            fit, variants=["commentary_raised_bar"], config=config, link=link, link_params="prior"
        )
        for link in ("amdahl", "direct")
    }
    assert runs["direct"].attrs["uplift_link"] == "direct"
    assert runs["amdahl"].attrs["uplift_link"] == "amdahl"
    thresholds = {k: v.attrs["assessment_thresholds_dex"] for k, v in runs.items()}
    assert thresholds["amdahl"] != thresholds["direct"]
    # the worlds (counts of runs) are the same; only the science differs
    a, d = (summary_table(runs[k]).set_index("outcome") for k in ("amdahl", "direct"))
    assert a.loc["runs_covered", "mean"] == d.loc["runs_covered", "mean"]
