"""Configuration: defaults, overrides, validation errors, hashing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskmodel.config import config_hash, default_config, load_config
from riskmodel.errors import ConfigError


def test_defaults_document_every_prior() -> None:
    priors = default_config().capability.priors
    for name, prior in priors:
        assert prior.units, name
        assert prior.source, name
        assert prior.to_scipy().std() > 0, name


def test_dict_override_merges_deeply() -> None:
    cfg = load_config({"capability": {"priors": {"algorithmic_progress": {"median": 0.3}}}})
    assert cfg.capability.priors.algorithmic_progress.median == 0.3
    # untouched siblings keep their defaults
    assert cfg.capability.priors.algorithmic_progress.sigma_log == 0.25
    assert cfg.capability.reference_log10_flop == 23.0


def test_toml_and_json_files(tmp_path: Path) -> None:
    toml = tmp_path / "c.toml"
    toml.write_text("[sampler]\ndraws = 321\n", encoding="utf-8")
    assert load_config(toml).sampler.draws == 321
    js = tmp_path / "c.json"
    js.write_text(json.dumps({"gate": {"max_rhat": 1.05}}), encoding="utf-8")
    assert load_config(js).gate.max_rhat == 1.05


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"sampler": {"drawz": 10}}, "sampler.drawz"),
        ({"sampler": {"draws": 1}}, "sampler.draws"),
        ({"capability": {"priors": {"difficulty": {"sigma": -1.0}}}}, "difficulty"),
        ({"capability": {"priors": {"lapse": {"dist": "normal"}}}}, "normal prior needs"),
        ({"sampler": {"nuts_sampler": "blackjax"}}, "nuts_sampler"),
        (
            {"capability": {"difficulty_pivot": "midpoint", "pivot_benchmarks": ["arc_c"]}},
            "difficulty_pivot = 'data'",
        ),
    ],
)
def test_bad_overrides_name_the_key(overrides: dict, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(overrides)
    assert fragment in str(info.value)


def test_pivot_settings_a_settings_file_can_express(tmp_path: Path) -> None:
    """The default pivots MMLU alone; a settings file can ask for every benchmark
    (``"all"``: TOML has no null) or for the midpoint alone, without naming benchmarks."""
    default = load_config(None).capability
    assert (default.difficulty_pivot, default.pivot_benchmarks) == ("data", ("mmlu",))
    every = tmp_path / "every.toml"
    every.write_text('[capability]\npivot_benchmarks = "all"\n', encoding="utf-8")
    assert load_config(every).capability.pivot_benchmarks is None
    midpoint = tmp_path / "midpoint.toml"
    midpoint.write_text('[capability]\ndifficulty_pivot = "midpoint"\n', encoding="utf-8")
    assert load_config(midpoint).capability.difficulty_pivot == "midpoint"
    with pytest.raises(ConfigError, match="pivot_benchmarks"):
        load_config({"capability": {"pivot_benchmarks": "mmlu"}})


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("c.yaml", "a: 1", "must end in .toml or .json"),
        ("c.toml", "[sampler\n", "does not parse"),
        ("c.json", "[1, 2]", "top level"),
    ],
)
def test_bad_config_files(tmp_path: Path, name: str, content: str, fragment: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=fragment):
        load_config(path)


def test_non_utf8_config(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_bytes(b"[sampler]\ndraws = 1\xff\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_config_hash_tracks_config_and_evidence() -> None:
    base = default_config()
    changed = load_config({"sampler": {"seed": 1}})
    assert config_hash(base, "e1") == config_hash(default_config(), "e1")
    assert config_hash(base, "e1") != config_hash(changed, "e1")
    assert config_hash(base, "e1") != config_hash(base, "e2")
