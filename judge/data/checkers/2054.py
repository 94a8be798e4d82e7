"""APPS 2054: a root for which every subtree (the whole tree aside) has one colour, or NO; any
such root is accepted."""

from collections import defaultdict


def _works(n, edges, colour, root):
    children = defaultdict(list)
    for u, v in edges:
        children[u].append(v)
        children[v].append(u)
    # Each neighbour of the root heads a subtree that must be of one colour.
    for head in children[root]:
        stack, seen = [head], {root, head}
        while stack:
            node = stack.pop()
            if colour[node] != colour[head]:
                return False
            for nxt in children[node]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
    return True


def check(input, expected, output):
    data = input.split()
    n = int(data[0])
    edges = [(int(data[1 + 2 * i]), int(data[2 + 2 * i])) for i in range(n - 1)]
    colour = {i + 1: data[2 * n - 1 + i] for i in range(n)}
    want, got = expected.split(), output.split()
    if not got or got[0].upper() not in ("YES", "NO"):
        return False, "the answer starts with YES or NO"
    if want[0].upper() == "NO" or got[0].upper() == "NO":
        return got[0].upper() == want[0].upper() and len(got) == 1, f"the answer is {want[0]}"
    if len(got) != 2 or not got[1].lstrip("-").isdigit() or not 1 <= int(got[1]) <= n:
        return False, f"YES must be followed by one vertex from 1 to {n}"
    return _works(n, edges, colour, int(got[1])), f"vertex {got[1]} leaves a subtree of mixed colours"
