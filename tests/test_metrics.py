from math import comb

import pytest

from judge.metrics import mean_pass_at_k, pass_at_k


def exact(n: int, c: int, k: int) -> float:
    if n == 0 or c == 0:
        return 0.0
    if n - c < k:
        return 1.0
    return 1 - comb(n - c, k) / comb(n, k)


@pytest.mark.parametrize("n", [1, 2, 5, 10, 37, 200, 1000])
def test_matches_exact_combinatorics(n):
    for c in sorted({0, 1, n // 3, n // 2, n - 1, n}):
        for k in (1, 5, 10, 100, 1000):
            assert pass_at_k(n, c, k) == pytest.approx(exact(n, c, k), abs=1e-12), (n, c, k)


def test_edge_cases():
    assert pass_at_k(0, 0, 1) == 0.0            # n' = 0: no survivor, nothing to submit
    assert pass_at_k(3, 0, 5) == 0.0            # c = 0 with n < k is 0 (not 1)
    assert pass_at_k(3, 1, 5) == 1.0            # n < k with a correct sample: submit them all
    assert pass_at_k(10, 10, 1) == 1.0          # c = n
    assert pass_at_k(1000, 1, 1) == pytest.approx(0.001)
    assert pass_at_k(1000, 1, 1000) == 1.0


def test_mean_over_problems():
    assert mean_pass_at_k([(10, 0), (10, 10)], 1) == pytest.approx(0.5)
    assert mean_pass_at_k([], 1) == 0.0
