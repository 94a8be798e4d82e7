"""APPS 2029: 1..2n on a circle so that the sums of any n consecutive numbers differ by at most 1,
or NO when impossible; any such circle is accepted."""


def check(input, expected, output):
    n = int(input.split()[0])
    want, got = expected.split(), output.split()
    if not got or got[0].upper() not in ("YES", "NO"):
        return False, "the answer starts with YES or NO"
    if got[0].upper() != want[0].upper():
        return False, f"the answer is {want[0]}"
    if got[0].upper() == "NO":
        return len(got) == 1, "nothing may follow NO"
    try:
        circle = [int(x) for x in got[1:]]
    except ValueError:
        return False, "not integers"
    if sorted(circle) != list(range(1, 2 * n + 1)):
        return False, f"not an arrangement of 1..{2 * n}"
    window = sum(circle[:n])
    sums = [window]
    for i in range(1, 2 * n):
        window += circle[(i + n - 1) % (2 * n)] - circle[i - 1]
        sums.append(window)
    return max(sums) - min(sums) <= 1, f"sums from {min(sums)} to {max(sums)}"
