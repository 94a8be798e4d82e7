"""APPS 6: at most 4n/7 spots closed so that no open path has two tracks; any such set is accepted
(the minimum is not asked for)."""


def check(input, expected, output):
    data, got = input.split(), output.split()
    d = g = 0
    cases = int(data[d])
    d += 1
    for case in range(cases):
        n, m = int(data[d]), int(data[d + 1])
        edges = [(int(data[d + 2 + 2 * i]), int(data[d + 3 + 2 * i])) for i in range(m)]
        d += 2 + 2 * m
        try:
            k = int(got[g])
            closed = [int(x) for x in got[g + 1:g + 1 + k]]
        except (IndexError, ValueError):
            return False, f"case {case + 1}: a count and that many spots are needed"
        g += 1 + k
        if len(closed) != k or len(set(closed)) != k or not all(1 <= c <= n for c in closed):
            return False, f"case {case + 1}: {k} distinct spots from 1 to {n} are needed"
        if 7 * k > 4 * n:
            return False, f"case {case + 1}: {k} spots closed, at most 4/7 of {n} may be"
        shut = set(closed)
        has_in, has_out = set(), set()
        for x, y in edges:
            if x not in shut and y not in shut:
                has_out.add(x)
                has_in.add(y)
        both = has_in & has_out
        if both:
            return False, f"case {case + 1}: a dangerous path passes through spot {min(both)}"
    if g != len(got):
        return False, "extra output"
    return True
