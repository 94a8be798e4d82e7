"""APPS 2398: minimum column swaps that make both rows of a 2 x n table permutations; any set of
columns of that minimum size that works is accepted."""


def check(input, expected, output):
    data, want, got = input.split(), expected.split(), output.split()
    pos = [0]

    def take(tokens, where):
        value = tokens[where[0]]
        where[0] += 1
        return int(value)

    w, g = [0], [0]
    cases = take(data, pos)
    for case in range(cases):
        n = take(data, pos)
        top = [take(data, pos) for _ in range(n)]
        bottom = [take(data, pos) for _ in range(n)]
        best = take(want, w)
        if g[0] >= len(got):
            return False, f"case {case + 1}: no answer"
        k = take(got, g)
        if best == -1 or k == -1:
            if k != best:
                return False, f"case {case + 1}: {k} where the answer is {best}"
            continue
        if k != best:
            return False, f"case {case + 1}: {k} moves, the minimum is {best}"
        w[0] += best  # the stored columns are one of the answers: skip them
        columns = [take(got, g) for _ in range(k)]
        if len(set(columns)) != k or not all(1 <= c <= n for c in columns):
            return False, f"case {case + 1}: columns must be {k} distinct numbers from 1 to {n}"
        for c in columns:
            top[c - 1], bottom[c - 1] = bottom[c - 1], top[c - 1]
        if sorted(top) != list(range(1, n + 1)) or sorted(bottom) != list(range(1, n + 1)):
            return False, f"case {case + 1}: after these swaps the rows are not permutations"
    if g[0] != len(got):
        return False, "extra output"
    return True
