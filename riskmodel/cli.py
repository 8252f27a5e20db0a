"""Command-line interface: ``riskmodel <command>``.

Every command is a thin wrapper over an importable function with the same name and
arguments; errors the toolkit raises on purpose print as one plain message and exit 2
(1 for a refused, unconverged fit), never as a traceback.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from riskmodel._rng import DEFAULT_SEED
from riskmodel.errors import ConvergenceError, RiskmodelError

__all__ = ["main", "build_parser"]

#: Exit code for errors in the user's input or files.
EXIT_USAGE = 2
#: Exit code for a fit refused by the convergence gate.
EXIT_UNCONVERGED = 1


def _years(text: str) -> tuple[int, int]:
    try:
        first, _, last = text.partition(":")
        years = (int(first), int(last or first))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"years must be FIRST:LAST, e.g. 2025:2030, got '{text}'"
        ) from None
    if years[1] < years[0]:
        raise argparse.ArgumentTypeError(f"years must be FIRST:LAST with FIRST <= LAST: '{text}'")
    return years


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: '{text}'") from None


class _Accumulate(argparse.Action):
    """A multi-valued option whose repeats accumulate: ``--bar a --bar b`` means
    ``--bar a b`` (argparse's own ``nargs="+"`` keeps only the last). The first use
    replaces the default."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        given = f"_{self.dest}_given"
        previous = getattr(namespace, self.dest) if getattr(namespace, given, False) else []
        setattr(namespace, given, True)
        setattr(namespace, self.dest, [*previous, *values])  # type: ignore[misc]


def _many(p: argparse.ArgumentParser, *flags: str, **kwargs: object) -> None:
    """A multi-valued option (``nargs="+"``) whose repeats accumulate."""
    p.add_argument(*flags, nargs="+", action=_Accumulate, **kwargs)  # type: ignore[arg-type]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``riskmodel`` command."""
    from riskmodel._io import DEFAULT_FIT_PATH

    parser = argparse.ArgumentParser(
        prog="riskmodel",
        description="Probabilistic capability and hazard-threshold modelling of frontier AI.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("fit", help="fit the capability model on the shipped data (+ evidence CSVs)")
    _many(p, "--evidence", default=[], metavar="CSV", help="extra evidence files")
    p.add_argument(
        "--out", default=str(DEFAULT_FIT_PATH), help=f"fit file (default {DEFAULT_FIT_PATH})"
    )
    p.add_argument("--seed", type=int)
    p.add_argument("--draws", type=int)
    p.add_argument("--tune", type=int)
    p.add_argument("--chains", type=int)
    p.add_argument("--config", help="settings file (TOML/JSON; its fit tables are used)")
    p.add_argument(
        "--allow-unconverged", action="store_true", help="keep a fit that fails the gate"
    )

    p = sub.add_parser(
        "forecast",
        help="posterior predictive benchmark score of new models (one row per query)",
        description="Every combination of the --benchmark, --date and --flop values is one "
        "query (flags may be repeated), or give a CSV of queries with --queries; the fit is "
        "loaded once.",
    )
    p.add_argument("--fit", default=str(DEFAULT_FIT_PATH), help="fit file")
    _many(
        p,
        "--benchmark",
        metavar="SLUG",
        help="benchmark slug(s) (its main harness kind; the output names the harness) or "
        "instrument keys such as frontiermath@chat",
    )
    _many(p, "--date", metavar="YYYY-MM-DD", help="release date(s)")
    group = p.add_mutually_exclusive_group()
    _many(group, "--flop", type=_float, metavar="FLOP", help="training compute(s), FLOP")
    group.add_argument(
        "--frontier",
        action="store_true",
        help="the frontier: the best model released in the --window-years up to each "
        "date (the best of the frontier releases the fit expects in that window)",
    )
    p.add_argument(
        "--window-years",
        type=_float,
        default=1.0,
        help="window of the frontier's best-of, years (default 1)",
    )
    p.add_argument(
        "--queries",
        metavar="CSV",
        help="CSV of queries instead of the flags: columns benchmark, date and flop or "
        "frontier (true/false), optionally window_years",
    )
    p.add_argument("--format", choices=("json", "csv"), default="json")
    p.add_argument("--seed", type=int, default=0)

    p = sub.add_parser("benchmarks", help="list the known benchmarks (or harnesses)")
    p.add_argument(
        "--harnesses", action="store_true", help="list the known evaluation harnesses instead"
    )

    p = sub.add_parser(
        "assess",
        help="probability that a model is hazardous under each bar (one row per query and bar)",
        description="Every combination of the --flop and --date values is one query (flags "
        "may be repeated), or give a CSV of queries with --queries; the fit is loaded once "
        "and all queries of one date share one Monte Carlo sample.",
    )
    p.add_argument("--fit", default=str(DEFAULT_FIT_PATH), help="fit file")
    _many(p, "--flop", type=_float, metavar="FLOP", help="training compute(s), FLOP")
    _many(p, "--date", metavar="YYYY-MM-DD", help="release date(s)")
    p.add_argument("--queries", metavar="CSV", help="CSV of queries: columns flop, date")
    _many(p, "--bar", default=None, metavar="NAME", help="bars (default: all)")
    p.add_argument("--bars-file", help="TOML file of user-defined hazard bars")
    p.add_argument("--enhancement-flop-fraction", type=_float, default=None)
    p.add_argument("--enhancement-cost-fraction", type=_float, default=None)
    p.add_argument("--enhancement-horizon-years", type=_float, default=None)
    _add_uplift_arguments(p)
    p.add_argument("--format", choices=("json", "text"), default="text")
    p.add_argument("--seed", type=int, default=None, help="default 0 (or the settings file's)")

    p = sub.add_parser("crossing", help="compute and date at which a hazard bar is first met")
    p.add_argument("--fit", default=str(DEFAULT_FIT_PATH), help="fit file")
    p.add_argument("--bar", required=True, help="bar name")
    p.add_argument("--bars-file", help="TOML file of user-defined hazard bars")
    p.add_argument("--date", default=None, help="release date YYYY-MM-DD (default: today)")
    p.add_argument("--enhancement-flop-fraction", type=_float, default=None)
    p.add_argument("--enhancement-cost-fraction", type=_float, default=None)
    p.add_argument("--enhancement-horizon-years", type=_float, default=None)
    _add_uplift_arguments(p)
    p.add_argument(
        "--samples",
        type=int,
        default=None,
        help="Monte Carlo samples (default: one per posterior draw)",
    )
    p.add_argument("--format", choices=("json", "text"), default="text")
    p.add_argument("--seed", type=int, default=None, help="default 0 (or the settings file's)")

    p = sub.add_parser("simulate", help="Monte Carlo of the SB-1047 policy variants")
    p.add_argument("--fit", default=str(DEFAULT_FIT_PATH), help="fit file")
    p.add_argument("--variants", default="all", help="all, or NAME,NAME,... or variant .toml files")
    p.add_argument("--years", type=_years, default=None, help="FIRST:LAST (default 2025:2030)")
    p.add_argument("--draws", type=int, default=None, help="simulated worlds (default 1000)")
    p.add_argument("--seed", type=int, default=None, help=f"default {DEFAULT_SEED}")
    p.add_argument("--out", default="results/simulation.nc", help="netCDF output file")
    p.add_argument("--scheduler", default=None, help="dask.distributed scheduler ADDRESS")
    p.add_argument(
        "--uplift-evidence", choices=("studies", "prior"), default=None, help="default studies"
    )
    p.add_argument(
        "--config",
        help="settings file (TOML/JSON, as for `riskmodel report`): its [simulation] table, "
        "the uplift link of [hazard] and the input files of [files] are used; --years, "
        "--draws, --seed and --uplift-evidence override it",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")

    p = sub.add_parser("population", help="predictive counts of models above compute thresholds")
    p.add_argument("--years", type=_years, default=(2025, 2026), help="FIRST:LAST")
    _many(p, "--thresholds", type=_float, default=[1e25, 1e26], metavar="FLOP")
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--format", choices=("json", "text"), default="text")

    p = sub.add_parser("report", help="the main job: fit (or reuse), forecasts and figures")
    p.add_argument("--out", default="results", help="output folder (default results/)")
    p.add_argument("--figures", default="figures", help="figure folder (default figures/)")
    p.add_argument("--config", help="settings file (TOML/JSON; see riskmodel.toml for every key)")
    _many(p, "--evidence", default=[], metavar="CSV")
    p.add_argument("--allow-unconverged", action="store_true")

    p = sub.add_parser(
        "backtest",
        help="fit before cutoff dates, score forecasts of what came after against baselines",
    )
    _many(
        p,
        "--cutoffs",
        default=list(BACKTEST_CUTOFFS),
        metavar="YYYY-MM-DD",
        help=f"cutoff dates (default {' '.join(BACKTEST_CUTOFFS)})",
    )
    p.add_argument(
        "--config", help="settings file (TOML/JSON; its fit tables are used for every cutoff)"
    )
    p.add_argument(
        "--draws", type=int, default=None, help="draws per chain (default: BACKTEST_SAMPLER, 24000)"
    )
    p.add_argument(
        "--tune", type=int, default=None, help="tuning steps (default: BACKTEST_SAMPLER, 1000)"
    )
    p.add_argument(
        "--target-accept",
        type=float,
        default=None,
        help="NUTS target acceptance (default: BACKTEST_SAMPLER, 0.99)",
    )
    p.add_argument("--chains", type=int, default=None, help="override (default: the fit config)")
    p.add_argument(
        "--difficulty-pivot",
        choices=("midpoint", "data"),
        default=None,
        help="where each benchmark's location is sampled (default: the fit config's, as "
        "in the main fit: MMLU's pivoted where its results sit); 'midpoint': every "
        "location at its midpoint (the same posterior, another geometry)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the predictive draws")
    p.add_argument(
        "--out", default="results/validation", help="tables, and cached fits in OUT/fits"
    )
    p.add_argument(
        "--scheduler",
        default=None,
        help="dask.distributed scheduler ADDRESS: run the cutoffs in parallel there "
        "(workers need this repository and a shared OUT/fits); default: one after the other",
    )
    p.add_argument("--docs", default="docs/validation.md", help="Markdown report to write")
    p.add_argument("--no-docs", action="store_true", help="write the tables only")
    p.add_argument("--refit", action="store_true", help="refit (and overwrite) cached fits")
    p.add_argument(
        "--known-only",
        action="store_true",
        help="train only on results made public before each cutoff (their result_date), "
        "not on every measurement of a pre-cutoff model",
    )
    return parser


#: Default cutoffs of ``riskmodel backtest``: inside the shipped data (vintage 2025-09-01),
#: each leaving at least one complete post-cutoff window of results; the last one after
#: the first results on the 2024-25 frontier benchmarks.
BACKTEST_CUTOFFS = ("2023-07-01", "2024-01-01", "2024-07-01", "2025-03-01")


def _backtest(args: argparse.Namespace) -> int:
    """Full fits at every cutoff: the fit config (``--config``, else the defaults) with the
    backtest's sampler settings (:data:`~riskmodel.validation.fits.BACKTEST_SAMPLER`) and
    then the flags on top; exit 1 if a cutoff failed or its fit fails the convergence gate
    (after writing the tables and report of all of them)."""
    from riskmodel.config import load_config
    from riskmodel.settings import load_settings
    from riskmodel.validation.fits import BACKTEST_SAMPLER
    from riskmodel.validation.report import run_backtests

    flags = {
        "draws": args.draws,
        "tune": args.tune,
        "target_accept": args.target_accept,
        "chains": args.chains,
    }
    sampler = {**BACKTEST_SAMPLER, **{k: v for k, v in flags.items() if v is not None}}
    pivot = args.difficulty_pivot
    capability = {} if pivot is None else {"difficulty_pivot": pivot}
    base = load_settings(args.config).fit if args.config else None
    config = load_config({"sampler": sampler, "capability": capability}, base=base)
    out = Path(args.out)
    report = run_backtests(
        args.cutoffs,
        config=config,
        seed=args.seed,
        out_dir=out,
        docs_path=None if args.no_docs else args.docs,
        fit_dir=out / "fits",
        reuse_fits=not args.refit,
        progress=True,
        known_only=args.known_only,
        scheduler=args.scheduler,
    )
    print(report.fits.drop(columns=["error"]).to_string(index=False))
    if len(report.summary):
        print(report.summary.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"wrote {len(report.files)} files")
    problems = [f"cutoff {c} failed: {e}" for c, e in report.failures.items()] + [
        f"cutoff {c}: the capability fit fails the convergence gate (scores reported, marked)"
        for c in report.gate_failures
    ]
    for line in problems:
        print(f"riskmodel backtest: {line}", file=sys.stderr)
    return EXIT_UNCONVERGED if problems else 0


def _add_uplift_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--link",
        choices=("amdahl", "direct"),
        default=None,
        help="uplift link (default: priors file)",
    )
    p.add_argument(
        "--uplift-evidence",
        choices=("studies", "prior"),
        default=None,
        help="link parameters updated by the uplift studies (default) or elicited priors only",
    )
    p.add_argument("--studies", default=None, help="uplift-study CSV (default: shipped studies)")
    p.add_argument(
        "--no-record",
        action="store_true",
        help="do not weight by the observed record of incidents (a sensitivity)",
    )
    p.add_argument(
        "--config",
        help="settings file (TOML/JSON, as for `riskmodel report`): the input files of "
        "[files] (priors, bars, studies) and the link, uplift evidence, record and seed of "
        "[hazard] are used; flags override",
    )


def _hazard_options(args: argparse.Namespace) -> dict[str, object]:
    """The options ``assess`` and ``crossing`` share, as keyword arguments of
    :func:`riskmodel.hazard.assess.assess_flops` and :func:`~riskmodel.hazard.assess.crossing`:
    flags, else the settings file (``--config``), else the defaults (seed 0)."""
    from riskmodel.settings import load_settings

    settings = load_settings(args.config) if args.config else None
    hazard = settings.hazard if settings is not None else None
    return {
        "enhancement_flop_fraction": args.enhancement_flop_fraction,
        "enhancement_cost_fraction": args.enhancement_cost_fraction,
        "enhancement_horizon_years": args.enhancement_horizon_years,
        "link": args.link or (hazard.link if hazard else None),
        "link_params": args.uplift_evidence or (hazard.link_params if hazard else "studies"),
        "studies": args.studies,
        "record": not args.no_record and (hazard.record if hazard else True),
        "seed": args.seed if args.seed is not None else (hazard.seed if hazard else 0),
        "inputs": settings.files.load_hazard_inputs() if settings is not None else None,
    }


def _print_records(records: Sequence[dict], fmt: str) -> None:
    if fmt == "text":
        keys = list(records[0])
        widths = {k: max(len(k), *(len(_cell(r[k])) for r in records)) for k in keys}
        print("  ".join(k.ljust(widths[k]) for k in keys))
        for record in records:
            print("  ".join(_cell(record[k]).ljust(widths[k]) for k in keys))
        return
    if fmt == "json":
        for record in records:
            print(json.dumps(record))
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    print(buffer.getvalue(), end="")


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def _run(args: argparse.Namespace) -> int:
    if args.command == "benchmarks":
        from riskmodel.evidence.benchmarks import (  # rows, not DataFrames: no pandas
            benchmark_rows,
            format_benchmark_table,
            format_harness_table,
            harness_rows,
        )

        if args.harnesses:
            print(format_harness_table(harness_rows()))
        else:
            print(format_benchmark_table(benchmark_rows()))
        return 0
    if args.command == "fit":
        from riskmodel.capability import fit, fit_diagnostics
        from riskmodel.settings import load_settings

        _check_output_path(args.out)
        tree = fit(
            args.evidence,
            out=args.out,
            seed=args.seed,
            draws=args.draws,
            tune=args.tune,
            chains=args.chains,
            allow_unconverged=args.allow_unconverged,
            config=load_settings(args.config).fit if args.config else None,
            progressbar=sys.stderr.isatty(),
        )
        diag = fit_diagnostics(tree)
        print(
            f"wrote {args.out}: max R-hat {diag['max_rhat']:.4f}, min bulk ESS "
            f"{diag['min_ess_bulk']:.0f}, divergences {diag['divergences']}, "
            f"sampling {diag['sampling_seconds']:.0f} s, data vintage {tree.attrs['data_vintage']}"
        )
        return 0
    if args.command == "forecast":
        return _forecast(args)
    if args.command == "assess":
        return _assess(args)
    if args.command == "crossing":
        from riskmodel.hazard.assess import crossing

        options = _hazard_options(args)
        record = crossing(
            args.fit,
            bar=args.bar,
            date=args.date,
            bars_path=args.bars_file,
            n_samples=args.samples,
            **options,
        )
        _print_records([record], args.format)
        return 0
    if args.command == "simulate":
        return _simulate(args)
    if args.command == "backtest":
        return _backtest(args)
    if args.command == "population":
        from riskmodel.world.fit import fit_world
        from riskmodel.world.generate import predictive_counts

        if args.draws < 1:
            raise RiskmodelError(f"--draws must be positive, got {args.draws}")
        for threshold in args.thresholds:
            if not threshold > 0:
                raise RiskmodelError(f"--thresholds must be positive FLOP, got {threshold}")
        table = predictive_counts(
            fit_world(),
            years=list(range(args.years[0], args.years[1] + 1)),
            thresholds=list(args.thresholds),
            n_draws=args.draws,
            seed=args.seed,
        )
        columns = ["year", "threshold", "mean", "q05", "q50", "q95"]
        records = [
            {k: (int(v) if k == "year" else float(v)) for k, v in row.items()}
            for row in table[columns].to_dict("records")
        ]
        _print_records(records, args.format)
        return 0
    if args.command == "report":
        from riskmodel.report.job import run_report

        run_report(
            out_dir=args.out,
            figures_dir=args.figures,
            config=args.config,
            evidence=args.evidence,
            allow_unconverged=args.allow_unconverged,
        )
        return 0
    raise AssertionError(f"unhandled command {args.command}")  # argparse prevents this


def _query_flags(args: argparse.Namespace, flags: dict[str, object]) -> None:
    """Refuse --queries together with query flags, and missing flags without it."""
    given = [flag for flag, value in flags.items() if value not in (None, False)]
    if args.queries is not None and given:
        raise RiskmodelError(f"give --queries or {', '.join(flags)}, not both ({given[0]})")
    if args.queries is None:
        missing = [f for f, v in flags.items() if v is None and f not in ("--flop", "--frontier")]
        if missing:
            raise RiskmodelError(f"give {' and '.join(missing)} (or a CSV with --queries)")


def _forecast(args: argparse.Namespace) -> int:
    """``riskmodel forecast``: :func:`riskmodel.capability.predict.forecast` per query,
    one fit load (a :class:`PosteriorView`) for all of them."""
    from riskmodel.capability.predict import forecast, posterior_view
    from riskmodel.queries import forecast_queries, read_forecast_queries

    _query_flags(
        args,
        {
            "--benchmark": args.benchmark,
            "--date": args.date,
            "--flop": args.flop,
            "--frontier": args.frontier,
        },
    )
    if args.queries is not None:
        queries = read_forecast_queries(args.queries)
    else:
        queries = forecast_queries(
            benchmarks=args.benchmark,
            dates=args.date,
            flops=args.flop,
            frontier=args.frontier,
            window_years=args.window_years,
        )
    view = posterior_view(args.fit)
    records = []
    for number, query in enumerate(queries, start=1):
        try:
            records.append(
                forecast(
                    view,
                    benchmark=query.benchmark,
                    date=query.date,
                    flop=query.flop,
                    frontier=query.frontier,
                    window_years=query.window_years,
                    seed=args.seed,
                )
            )
        except RiskmodelError as exc:
            if len(queries) == 1:
                raise
            raise RiskmodelError(f"query {number} of {len(queries)}: {exc}") from None
    _print_records(records, args.format)
    return 0


def _assess(args: argparse.Namespace) -> int:
    """``riskmodel assess``: :func:`riskmodel.hazard.assess.assess_flops` per release date
    (one joint sample for every FLOP of a date); rows start with ``flop`` and ``date``."""
    from riskmodel.capability.predict import posterior_view
    from riskmodel.hazard.assess import assess_flops, select_bars
    from riskmodel.queries import assess_queries, read_assess_queries

    _query_flags(args, {"--flop": args.flop, "--date": args.date})
    if args.queries is not None:
        queries = read_assess_queries(args.queries)
    else:
        if args.flop is None:
            raise RiskmodelError("give --flop (training compute, FLOP) or --queries")
        queries = assess_queries(flops=args.flop, dates=args.date)
    options = _hazard_options(args)
    # checked before the fit is read
    bars = select_bars(args.bar, args.bars_file, options["inputs"])  # type: ignore[arg-type]
    view = posterior_view(args.fit)
    by_date: dict[str, list[float]] = {}
    for query in queries:
        by_date.setdefault(query.date, []).append(query.flop)
    results: dict[tuple[str, float], list[dict]] = {}
    for date, flops in by_date.items():
        per_flop = assess_flops(
            view,
            flops=flops,
            date=date,
            bars=bars,
            **options,
        )
        results.update({(date, f): rows for f, rows in zip(flops, per_flop, strict=True)})
    records = [
        {"flop": q.flop, "date": q.date, **row}
        for q in queries
        for row in results[(q.date, q.flop)]
    ]
    _print_records(records, args.format)
    return 0


def _check_output_path(path: str, option: str = "--out") -> None:
    """Refuse an output path that cannot be written, before any expensive work."""
    target = Path(path)
    if target.is_dir():
        raise RiskmodelError(f"{option} {path} is a directory; give a file name")
    parent = target.parent if str(target.parent) else Path(".")
    existing = next((p for p in (parent, *parent.parents) if p.exists()), Path("."))
    if not existing.is_dir():
        raise RiskmodelError(f"{option} {path}: {existing} is a file, not a folder")


def _simulate(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from riskmodel._io import validation_problems
    from riskmodel.policy.variants import load_variants
    from riskmodel.settings import Settings, load_settings
    from riskmodel.simulation.config import SimulationConfig
    from riskmodel.simulation.run import (
        COMMENTARY_DEVELOPERS_UNDER_OBLIGATIONS,
        developers_table,
        save_simulation,
        simulate,
        summary_table,
        truth_label,
    )
    from riskmodel.world.fit import fit_world

    settings = load_settings(args.config) if args.config else Settings()
    overrides: dict[str, int] = {}
    if args.years is not None:
        overrides.update(first_year=args.years[0], last_year=args.years[1])
    if args.draws is not None:
        overrides["draws"] = args.draws
    if args.seed is not None:
        overrides["seed"] = args.seed
    try:
        config = SimulationConfig.model_validate({**settings.simulation.model_dump(), **overrides})
    except ValidationError as exc:
        (problem,) = validation_problems(exc, limit=1, root="years")
        raise RiskmodelError(f"invalid simulation setting {problem}") from None
    _check_output_path(args.out)
    inputs = settings.files.load_hazard_inputs()
    # The variant files are read and checked before the world fit (seconds), so that a
    # bad variant is refused at once.
    variants = load_variants(args.variants, inputs=inputs)
    world = fit_world(assumptions=settings.files.load_world_assumptions())
    dataset = simulate(
        args.fit,
        variants=variants,
        config=config,
        world=world,
        link_params=args.uplift_evidence or settings.hazard.link_params,
        link=settings.hazard.link,
        inputs=inputs,
        scheduler=args.scheduler,
        progress=not args.no_progress,
    )
    path = save_simulation(dataset, args.out)
    table = summary_table(dataset)
    print(
        f"Policy-variant outcomes {config.first_year}-{config.last_year}, {config.draws} "
        "simulated worlds: "
        "median [5%, 95%]"
    )
    print(
        "Counts and costs summed over the years; developers in the peak year; times as decimal "
        "years; gap inf = the first hazardous model is never under obligations in the horizon."
    )
    print(
        "Outcomes that depend on which runs are truly hazardous are shown under each truth "
        "bar ('truth: current bar', 'truth: raised bar': the realised condition of that bar "
        "in each world); all variants are judged against the same truths."
    )
    fmt = {"decimal year": "{:.1f}", "USD": "{:.3g}"}
    labels = [
        f"{r.outcome} ({truth_label(r.truth_bar)})" if r.truth_bar else r.outcome
        for r in table.itertuples()
    ]
    wide = table.assign(
        row=labels,
        cell=[
            " ".join(
                [
                    fmt.get(r.units, "{:.3g}").format(r.q50),
                    "[" + fmt.get(r.units, "{:.3g}").format(r.q05) + ",",
                    fmt.get(r.units, "{:.3g}").format(r.q95) + "]",
                ]
            )
            for r in table.itertuples()
        ],
    ).pivot(index="row", columns="variant", values="cell")
    wide = wide.reindex(index=list(dict.fromkeys(labels)), columns=table["variant"].unique())
    wide.index.name = "outcome"
    print(wide.to_string())
    developers = developers_table(dataset)
    expected = COMMENTARY_DEVELOPERS_UNDER_OBLIGATIONS
    print(
        f"Developers under full obligations in {int(developers['year'].iloc[0])} beside the "
        f"commentary's expectation (about {expected}: 'only a handful of frontier developers "
        "would ever bear full obligations'): median [5%, 95%]; share of worlds with at most "
        f"{expected}"
    )
    for row in developers.itertuples():
        print(
            f"  {row.variant:<24} {row.q50:.0f} [{row.q05:.0f}, {row.q95:.0f}]  "
            f"{row.share_at_most_expected:.0%}"
        )
    print(f"wrote {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``riskmodel`` console script; returns the exit code.

    SIGINT (Ctrl-C) and SIGTERM both stop a run by raising
    :class:`~riskmodel.errors.Interrupted` in the main thread, so the stack unwinds:
    temporary output files are removed, no target file is replaced, and a sampler
    that is running is cancelled rather than returning a partial trace (nutpie and
    PyMC swallow ``KeyboardInterrupt``). Exit code 128 + the signal number (130 for
    SIGINT, 143 for SIGTERM). A second signal while the first unwinds gets the
    previous (default) behaviour. Signals the parent process set to be ignored stay
    ignored, and the previous handlers are restored on return.
    """
    import signal
    import threading

    from riskmodel.errors import Interrupted

    args = build_parser().parse_args(argv)
    previous: dict[int, object] = {}

    def interrupted(signum: int, frame: object) -> None:
        for number, handler in previous.items():
            signal.signal(number, handler)  # a second signal: previous behaviour
        raise Interrupted(signum)

    if threading.current_thread() is threading.main_thread():
        for number, default in (
            (signal.SIGINT, signal.default_int_handler),
            (signal.SIGTERM, signal.SIG_DFL),
        ):
            if signal.getsignal(number) is default:
                previous[number] = signal.signal(number, interrupted)
    try:
        return _run(args)
    except ConvergenceError as exc:
        print(f"riskmodel {args.command}: {exc}", file=sys.stderr)
        return EXIT_UNCONVERGED
    except RiskmodelError as exc:
        print(f"riskmodel {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (KeyboardInterrupt, Interrupted) as exc:
        signum = exc.signum if isinstance(exc, Interrupted) else int(signal.SIGINT)
        print(
            f"riskmodel {args.command}: interrupted by {signal.Signals(signum).name}; no "
            "partial file was written (each output is replaced only once complete)",
            file=sys.stderr,
        )
        return 128 + signum
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
