"""APPS 2400: colour a circular carousel with the fewest colours so that neighbours of different
types differ; any colouring with the minimum number of colours is accepted."""


def check(input, expected, output):
    data, want, got = input.split(), expected.split(), output.split()
    d = w = g = 0
    cases = int(data[d])
    d += 1
    for case in range(cases):
        n = int(data[d])
        types = data[d + 1:d + 1 + n]
        d += 1 + n
        best = int(want[w])
        w += 1 + n
        if g + 1 + n > len(got):
            return False, f"case {case + 1}: the answer is incomplete"
        k = int(got[g])
        colours = [int(c) for c in got[g + 1:g + 1 + n]]
        g += 1 + n
        if k != best:
            return False, f"case {case + 1}: {k} colours, the minimum is {best}"
        if not all(1 <= c <= k for c in colours):
            return False, f"case {case + 1}: colours must be from 1 to {k}"
        for i in range(n):
            j = (i + 1) % n
            if types[i] != types[j] and colours[i] == colours[j]:
                return False, f"case {case + 1}: figures {i + 1} and {j + 1} differ in type but share colour {colours[i]}"
    if g != len(got):
        return False, "extra output"
    return True
