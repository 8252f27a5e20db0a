"""How every PyMC model of the toolkit is compiled: strict floating point, ONE convention.

PyTensor compiles a model's log density and gradient with Numba and, by default, with
LLVM fast-math flags (reassociation, contraction into fused multiply-adds, approximate
functions). It also caches the compiled pieces on disk (``~/.pytensor``). With fast-math
a first compile in a fresh environment and a later one that loads pieces from the cache
round the same density differently in the last bit (most likely because LLVM may
reassociate and fuse across pieces it compiles together, not across cached object
code). NUTS amplifies such a difference within a few draws, so the same seed gave other
draws on a fresh machine (a cold cache) than on every rerun there (a warm cache). Measured on the
default capability fit (4 x 300 draws after 300 tuning steps, seed 1, one process after
the other; fast-math: 2 cold-cache and 8 warm-cache runs, strict: 2 cold and 1 warm):

* fast-math (PyTensor's default): cold cache 57.5 leapfrog steps per draw, warm cache
  61.7, and different draws; 0.52 ms per gradient warm;
* strict (this module): 60.8 steps per draw and bit-identical draws either way; 0.51 ms
  per gradient warm.

Strict floating point costs nothing measurable here and makes the draws of a seed
independent of the cache. It does not make them independent of the machine: the C
library's ``exp``/``log`` and the BLAS kernels are chosen for the host CPU (see the
README, "What a seed reproduces").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["NUMBA_FASTMATH", "strict_float"]

#: PyTensor's ``numba__fastmath`` flag while the toolkit compiles a model (the
#: default, ``True``, makes the draws depend on the compile cache; see the module
#: docstring). Recorded in every fit's attributes.
NUMBA_FASTMATH = False


@contextmanager
def strict_float() -> Iterator[None]:
    """Compile the PyMC models built inside this block without fast-math.

    Wrap the call that compiles (``pm.sample``, ``nutpie.compile_pymc_model``,
    ``pm.sample_prior_predictive``); the flag is restored afterwards.
    """
    import pytensor

    with pytensor.config.change_flags(numba__fastmath=NUMBA_FASTMATH):
        yield
