"""The default capability fit (or a backtest cutoff's) at several sampler seeds: the gate's
margin, measured.

Usage::

    .venv/bin/python benchmarks/fit_seeds.py [--seeds 20240829 1 2 3 4] [--out-dir DIR]
        [--config SETTINGS.toml] [--doc docs/fit_seeds.md]
    .venv/bin/python benchmarks/fit_seeds.py --cutoff 2023-07-01 [--seeds ...]
        [--doc docs/backtest_seeds.md]
    .venv/bin/python benchmarks/fit_seeds.py [--cutoff DATE] --from-fits FIT.nc ... [--doc ...]
        [--first-draws N ...]

Each fit runs ``riskmodel fit --seed S --allow-unconverged`` in its own process (compile
included in the wall time), one after the other, so all see the same machine;
``--config`` passes a settings file to each (a candidate default: a prior, a sampling
option, more draws). With
``--cutoff`` each is instead the backtest's training fit before that date: ``riskmodel
backtest --cutoffs DATE --refit`` with a settings file that sets only ``[sampler] seed``,
so the backtest's sampler settings (``BACKTEST_SAMPLER``) apply; its wall time is the
fit's own (``fit_wall_seconds``: compile included, scoring not). With ``--from-fits`` it
only reads fits made either way; ``--first-draws N`` adds a row per fit for its first N
draws per chain (a shorter fit at the same seed, measured without sampling again). It
writes a Markdown table (seed, draws, target accept, wall and sampling seconds, max
R-hat, min bulk and tail ESS, divergences, gate, and the settings each fit's stored
config changes from the defaults) with the spread over seeds and the margin the issue
asks for (max R-hat <= 1.005, min bulk ESS >= 1,000, no divergences) next to the gate
itself (R-hat <= 1.01, ESS >= 400). Reported, not asserted: the numbers depend on the
machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import xarray as xr

from riskmodel.config import default_config
from riskmodel.provenance import source_commit

REPO = Path(__file__).resolve().parent.parent

#: Default seeds: the shipped default first, then four others.
DEFAULT_SEEDS = (20240829, 1, 2, 3, 4)

#: The margin asked of the default fit (stricter than the gate).
MARGIN_RHAT = 1.005
MARGIN_ESS = 1000.0


def run_fit(seed: int, out: Path, settings: Path | None = None) -> float:
    """Fit at ``seed`` (with the settings file ``settings``, if given) in a fresh process;
    return the wall seconds."""
    command = [str(Path(sys.executable).parent / "riskmodel"), "fit", "--seed", str(seed)]
    command += ["--out", str(out), "--allow-unconverged"]
    if settings is not None:
        command += ["--config", str(settings.resolve())]
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=REPO)
    return time.perf_counter() - start


def _flat(tree: dict[str, object], prefix: str = "") -> dict[str, object]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}``."""
    out: dict[str, object] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def changed_settings(config: dict[str, object]) -> str:
    """The settings of a stored fit config that differ from today's defaults, e.g.
    ``sampler.draws=12000; capability.pivot_benchmarks=['mmlu']``; ``defaults`` if none.
    The sampler seed (its own column) and keys the stored config lacks are skipped."""
    defaults = _flat(default_config().model_dump(mode="json"))
    changed = [
        f"{key}={value}"
        for key, value in _flat(config).items()
        if key != "sampler.seed" and key in defaults and defaults[key] != value
    ]
    return "; ".join(changed) or "defaults"


def run_cutoff_fit(seed: int, cutoff: str, out_dir: Path) -> Path:
    """The backtest's training fit before ``cutoff`` at sampler ``seed``, in a fresh
    process; return the fit's path (exit 1 of ``riskmodel backtest`` = a gate failure,
    which the table reports)."""
    from riskmodel.validation.fits import fit_path

    run_dir = out_dir / f"before_{cutoff}_seed{seed}"
    run_dir.mkdir(parents=True, exist_ok=True)
    settings = run_dir / "sampler_seed.toml"
    settings.write_text(f"[sampler]\nseed = {seed}\n", encoding="utf-8")
    command = [str(Path(sys.executable).parent / "riskmodel"), "backtest", "--cutoffs", cutoff]
    command += ["--config", str(settings), "--out", str(run_dir), "--no-docs", "--refit"]
    done = subprocess.run(command, check=False, cwd=REPO)
    path = fit_path(run_dir / "fits", cutoff)
    if done.returncode not in (0, 1) or not path.exists():
        raise SystemExit(f"riskmodel backtest at seed {seed} failed (exit {done.returncode})")
    return path


