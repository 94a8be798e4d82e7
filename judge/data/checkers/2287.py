"""APPS 2287: integers on the tree's empty vertices so that neighbours differ by exactly 1, keeping the
given ones, or No; any such filling is accepted."""


def check(input, expected, output):
    data, want, got = input.split(), expected.split(), output.split()
    n = int(data[0])
    edges = [(int(data[1 + 2 * i]), int(data[2 + 2 * i])) for i in range(n - 1)]
    d = 2 * n - 1
    k = int(data[d])
    given = {int(data[d + 1 + 2 * j]): int(data[d + 2 + 2 * j]) for j in range(k)}
    if not got or got[0].lower() not in ("yes", "no"):
        return False, "the answer starts with Yes or No"
    if got[0].lower() != want[0].lower():
        return False, f"the answer is {want[0]}"
    if got[0].lower() == "no":
        return len(got) == 1, "nothing may follow No"
    try:
        values = [int(x) for x in got[1:]]
    except ValueError:
        return False, "not integers"
    if len(values) != n:
        return False, f"{n} integers are needed after Yes"
    for vertex, value in given.items():
        if values[vertex - 1] != value:
            return False, f"vertex {vertex} must keep {value}"
    for a, b in edges:
        if abs(values[a - 1] - values[b - 1]) != 1:
            return False, f"vertices {a} and {b} differ by {abs(values[a - 1] - values[b - 1])}"
    return True
