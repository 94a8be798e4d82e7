"""APPS 2365: a permutation that the given sorted segments (one ending at each position from 2 to
n) could come from; any such permutation is accepted."""


def check(input, expected, output):
    data, got = input.split(), output.split()
    d = g = 0
    cases = int(data[d])
    d += 1
    for case in range(cases):
        n = int(data[d])
        d += 1
        segments = []
        for _ in range(n - 1):
            k = int(data[d])
            segments.append([int(x) for x in data[d + 1:d + 1 + k]])
            d += 1 + k
        try:
            p = [int(x) for x in got[g:g + n]]
        except ValueError:
            return False, f"case {case + 1}: not integers"
        g += n
        if sorted(p) != list(range(1, n + 1)):
            return False, f"case {case + 1}: not a permutation of 1..{n}"
        where = {v: i for i, v in enumerate(p)}
        ends = []
        for segment in segments:
            positions = sorted(where[v] for v in segment)
            if positions[-1] - positions[0] != len(segment) - 1:
                return False, f"case {case + 1}: segment {segment} is not contiguous in the answer"
            ends.append(positions[-1])
        if sorted(ends) != list(range(1, n)):
            return False, f"case {case + 1}: the segments do not end one at each position from 2 to {n}"
    if g != len(got):
        return False, "extra output"
    return True