def read_row(path: Path, wall: float | None = None) -> dict[str, object]:
    """One table row from a stored fit's provenance (``wall``: else the fit's own
    ``fit_wall_seconds``, if it recorded one)."""
    with xr.open_datatree(path) as tree:
        attrs = dict(tree.attrs)
    if wall is None and "fit_wall_seconds" in attrs:
        wall = float(attrs["fit_wall_seconds"])
    config = json.loads(attrs["config"])
    draws = f"{config['sampler']['chains']} x {config['sampler']['draws']}"
    return _row(int(attrs["seed"]), config, json.loads(attrs["diagnostics"]), wall, draws)


def first_draws_rows(path: Path, lengths: list[int]) -> list[dict[str, object]]:
    """A table row per length N for the fit a stored fit's first N draws per chain make
    (:func:`riskmodel.capability.sampling.recompute_diagnostics`: with nutpie, the same
    draws a fit of that length at the same seed gives); the file is read once. Wall
    time: none; sampling time: the fit's, pro rata."""
    from riskmodel.capability.sampling import recompute_diagnostics
    from riskmodel.capability.store import load_fit

    tree = load_fit(path)
    config = json.loads(tree.attrs["config"])
    total = int(config["sampler"]["draws"])
    rows = []
    for first_draws in sorted(lengths):
        diag = recompute_diagnostics(tree, first_draws=first_draws).to_dict()
        cut = {**config, "sampler": {**config["sampler"], "draws": first_draws}}
        draws = f"{config['sampler']['chains']} x {first_draws} (first of {total})"
        rows.append(_row(int(tree.attrs["seed"]), cut, diag, None, draws))
    return rows


def _row(seed: int, config: dict, diag: dict, wall: float | None, draws: str) -> dict[str, object]:
    """One table row: a fit's seed, stored config (as JSON data) and diagnostics."""
    return {
        "seed": seed,
        "draws": draws,
        "target_accept": config["sampler"].get("target_accept"),
        "wall_s": wall,
        "sampling_s": diag.get("sampling_seconds"),
        "max_rhat": diag["max_rhat"],
        "min_ess_bulk": diag["min_ess_bulk"],
        "min_ess_tail": diag.get("min_ess_tail"),
        "divergences": diag["divergences"],
        "gate": "passes" if diag["passed"] else "fails",
        "margin": "yes" if _margin(diag) else "no",
        "settings": changed_settings(config),
    }


def _margin(diag: dict) -> bool:
    """Whether diagnostics keep the margin asked of a fit (stricter than the gate)."""
    return (
        diag["max_rhat"] <= MARGIN_RHAT
        and diag["min_ess_bulk"] >= MARGIN_ESS
        and diag["divergences"] == 0
    )


