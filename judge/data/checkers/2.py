"""APPS 2: p_i from {a_i, b_i, c_i} with neighbours on the circle different; any such sequence is
accepted."""


def check(input, expected, output):
    data, got = input.split(), output.split()
    d = g = 0
    cases = int(data[d])
    d += 1
    for case in range(cases):
        n = int(data[d])
        a, b, c = (data[d + 1 + k * n:d + 1 + (k + 1) * n] for k in range(3))
        d += 1 + 3 * n
        p = got[g:g + n]
        g += n
        if len(p) != n:
            return False, f"case {case + 1}: {n} numbers are needed"
        for i in range(n):
            if p[i] not in (a[i], b[i], c[i]):
                return False, f"case {case + 1}: p_{i + 1} = {p[i]} is none of a, b, c"
            if p[i] == p[(i + 1) % n]:
                return False, f"case {case + 1}: p_{i + 1} equals its neighbour"
    if g != len(got):
        return False, "extra output"
    return True
