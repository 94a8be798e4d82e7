"""APPS 0: the fewest reversals after which the words stay distinct and can be chained (each starts
with the previous one's last character), or -1; any such set of reversals is accepted."""


def _chainable(words):
    kinds = {"00": 0, "11": 0, "01": 0, "10": 0}
    for w in words:
        kinds[w[0] + w[-1]] += 1
    if kinds["00"] and kinds["11"] and not (kinds["01"] or kinds["10"]):
        return False
    return abs(kinds["01"] - kinds["10"]) <= 1


def check(input, expected, output):
    data, want, got = input.split(), expected.split(), output.split()
    d = w = g = 0
    cases = int(data[d])
    d += 1
    for case in range(cases):
        n = int(data[d])
        words = data[d + 1:d + 1 + n]
        d += 1 + n
        best = int(want[w])
        w += 1 if best == -1 else 1 + best
        if g >= len(got):
            return False, f"case {case + 1}: no answer"
        k = int(got[g]) if got[g].lstrip("-").isdigit() else None
        g += 1
        if k is None or k != best:
            return False, f"case {case + 1}: {got[g - 1]} where the answer is {best}"
        if best == -1:
            continue
        try:
            chosen = [int(x) for x in got[g:g + k]]
        except ValueError:
            return False, f"case {case + 1}: {k} word numbers are needed"
        g += k
        if len(chosen) != k or len(set(chosen)) != k or not all(1 <= i <= n for i in chosen):
            return False, f"case {case + 1}: {k} distinct word numbers from 1 to {n} are needed"
        final = list(words)
        for i in chosen:
            final[i - 1] = final[i - 1][::-1]
        if len(set(final)) != n:
            return False, f"case {case + 1}: after the reversals two words are the same"
        if not _chainable(final):
            return False, f"case {case + 1}: after the reversals the words cannot be chained"
    if g != len(got):
        return False, "extra output"
    return True
