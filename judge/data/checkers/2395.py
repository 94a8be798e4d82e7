"""APPS 2395: a and b of length n, no leading zeros, digit-wise (a + b) mod 3 = x, with max(a, b) as
small as possible; any such pair is accepted."""


def check(input, expected, output):
    data, want, got = input.split(), expected.split(), output.split()
    cases = int(data[0])
    if len(got) != 2 * cases:
        return False, f"{len(got)} numbers for {cases} test cases (two each)"
    for case in range(cases):
        n, x = int(data[1 + 2 * case]), data[2 + 2 * case]
        a, b = got[2 * case], got[2 * case + 1]
        if len(a) != n or len(b) != n or not set(a + b) <= set("012") or a[0] == "0" or b[0] == "0":
            return False, f"case {case + 1}: two ternary numbers of length {n} without leading zeros are needed"
        if any((int(p) + int(q)) % 3 != int(r) for p, q, r in zip(a, b, x)):
            return False, f"case {case + 1}: {a} and {b} do not give {x}"
        best = max(want[2 * case], want[2 * case + 1])  # equal lengths: as strings, as numbers
        if max(a, b) != best:
            return False, f"case {case + 1}: max(a, b) = {max(a, b)}, the minimum is {best}"
    return True
