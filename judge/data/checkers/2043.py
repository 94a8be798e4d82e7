"""APPS 2043: the lists joined into a single list, every given link kept; any such single list is
accepted."""


def check(input, expected, output):
    data, got = input.split(), output.split()
    n = int(data[0])
    given = [(int(data[1 + 2 * i]), int(data[2 + 2 * i])) for i in range(n)]
    try:
        links = [(int(got[2 * i]), int(got[2 * i + 1])) for i in range(n)]
    except (IndexError, ValueError):
        return False, f"{n} lines of two integers are needed"
    if len(got) != 2 * n:
        return False, "extra output"
    for i, ((l0, r0), (l1, r1)) in enumerate(zip(given, links), 1):
        if (l0 and l0 != l1) or (r0 and r0 != r1) or not (0 <= l1 <= n and 0 <= r1 <= n):
            return False, f"cell {i}: a given link was changed"
        if (l1 and links[l1 - 1][1] != i) or (r1 and links[r1 - 1][0] != i):
            return False, f"cell {i}: its links are not mutual"
    heads = [i for i, (left, _) in enumerate(links, 1) if left == 0]
    if len(heads) != 1:
        return False, f"{len(heads)} lists, not one"
    seen, cell = 0, heads[0]
    while cell and seen <= n:
        seen += 1
        cell = links[cell - 1][1]
    return seen == n, "the list does not pass through every cell once"
