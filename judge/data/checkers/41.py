"""APPS 41: at most n substring reversals that turn the brackets into a regular sequence with exactly
k regular prefixes; any such list of operations is accepted."""


def check(input, expected, output):
    data, got = input.split(), output.split()
    d = g = 0
    cases = int(data[d])
    d += 1
    for case in range(cases):
        n, k, s = int(data[d]), int(data[d + 1]), list(data[d + 2])
        d += 3
        try:
            m = int(got[g])
            operations = [(int(got[g + 1 + 2 * i]), int(got[g + 2 + 2 * i])) for i in range(m)]
        except (IndexError, ValueError):
            return False, f"case {case + 1}: a count and that many pairs l r are needed"
        g += 1 + 2 * m
        if not 0 <= m <= n:
            return False, f"case {case + 1}: {m} operations, at most {n} are allowed"
        for left, right in operations:
            if not 1 <= left <= right <= n:
                return False, f"case {case + 1}: no substring {left}..{right}"
            s[left - 1:right] = s[left - 1:right][::-1]
        depth, regular = 0, 0
        for ch in s:
            depth += 1 if ch == "(" else -1
            if depth < 0:
                return False, f"case {case + 1}: the result is not a regular sequence"
            regular += depth == 0
        if depth != 0 or regular != k:
            return False, f"case {case + 1}: {regular} regular prefixes, {k} are needed" if depth == 0 else \
                f"case {case + 1}: the result is not a regular sequence"
    if g != len(got):
        return False, "extra output"
    return True
