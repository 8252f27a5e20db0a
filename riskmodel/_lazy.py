"""Lazy public exports (PEP 562): a package names its exports without importing them.

``riskmodel --help`` and ``riskmodel benchmarks`` must not pay for PyMC, so the package
``__init__`` files list where each public name lives and import it on first access.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module ``__getattr__`` and ``__dir__`` for ``package``'s lazy exports.

    Parameters
    ----------
    package
        The package's ``__name__`` (for error messages).
    exports
        Public name -> module that defines it (absolute module name).
    namespace
        The package's ``globals()``: a resolved name is cached there, so each import
        happens once.

    Returns
    -------
    (callable, callable)
        Assign them to the package's ``__getattr__`` and ``__dir__``.
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module '{package}' has no attribute '{name}'")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    return __getattr__, __dir__
