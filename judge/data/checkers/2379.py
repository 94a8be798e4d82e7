"""APPS 2379: the string split into the fewest alternating subsequences; any assignment of that many
subsequences in which none has two equal neighbours is accepted."""


def check(input, expected, output):
    data, want, got = input.split(), expected.split(), output.split()
    d = w = g = 0
    cases = int(data[d])
    d += 1
    for case in range(cases):
        n, s = int(data[d]), data[d + 1]
        d += 2
        best = int(want[w])
        w += 1 + n
        try:
            k = int(got[g])
            labels = [int(x) for x in got[g + 1:g + 1 + n]]
        except (IndexError, ValueError):
            return False, f"case {case + 1}: a count and {n} subsequence numbers are needed"
        g += 1 + n
        if k != best or len(labels) != n:
            return False, f"case {case + 1}: {k} subsequences, the minimum is {best}"
        if not all(1 <= a <= k for a in labels):
            return False, f"case {case + 1}: subsequence numbers must be from 1 to {k}"
        last = {}
        for ch, a in zip(s, labels):
            if last.get(a) == ch:
                return False, f"case {case + 1}: subsequence {a} has two {ch}s in a row"
            last[a] = ch
    if g != len(got):
        return False, "extra output"
    return True
