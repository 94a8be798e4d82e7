"""APPS 2023: a permutation of 1..n with the minimum LIS + LDS; any such permutation is accepted."""

from bisect import bisect_left


def _longest_increasing(values):
    tails = []
    for v in values:
        i = bisect_left(tails, v)
        tails[i:i + 1] = [v]
    return len(tails)


def _score(values):
    return _longest_increasing(values) + _longest_increasing([-v for v in values])


def check(input, expected, output):
    n = int(input.split()[0])
    try:
        got = [int(x) for x in output.split()]
    except ValueError:
        return False, "not integers"
    if sorted(got) != list(range(1, n + 1)):
        return False, f"not a permutation of 1..{n}"
    best = _score([int(x) for x in expected.split()])
    score = _score(got)
    return (score == best), f"LIS + LDS = {score}, the minimum is {best}"
