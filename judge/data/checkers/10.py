"""APPS 10: a subsequence of the permutation with the largest sum of |differences| and, among those,
the fewest elements; any such subsequence is accepted."""


def _value(values):
    return sum(abs(a - b) for a, b in zip(values, values[1:]))


def check(input, expected, output):
    data, want, got = input.split(), expected.split(), output.split()
    d = w = g = 0
    cases = int(data[d])
    d += 1
    for case in range(cases):
        n = int(data[d])
        p = [int(x) for x in data[d + 1:d + 1 + n]]
        d += 1 + n
        best_k = int(want[w])
        best = [int(x) for x in want[w + 1:w + 1 + best_k]]
        w += 1 + best_k
        try:
            k = int(got[g])
            s = [int(x) for x in got[g + 1:g + 1 + k]]
        except (IndexError, ValueError):
            return False, f"case {case + 1}: a length and that many elements are needed"
        g += 1 + k
        if len(s) != k or k < 2:
            return False, f"case {case + 1}: a subsequence of at least 2 elements is needed"
        it = iter(p)
        if not all(x in it for x in s):  # consumes p in order: a subsequence
            return False, f"case {case + 1}: not a subsequence of the permutation"
        if _value(s) != _value(best) or k != best_k:
            return False, f"case {case + 1}: sum {_value(s)} with {k} elements; best is {_value(best)} with {best_k}"
    if g != len(got):
        return False, "extra output"
    return True
