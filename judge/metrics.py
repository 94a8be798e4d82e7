"""pass@k, the unbiased estimator of Chen et al. (2021), "Evaluating Large Language Models Trained on Code"."""

from __future__ import annotations

import math


def pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that at least one of k samples drawn from n (c of them correct) is correct.

        pass@k = 1 - C(n - c, k) / C(n, k)
               = 1 - prod_{i = n - c + 1}^{n} (1 - k / i)      (no huge binomials)

    Edge cases: no samples or no correct sample -> 0; fewer than k incorrect samples -> 1
    (any k-subset holds a correct one; with n < k this means "submit them all").
    """
    if n <= 0 or c <= 0:
        return 0.0
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def mean_pass_at_k(counts: list[tuple[int, int]], k: int) -> float:
    """pass@k averaged over problems, given (n, c) per problem."""
    return math.fsum(pass_at_k(n, c, k) for n, c in counts) / len(counts) if counts else 0.0
