"""APPS 2012: a lucky permutation (p[p[i]] = n - i + 1), or -1 when none exists; any lucky
permutation is accepted."""


def check(input, expected, output):
    n = int(input.split()[0])
    try:
        got = [int(x) for x in output.split()]
    except ValueError:
        return False, "not integers"
    if expected.split() == ["-1"]:
        return got == [-1], "none exists: the answer is -1"
    if sorted(got) != list(range(1, n + 1)):
        return False, f"not a permutation of 1..{n}"
    for i in range(1, n + 1):
        if got[got[i - 1] - 1] != n - i + 1:
            return False, f"p[p[{i}]] is {got[got[i - 1] - 1]}, not {n - i + 1}"
    return True
