"""Property-based tests of every loader of user files: any input either loads into valid
objects or raises the project's own error type (:class:`riskmodel.errors.RiskmodelError`),
never another exception.

Inputs start from the shipped files (evidence tables, a researcher evidence file, the
uplift studies, the hazard bars, a policy variant, ``riskmodel.toml``, the uplift priors)
and are mutated: cells replaced by awkward values (formulas, NaN, huge numbers, dates,
control characters, random unicode), columns dropped, duplicated or renamed, rows
duplicated or deleted, TOML values replaced by values of other types (huge integers,
NaN, dates, nested tables), keys deleted or added, and the bytes themselves cut, spliced
or replaced. Hypothesis runs derandomized (fixed examples, no database) so CI is
reproducible: :data:`QUICK_EXAMPLES` examples per loader in the fast tier,
:data:`THOROUGH_EXAMPLES` in the slow tier.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskmodel.config import FitConfig, config_hash, load_config
from riskmodel.errors import RiskmodelError
from riskmodel.evidence import Evidence
from riskmodel.evidence.loaders import load_evidence_csv, load_shipped_evidence
from riskmodel.evidence.schema import SHIPPED_TABLES
from riskmodel.hazard.bars import load_hazard_bars
from riskmodel.policy.variants import VARIANTS_DIR, PolicyVariant, load_variant, variant_hash
from riskmodel.settings import Settings, load_settings
from riskmodel.uplift.elicitation import DEFAULT_ELICITATION_PATH, load_uplift_priors
from riskmodel.uplift.studies import DEFAULT_STUDIES_PATH, load_uplift_studies

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
#: Examples per loader: a quick pass in the fast tier, the thorough one in the slow tier
#: (both run in CI; each example of an evidence table reloads the whole evidence).
QUICK_EXAMPLES, THOROUGH_EXAMPLES = 12, 100


@pytest.fixture(
    params=[
        pytest.param(QUICK_EXAMPLES, id="quick"),
        pytest.param(THOROUGH_EXAMPLES, id="thorough", marks=pytest.mark.slow),
    ]
)
def fuzz(request: pytest.FixtureRequest) -> settings:
    """Hypothesis settings: derandomized (fixed examples, no database), no deadline."""
    return settings(
        max_examples=request.param,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --------------------------------------------------------------------------- strategies
AWKWARD_CELLS = [
    "",
    " ",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e400",
    "-1",
    "0",
    "1",
    "0.5",
    "1.5",
    "100",
    "1e15",
    "3.8e10",
    "3.8e25",
    "1e30",
    "1e31",
    "1e-400",
    "9" * 30,
    "1_000",
    "0x10",
    "١٢٣",
    "true",
    "false",
    "TRUE",
    "yes",
    "2024-05-13",
    "2024-02-30",
    "2999-01-01",
    "1949-12-31",
    "13/05/2024",
    "=1+1",
    '=HYPERLINK("http://x")',
    "+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "-2+3",
    "cybench",
    "mmlu",
    "arc_c",
    "lab-x/model-a",
    "likely",
    "unknown",
    "cyber",
    "software",
    "a\x00b",
    "line\nbreak",
    'quote"inside',
    "\ufeffbom",
    # format 2 values
    "percent",
    "fraction",
    "high",
    "16k",
    "High",
    "extended thinking",
    "lab_agent",
    "researcher",
    "metr_agent",
    "agent",
    "chat",
    "base_few_shot",
    "1.0",
    "1.1",
    "metr_file",
    "epoch_hub",
    "notable;large_scale",
    "likely_above",
    "released before o1-preview (2024-09-12)",
    "2026-01-30",
]
cell_values = st.one_of(
    st.sampled_from(AWKWARD_CELLS),
    st.text(max_size=12),
    st.floats().map(repr),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
)


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _similar_number(text: str) -> st.SearchStrategy[str]:
    """Plausible numbers near ``text`` (scaled, shifted, rounded), as text."""
    value = float(text)
    return st.one_of(
        st.floats(min_value=0, max_value=2 * abs(value) + 1).map(lambda v: f"{v:.6g}"),
        st.sampled_from([0.5, 0.9, 1.1, 2.0, 10.0, 1e-3]).map(lambda f: f"{value * f:.6g}"),
        st.integers(0, max(int(abs(value)) * 2, 2)).map(str),
    )


@st.composite
def mutated_csv(draw: st.DrawFn, base: str) -> bytes:
    """``base`` (a CSV text) with 1-2 table edits and maybe a byte-level edit.

    Half the cell edits are plausible (a value from the same column or a number near the
    original) so that many mutated files still load and their validity is checked.
    """
    rows = [list(r) for r in _rows(base)]
    for _ in range(draw(st.integers(1, 2))):
        n_rows, n_cols = len(rows), max(len(r) for r in rows)
        op = draw(
            st.sampled_from(
                ["similar"] * 5
                + ["cell"] * 3
                + ["drop_col", "dup_col", "rename", "dup_row"]
                + ["del_row"]
            )
        )
        i = draw(st.integers(1, n_rows - 1)) if n_rows > 1 else 0
        j = draw(st.integers(0, n_cols - 1))
        if op == "similar" and j < len(rows[i]):
            column = [r[j] for r in rows[1:] if j < len(r)]
            old = rows[i][j]
            try:
                float(old)
                options = st.one_of(st.sampled_from(column), _similar_number(old))
            except ValueError:
                options = st.sampled_from(column)
            rows[i][j] = draw(options)
        elif op == "cell" and j < len(rows[i]):
            rows[i][j] = draw(cell_values)
        elif op == "drop_col":
            rows = [r[:j] + r[j + 1 :] for r in rows]
        elif op == "dup_col":
            rows = [r[: j + 1] + r[j : j + 1] + r[j + 1 :] for r in rows]
        elif op == "rename" and j < len(rows[0]):
            rows[0][j] = draw(st.sampled_from([*rows[0], "", "Model", "extra", "flops"]))
        elif op == "dup_row":
            rows.insert(i, list(rows[i]))
        elif op == "del_row" and n_rows > 2:
            del rows[i]
    data = _csv(rows).encode("utf-8")
    return draw(_byte_edit(data))


@st.composite
def _byte_edit(draw: st.DrawFn, data: bytes) -> bytes:
    op = draw(st.sampled_from(["none"] * 12 + ["cut", "splice", "random", "latin1"]))
    if op == "cut":
        return data[: draw(st.integers(0, len(data)))]
    if op == "splice":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(max_size=8)) + data[at:]
    if op == "random":
        return draw(st.binary(max_size=200))
    if op == "latin1":
        return data.decode("utf-8").replace("e", "\u00e9", 1).encode("cp1252", "replace")
    return data


toml_scalars = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=-3, max_value=3),
    st.floats(),
    st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 1e26, 1e400, -1.0]),
    st.booleans(),
    st.dates(),
    st.sampled_from(["unbounded", "raised", "current", "amdahl", "nutpie", "all", ""]),
)
toml_values = st.one_of(
    toml_scalars,
    st.lists(toml_scalars, max_size=3),
    st.dictionaries(st.sampled_from(["a", "flop_fraction", "q05"]), toml_scalars, max_size=2),
)


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path of a nested dict (tables and leaves)."""
    out = []
    if isinstance(data, dict):
        for key, value in data.items():
            out.append((*prefix, key))
            out += _paths(value, (*prefix, key))
    return out


