"""riskmodel._io: the data folder honoured everywhere, the one file reader and the one
pydantic-error formatter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from riskmodel._io import read_data_file, validation_problems
from riskmodel.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow  # a fresh interpreter importing the package: seconds
def test_every_default_input_follows_the_data_folder(tmp_path: Path) -> None:
    """With RISKMODEL_DATA_DIR set, every shipped input's default path lies inside it."""
    code = (
        "import json\n"
        "from riskmodel._io import data_dir\n"
        "from riskmodel.evidence.loaders import DATA_DIR\n"
        "from riskmodel.hazard.bars import DEFAULT_BARS_PATH, DEFAULT_RISK_CHAIN_PATH\n"
        "from riskmodel.hazard.enhancement import DEFAULT_ENHANCEMENT_PATH\n"
        "from riskmodel.hazard.previous import default_previous_path\n"
        "from riskmodel.uplift.elicitation import DEFAULT_ELICITATION_PATH\n"
        "from riskmodel.uplift.studies import DEFAULT_STUDIES_PATH\n"
        "from riskmodel.world.assumptions import DEFAULT_ASSUMPTIONS_PATH\n"
        "from riskmodel.world.fit import DEFAULT_MODELS_PATH\n"
        "paths = [data_dir(), DATA_DIR, DEFAULT_BARS_PATH, DEFAULT_RISK_CHAIN_PATH,\n"
        "         DEFAULT_ENHANCEMENT_PATH, default_previous_path(), DEFAULT_ELICITATION_PATH,\n"
        "         DEFAULT_STUDIES_PATH, DEFAULT_ASSUMPTIONS_PATH, DEFAULT_MODELS_PATH]\n"
        "print(json.dumps([str(p) for p in paths]))\n"
    )
    env = {"RISKMODEL_DATA_DIR": str(tmp_path), "PATH": "", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    paths = json.loads(done.stdout)
    assert all(Path(p).is_relative_to(tmp_path) for p in paths), paths


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("a.toml", "x = [1,\n", "does not parse"),
        ("a.json", '{"x": 1, "x": 2}', "appears twice"),
        ("a.json", "[1, 2]", "table/object at top level"),
        ("a.yaml", "x: 1", "must end in .toml or .json"),
    ],
)
def test_read_data_file_refuses_with_the_file_named(
    tmp_path: Path, name: str, text: str, fragment: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=fragment) as info:
        read_data_file(path, "config", suffixes=(".toml", ".json"))
    assert str(path) in str(info.value)
    latin1 = tmp_path / "b.toml"
    latin1.write_bytes('x = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match=r"not UTF-8 \(byte 0xe9.*line 1\)"):
        read_data_file(latin1, "bars")


def test_validation_problems_in_plain_words() -> None:
    class Table(BaseModel):
        model_config = ConfigDict(extra="forbid")
        threshold: float
        name: str

    with pytest.raises(ValidationError) as info:
        Table.model_validate({"treshold": 2.0, "name": "x"})
    assert validation_problems(info.value, prefix="bars.mine") == [
        "'bars.mine.treshold': unknown key",
        "'bars.mine.threshold': missing key",
    ]
    assert validation_problems(info.value, limit=1) == ["'treshold': unknown key"]
