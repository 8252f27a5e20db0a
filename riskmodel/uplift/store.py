"""The uplift-study update saved with the capability fit it was computed from.

The update (:func:`riskmodel.uplift.update.updated_link_params`, one NUTS run) depends on
the capability fit (study capabilities, the Amdahl task curve), the link, the studies,
the elicited priors and the sampler settings. It is stored as a group of the fit's
DataTree, ``uplift_update/<link>-<key>``, where ``key`` hashes all of those
(:func:`update_key`): one variable per link parameter (dim ``sample``, chains x draws),
and as attributes the key, the settings, the diagnostics (JSON), package versions and
creation time. ``save_fit`` writes it with the fit and ``load_fit`` reads it back, so a
saved fit carries the update its numbers used, and every assessment on that fit, in
this process or a later one, reuses it instead of sampling again. Nothing is kept
outside the fit's tree.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import UTC, datetime

import numpy as np
import xarray as xr

from riskmodel.capability.diagnostics import Diagnostics
from riskmodel.provenance import package_versions

__all__ = ["UPLIFT_GROUP", "update_key", "stored_update", "attach_update"]

#: Group of a fit's DataTree that holds the saved uplift-study updates.
UPLIFT_GROUP = "uplift_update"


def _digest(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def update_key(
    *,
    fit_fingerprint: str,
    link: str,
    studies_hash: str,
    priors_hash: str,
    method: str,
    seed: int,
    draws: int,
    tune: int,
    chains: int,
) -> str:
    """Hash of everything an uplift-study update depends on (hex, 16 characters).

    ``fit_fingerprint``: hash of the fit's draws the update reads; ``method``: how the
    posterior was drawn (``nuts:<sampler>``), so draws made another way never stand in
    for it.
    """
    return _digest(
        fit_fingerprint, link, studies_hash, priors_hash, method, seed, draws, tune, chains
    )[:16]


def _node_name(link: str, key: str) -> str:
    return f"{link}-{key}"


def stored_update(tree: xr.DataTree, *, link: str, key: str):  # noqa: ANN201
    """The update stored in ``tree`` under ``link`` and ``key``, or ``None``.

    Returns
    -------
    riskmodel.uplift.model.UpliftPosterior or None
    """
    from riskmodel.uplift.model import UpliftPosterior

    if UPLIFT_GROUP not in tree.children:
        return None
    group = tree[UPLIFT_GROUP]
    name = _node_name(link, key)
    if name not in group.children:
        return None
    node = group[name].to_dataset()
    if node.attrs.get("key") != key:
        return None
    params = {str(k): np.asarray(v.values, dtype=float) for k, v in node.data_vars.items()}
    diagnostics = Diagnostics(**json.loads(node.attrs["diagnostics"]))
    return UpliftPosterior(params=params, diagnostics=diagnostics)


def attach_update(
    tree: xr.DataTree,
    posterior,  # noqa: ANN001
    *,
    link: str,
    key: str,
    settings: dict[str, str | int],
) -> None:
    """Store ``posterior`` (an ``UpliftPosterior``) in ``tree`` (in memory; saving the
    fit writes it). An update with the same link and key is replaced."""
    variables = {
        name: xr.Variable(("sample",), np.asarray(values, dtype=float))
        for name, values in posterior.params.items()
    }
    attrs = {
        "key": key,
        "link": link,
        **settings,
        "diagnostics": json.dumps(asdict(posterior.diagnostics)),
        "package_versions": json.dumps(package_versions(), sort_keys=True),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    tree[f"{UPLIFT_GROUP}/{_node_name(link, key)}"] = xr.DataTree(
        xr.Dataset(variables, attrs=attrs)
    )
