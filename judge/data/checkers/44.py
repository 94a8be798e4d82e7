"""APPS 44: n distinct chairs from 1..4n, no two coprime and none dividing another; any such
choice is accepted."""

from math import gcd


def check(input, expected, output):
    data, lines = input.split(), [line.split() for line in output.strip().split("\n")]
    cases = int(data[0])
    if len(lines) != cases:
        return False, f"{len(lines)} lines for {cases} test cases"
    for case, (n, line) in enumerate(zip(data[1:1 + cases], lines)):
        n = int(n)
        try:
            chairs = [int(x) for x in line]
        except ValueError:
            return False, f"case {case + 1}: not integers"
        if len(chairs) != n or len(set(chairs)) != n or not all(1 <= c <= 4 * n for c in chairs):
            return False, f"case {case + 1}: {n} distinct chairs from 1 to {4 * n} are needed"
        for i, a in enumerate(chairs):
            for b in chairs[i + 1:]:
                if gcd(a, b) == 1 or a % b == 0 or b % a == 0:
                    return False, f"case {case + 1}: kids on chairs {a} and {b} indulge"
    return True