def _get(data: dict, path: tuple) -> Any:
    for key in path:
        data = data[key]
    return data


def _similar_value(value: Any) -> st.SearchStrategy[Any]:
    """Plausible replacements of the same type as ``value``."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers(min_value=min(0, value), max_value=2 * abs(value) + 2)
    if isinstance(value, float):
        return st.one_of(
            st.floats(min_value=0, max_value=2 * abs(value) + 1),
            st.sampled_from([0.5, 0.9, 1.1, 2.0, 10.0]).map(lambda f: value * f),
        )
    if isinstance(value, str):
        return st.sampled_from([value, value.upper(), value + "x", "", "unbounded", "raised"])
    return toml_values


@st.composite
def mutated_toml(draw: st.DrawFn, base: str) -> bytes:
    """``base`` (a TOML text) with 1-2 structural edits and maybe a text or byte edit.

    Half the value edits keep the type and stay near the original, so that many mutated
    files still load and their validity is checked.
    """
    data = tomllib.loads(base)
    for _ in range(draw(st.integers(1, 2))):
        paths = _paths(data)
        op = draw(st.sampled_from(["similar"] * 4 + ["set"] * 2 + ["delete", "add"]))
        if not paths:
            op = "add"
        if op == "add":
            tables = [()] + [p for p in paths if isinstance(_get(data, p), dict)]
            where = draw(st.sampled_from(tables))
            key = draw(st.sampled_from(["extra", "name", "path", "version", "q50", "family"]))
            _get(data, where)[key] = draw(toml_values)
            continue
        path = draw(st.sampled_from(paths))
        parent = _get(data, path[:-1])
        if op == "delete":
            del parent[path[-1]]
        elif op == "similar":
            parent[path[-1]] = draw(_similar_value(parent[path[-1]]))
        else:
            parent[path[-1]] = draw(toml_values)
    text = _dump_toml(data) if draw(st.integers(0, 3)) else _text_edit(draw, base)
    return draw(_byte_edit(text.encode("utf-8")))


def _text_edit(draw: st.DrawFn, text: str) -> str:
    lines = text.splitlines()
    i = draw(st.integers(0, max(len(lines) - 1, 0)))
    op = draw(st.sampled_from(["delete", "duplicate", "insert"]))
    if op == "delete" and lines:
        del lines[i]
    elif op == "duplicate" and lines:
        lines.insert(i, lines[i])
    else:
        lines.insert(i, draw(st.text(max_size=30)))
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{" + items + "}"
    return json.dumps(str(value), ensure_ascii=False)


def _dump_toml(data: dict, prefix: tuple = ()) -> str:
    """A minimal TOML writer (scalars and inline values first, then sub-tables)."""
    lines = []
    tables = []
    for key, value in data.items():
        if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
            tables.append((key, value))
        else:
            lines.append(f"{json.dumps(key, ensure_ascii=False)} = {_toml_value(value)}")
    text = ""
    if prefix:
        text += "[" + ".".join(json.dumps(k, ensure_ascii=False) for k in prefix) + "]\n"
    text += "\n".join(lines) + ("\n" if lines else "")
    for key, value in tables:
        text += "\n" + _dump_toml(value, (*prefix, key))
    return text


# --------------------------------------------------------------------------- fixtures
def _small_tables(out: Path) -> Path:
    """A small, consistent copy of the shipped tables (fast to load and to mutate)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("benchmarks.csv", "harnesses.csv"):
        (out / name).write_bytes((DATA / name).read_bytes())
    results = _rows((DATA / "benchmark_results.csv").read_text(encoding="utf-8"))
    runs = _rows((DATA / "task_runs.csv").read_text(encoding="utf-8"))
    horizons = _rows((DATA / "time_horizons.csv").read_text(encoding="utf-8"))
    effort = results[0].index("effort")
    keep_results = [results[0]] + [r for r in results[1:] if r[1] == "cybench"][:8]
    keep_results += [r for r in results[1:] if r[1] == "arc_c"][:8]
    keep_results += [r for r in results[1:] if r[effort]][:6]  # non-default efforts
    keep_runs = [runs[0]] + [r for r in runs[1:] if r[1] == "cybench"][:12]
    keep_horizons = [horizons[0]] + horizons[1:7]
    used = {r[0] for r in keep_results[1:] + keep_runs[1:] + keep_horizons[1:]}
    models = _rows((DATA / "models.csv").read_text(encoding="utf-8"))
    keep_models = [models[0]] + [r for r in models[1:] if r[0] in used]
    (out / "benchmark_results.csv").write_text(_csv(keep_results), encoding="utf-8")
    (out / "task_runs.csv").write_text(_csv(keep_runs), encoding="utf-8")
    (out / "time_horizons.csv").write_text(_csv(keep_horizons), encoding="utf-8")
    (out / "models.csv").write_text(_csv(keep_models), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def small_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _small_tables(tmp_path_factory.mktemp("fuzz") / "data")


@pytest.fixture(scope="module")
def small_base(small_data: Path) -> Evidence:
    return load_shipped_evidence(small_data)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz_files")


RESEARCHER_CSV = """\
model,release_date,organization,training_flop,flop_confidence,open_weights,frontier,reasoning_trained,reasoning_source,benchmark,n_attempted,n_solved,score,score_unit,score_se,effort,result_date,harness,source,harness_name,harness_kind,harness_description,benchmark_chance,benchmark_n_tasks
lab-x/model-a,2025-01-15,Lab X,3.8e25,likely,false,false,true,Lab X model card,arc_c,1000,800,,,,,,\
lab_harness,Lab X report,Lab X harness,chat,Zero-shot,,
lab-x/model-a,2025-01-15,,,,,,,,cybench,40,9,22.5,percent,6.6,high,2025-02-01,lab_harness,\
Lab X report,,,,,
lab-x/model-a,2025-01-15,,,,,,,,cybench,40,7,0.175,fraction,0.06,low,2025-02-01,lab_harness,\
Lab X report,,,,,
lab-x/model-b,2025-03-01,Lab X,,,,true,false,,new_eval,60,21,0.35,,,,,,Lab X report,,,,0,60
"""


# --------------------------------------------------------------------------- validity
def _check_evidence(ev: Evidence) -> None:
    assert isinstance(ev, Evidence)
    ev.content_hash()
    assert ev.vintage
    results = ev.results
    counts = results.dropna(subset=["n_attempted", "n_solved"])
    assert (counts["n_solved"] <= counts["n_attempted"]).all()
    scores = results["score"].dropna()
    assert ((scores >= 0) & (scores <= 1)).all()
    assert results["model"].isin(ev.models.index).all()
    assert results["benchmark"].isin(ev.benchmarks.index).all()
    assert ev.models.loc[ev.evidence_models(), "release_date"].notna().all()
    flop = ev.models["training_flop"].dropna().astype(float)
    assert np.isfinite(flop).all() and (flop > 0).all()
    # format 2: keys, harnesses, units, dates, reasoning sources
    key = ["model", "benchmark", "harness", "effort"]
    assert not results.duplicated(key).any() and results["effort"].notna().all()
    assert results["effort"].str.fullmatch(r"[a-z0-9_]*").all()
    assert results["harness"].isin(ev.harnesses.index).all()
    assert ev.task_runs["harness"].isin(ev.harnesses.index).all()
    se = results["score_se"].dropna()
    assert ((se >= 0) & (se <= 1)).all()
    release = ev.models["release_date"]
    for table in (results, ev.task_runs, ev.time_horizons):
        assert table["result_date"].notna().all()
        assert (table["result_date"] >= table["model"].map(release)).all()
    assert ev.time_horizons["model"].isin(ev.models.index).all()
    hz = ev.time_horizons
    assert (hz["p50_minutes"] > 0).all()
    assert not (hz["p80_minutes"] > hz["p50_minutes"]).any()
    flagged = ev.models["reasoning_trained"].eq(True).fillna(False).astype(bool)
    assert ev.models.loc[flagged, "reasoning_source"].notna().all()
    assert ev.known_by("2000-01-01").results.empty
    assert len(ev.known_by("2200-01-01").results) == len(results)
    assert Evidence.from_tables(ev.to_tables()).content_hash() == ev.content_hash()


def _load_or_refuse(load: Any, path: Path, data: bytes) -> Any:
    """``load(path)`` on ``data``: the result, or None if refused with a RiskmodelError."""
    path.write_bytes(data)
    try:
        return load(path)
    except RiskmodelError as exc:
        assert str(exc)  # a message, not an empty error
        return None


# --------------------------------------------------------------------------- tests
def test_small_tables_load(small_base: Evidence) -> None:
    _check_evidence(small_base)
    assert len(small_base.results) > 0 and len(small_base.task_runs) > 0


SHIPPED_FILES = [spec.filename for spec in SHIPPED_TABLES]


@pytest.mark.parametrize("table", SHIPPED_FILES)
def test_shipped_table_loader(small_data: Path, scratch: Path, table: str, fuzz: settings) -> None:
    folder = scratch / f"shipped_{table}_{fuzz.max_examples}"  # one per pass
    folder.mkdir()
    for name in SHIPPED_FILES:
        (folder / name).write_bytes((small_data / name).read_bytes())
    base = (small_data / table).read_text(encoding="utf-8")

    @fuzz
    @given(data=mutated_csv(base))
    def run(data: bytes) -> None:
        ev = _load_or_refuse(lambda _: load_shipped_evidence(folder), folder / table, data)
        if ev is not None:
            _check_evidence(ev)

    run()


def test_researcher_evidence_loader(small_base: Evidence, scratch: Path, fuzz: settings) -> None:
    path = scratch / "researcher.csv"
    path.write_text(RESEARCHER_CSV, encoding="utf-8")
    _check_evidence(load_evidence_csv(path, base=small_base))  # the seed itself is valid

    @fuzz
    @given(data=mutated_csv(RESEARCHER_CSV))
    def run(data: bytes) -> None:
        ev = _load_or_refuse(lambda p: load_evidence_csv(p, base=small_base), path, data)
        if ev is not None:
            _check_evidence(ev)

    run()


def test_uplift_studies_loader(scratch: Path, fuzz: settings) -> None:
    path = scratch / "studies.csv"
    base = DEFAULT_STUDIES_PATH.read_text(encoding="utf-8")

    @fuzz
    @given(data=mutated_csv(base))
    def run(data: bytes) -> None:
        studies = _load_or_refuse(load_uplift_studies, path, data)
        if studies is not None:
            assert isinstance(studies, pd.DataFrame) and len(studies) > 0
            assert studies["study"].is_unique
            assert np.isfinite(studies["log_speedup"]).all()
            assert (studies["log_speedup_sd"] > 0).all()
            assert np.isfinite(studies["log_speedup_sd"]).all()

    run()


def test_hazard_bars_loader(scratch: Path, fuzz: settings) -> None:
    path = scratch / "bars.toml"
    base = (DATA / "hazard_bars.toml").read_text(encoding="utf-8")

    @fuzz
    @given(data=mutated_toml(base))
    def run(data: bytes) -> None:
        bars = _load_or_refuse(load_hazard_bars, path, data)
        if bars is not None:
            assert bars
            for name, bar in bars.items():
                assert bar.name == name and name[0].isalpha()
                assert 0 < bar.required_probability < 1
                if bar.quantity == "uplift":
                    assert bar.threshold is not None and 1 < bar.threshold < math.inf
                for value in (bar.enhancement.flop_fraction, bar.enhancement.horizon_years):
                    assert value is None or 0 <= value < math.inf

    run()


@pytest.mark.parametrize("variant", ["enrolled", "commentary"])
def test_variant_loader(scratch: Path, variant: str, fuzz: settings) -> None:
    path = scratch / f"{variant}.toml"
    base = (VARIANTS_DIR / f"{variant}.toml").read_text(encoding="utf-8")

    @fuzz
    @given(data=mutated_toml(base))
    def run(data: bytes) -> None:
        loaded = _load_or_refuse(load_variant, path, data)
        if loaded is not None:
            assert isinstance(loaded, PolicyVariant)
            assert loaded.covered.flop_threshold >= 1e15
            json.dumps(loaded.rules_dict(), allow_nan=False)
            variant_hash(loaded)

    run()


def test_settings_loader(scratch: Path, fuzz: settings) -> None:
    path = scratch / "settings.toml"
    base = (REPO / "riskmodel.toml").read_text(encoding="utf-8")

    @fuzz
    @given(data=mutated_toml(base))
    def run(data: bytes) -> None:
        loaded = _load_or_refuse(load_settings, path, data)
        if loaded is not None:
            assert isinstance(loaded, Settings)
            json.dumps(loaded.fit.model_dump(mode="json"), allow_nan=False)
            config_hash(loaded.fit, "evidence")

    run()


def test_fit_config_loader(scratch: Path, fuzz: settings) -> None:
    path = scratch / "config.json"
    base = _dump_toml({"sampler": {"draws": 300, "seed": 7}, "gate": {"max_rhat": 1.05}})

    @fuzz
    @given(data=mutated_toml(base), as_json=st.booleans())
    def run(data: bytes, as_json: bool) -> None:
        target = path if as_json else path.with_suffix(".toml")
        if as_json:  # the same mutated content, as JSON where it parses as TOML
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                data = json.dumps(tomllib.loads(data.decode("utf-8")), default=str).encode()
        loaded = _load_or_refuse(load_config, target, data)
        if loaded is not None:
            assert isinstance(loaded, FitConfig)
            json.dumps(loaded.model_dump(mode="json"), allow_nan=False)

    run()


def test_uplift_priors_loader(scratch: Path, fuzz: settings) -> None:
    path = scratch / "uplift_priors.toml"
    base = DEFAULT_ELICITATION_PATH.read_text(encoding="utf-8")

    @fuzz
    @given(data=mutated_toml(base))
    def run(data: bytes) -> None:
        priors = _load_or_refuse(load_uplift_priors, path, data)
        if priors is not None:
            for prior in priors.priors.values():
                assert math.isfinite(prior.mu) and math.isfinite(prior.sigma)
                assert prior.sigma > 0

    run()
