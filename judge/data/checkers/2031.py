"""APPS 2031: start positions for the m paintings so that every cell is painted and every colour
stays visible, or -1 when impossible; any such placement is accepted."""


def check(input, expected, output):
    data, want, got = input.split(), expected.split(), output.split()
    n, m = int(data[0]), int(data[1])
    lengths = [int(x) for x in data[2:2 + m]]
    if want == ["-1"] or got == ["-1"]:
        return got == want, f"the answer is {' '.join(want[:1])}"
    try:
        starts = [int(x) for x in got]
    except ValueError:
        return False, "not integers"
    if len(starts) != m:
        return False, f"{m} start positions are needed"
    colour = [0] * (n + 2)  # the colour each cell ends with
    for i, (p, length) in enumerate(zip(starts, lengths), 1):
        if not 1 <= p <= n - length + 1:
            return False, f"operation {i}: start {p} is outside 1..{n - length + 1}"
    # From the last operation back, each paints only the cells no later one painted: a cell ends
    # with the latest colour that covers it.  nxt[i]: the next cell at or after i still unpainted.
    nxt = list(range(n + 2))

    def find(i):
        while nxt[i] != i:
            nxt[i] = nxt[nxt[i]]
            i = nxt[i]
        return i
    for i in range(m - 1, -1, -1):
        cell, end = find(starts[i]), starts[i] + lengths[i] - 1
        while cell <= end:
            colour[cell] = i + 1
            nxt[cell] = cell + 1
            cell = find(cell + 1)
    if any(colour[c] == 0 for c in range(1, n + 1)):
        return False, "some cell is not painted"
    seen = set(colour[1:n + 1])
    return len(seen) == m, f"{m - len(seen)} colours are painted over completely"
