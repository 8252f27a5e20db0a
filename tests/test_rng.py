"""Named random streams (`riskmodel._rng`): one derivation, numbers locked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from riskmodel._rng import DEFAULT_SEED, FAMILIES, seed_sequences, streams

PACKAGE = Path(__file__).resolve().parent.parent / "riskmodel"


@pytest.mark.parametrize("seed", [0, 11, DEFAULT_SEED])
def test_streams_are_the_seed_sequence_children_in_registry_order(seed: int) -> None:
    """The derivation the hazard and simulation code used before the streams were named
    (``SeedSequence(seed).spawn(n)[i]``): every number at a given seed is unchanged."""
    drawn = streams(seed, "simulation", chunks=3)
    names = ("science", "world", "chunk_0", "chunk_1", "chunk_2")
    assert tuple(drawn) == names
    children = np.random.SeedSequence(seed).spawn(len(names))
    for name, child in zip(names, children, strict=True):
        np.testing.assert_array_equal(drawn[name].random(5), np.random.default_rng(child).random(5))
    hazard = streams(seed, "hazard")
    assert tuple(hazard) == FAMILIES["hazard"]
    first = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    np.testing.assert_array_equal(hazard["capability"].random(5), first.random(5))


def test_a_stream_depends_on_its_name_not_on_how_many_chunks() -> None:
    few = seed_sequences(5, "simulation", chunks=2)
    many = seed_sequences(5, "simulation", chunks=40)
    for name in few:
        assert few[name].spawn_key == many[name].spawn_key
        assert few[name].entropy == many[name].entropy
    values = [g.random() for g in streams(5, "simulation", chunks=40).values()]
    assert len(set(values)) == len(values)  # independent streams, not copies


def test_bad_requests_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown random-stream family 'policy'"):
        streams(1, "policy")
    with pytest.raises(ValueError, match="chunks must be >= 0"):
        seed_sequences(1, "simulation", chunks=-1)


def test_seeds_are_derived_only_here() -> None:
    """No module derives child seeds or repeats the default seed itself."""
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}: {needle}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "_rng.py"
        for needle in ("SeedSequence(", str(DEFAULT_SEED), "20_240_829")
        if needle in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_importing_the_streams_module_loads_no_numpy() -> None:
    code = "import sys, riskmodel._rng; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