def markdown(rows: list[dict[str, object]]) -> str:
    """The table and a one-line spread."""
    header = (
        "| seed | draws | target accept | wall s | sampling s | max R-hat | min bulk ESS "
        "| min tail ESS | divergences | gate | margin | settings |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    body = ""
    for r in rows:
        wall = f"{r['wall_s']:.0f}" if r["wall_s"] is not None else "-"
        sampling = f"{r['sampling_s']:.0f}" if r["sampling_s"] is not None else "-"
        tail = f"{r['min_ess_tail']:.0f}" if r["min_ess_tail"] is not None else "-"
        accept = r["target_accept"] if r["target_accept"] is not None else "-"
        body += (
            f"| {r['seed']} | {r['draws']} | {accept} | {wall} | {sampling} | {r['max_rhat']:.4f} "
            f"| {r['min_ess_bulk']:.0f} | {tail} | {r['divergences']} | {r['gate']} "
            f"| {r['margin']} | {r['settings']} |\n"
        )
    rhat = [float(r["max_rhat"]) for r in rows]
    ess = [float(r["min_ess_bulk"]) for r in rows]
    spread = (
        f"\nOver {len(rows)} fits: max R-hat {min(rhat):.4f}-{max(rhat):.4f}, min bulk ESS "
        f"{min(ess):.0f}-{max(ess):.0f}, divergences {sum(int(r['divergences']) for r in rows)}"
        f" in total. Margin = max R-hat <= {MARGIN_RHAT}, min bulk ESS >= {MARGIN_ESS:.0f}"
        " and no divergence (the gate: R-hat <= 1.01, ESS >= 400, no divergence).\n"
    )
    if any("first of" in str(r["draws"]) for r in rows):
        spread += (
            "A row of *N (first of M)* draws is that stored fit cut to its first N draws per "
            "chain: with nutpie (adaptation ends with tuning) the draws a fit of N draws at "
            "the same seed gives. Its sampling s is the fit's, pro rata.\n"
        )
    return header + body + spread


def _header(note: str | None, cutoff: str | None = None) -> str:
    """Title and provenance of the written table."""
    generated = (
        f"Generated by `benchmarks/fit_seeds.py` on {time.strftime('%Y-%m-%d')} "
        f"(table written at commit {source_commit(REPO)}); each fit is "
    )
    if cutoff is None:
        text = (
            "# The default capability fit at several sampler seeds\n\n" + generated + "`riskmodel "
            "fit --seed S` on the shipped data, in its own process, with the default settings "
            "except those its row's settings column names."
        )
    else:
        text = (
            f"# The backtest's capability fit before {cutoff} at several sampler seeds\n\n"
            + generated
            + f"`riskmodel backtest --cutoffs {cutoff}` with a settings file that sets only "
            "`[sampler] seed = S`, i.e. the backtest's sampler settings "
            "(`riskmodel.validation.fits.BACKTEST_SAMPLER`) on the shipped evidence released "
            "before the cutoff, in its own process. Wall s is the fit's own (compile "
            "included, scoring not)."
        )
    text += " Do not edit by hand: rerun the script.\n\n"
    return text + (f"{note}\n\n" if note else "")


def main() -> None:
    """Run (or read) the fits and print / write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS))
    parser.add_argument(
        "--cutoff", default=None, help="the backtest's fit before this date (YYYY-MM-DD)"
    )
    parser.add_argument("--out-dir", type=Path, default=REPO / "results" / "fit_seeds")
    parser.add_argument(
        "--config", type=Path, default=None, help="settings file passed to each riskmodel fit"
    )
    parser.add_argument("--from-fits", type=Path, nargs="+", default=None)
    parser.add_argument(
        "--first-draws",
        type=int,
        nargs="+",
        default=None,
        help="with --from-fits: also a row per fit cut to its first N draws per chain",
    )
    parser.add_argument("--wall", type=float, nargs="+", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--doc", type=Path, default=None, help="also write the table here")
    parser.add_argument("--note", default=None, help="a sentence on where the fits ran")
    args = parser.parse_args()
    if args.first_draws and not args.from_fits:
        parser.error("--first-draws reads stored fits: give them with --from-fits")
    if args.config is not None and args.cutoff is not None:
        parser.error("--config applies to the default fit; a --cutoff fit uses the backtest's")
    rows = []
    if args.from_fits:
        walls = args.wall or [None] * len(args.from_fits)
        for path, wall in zip(args.from_fits, walls, strict=True):
            rows += first_draws_rows(path, args.first_draws) if args.first_draws else []
            rows.append(read_row(path, wall))
    else:
        args.out_dir.mkdir(parents=True, exist_ok=True)
        for seed in args.seeds:
            if args.cutoff is not None:
                rows.append(read_row(run_cutoff_fit(seed, args.cutoff, args.out_dir)))
                continue
            out = args.out_dir / f"fit_seed{seed}.nc"
            rows.append(read_row(out, run_fit(seed, out, args.config)))
    text = markdown(rows)
    print(text)
    if args.doc is not None:
        args.doc.write_text(_header(args.note, args.cutoff) + text)


if __name__ == "__main__":
    main()
