"""APPS 2378: the longest valid walk (back to (0, 0), no cell visited twice) made of some of the
given instructions, rearranged; any walk of the maximum length is accepted."""

from collections import Counter


def check(input, expected, output):
    lines = input.split("\n")
    q = int(lines[0])
    want, got = expected.split(), output.split()
    w = g = 0
    for case in range(q):
        given = Counter(lines[1 + case].strip())
        best = int(want[w])
        w += 1 if best == 0 else 2
        if g >= len(got) or not got[g].lstrip("-").isdigit():
            return False, f"case {case + 1}: no length"
        k = int(got[g])
        g += 1
        walk = ""
        if k > 0:
            if g >= len(got):
                return False, f"case {case + 1}: no walk"
            walk = got[g]
            g += 1
        elif g < len(got) and not got[g].lstrip("-").isdigit():
            return False, f"case {case + 1}: a walk after length 0"
        if k != best or len(walk) != k:
            return False, f"case {case + 1}: length {k} (walk of {len(walk)}), the maximum is {best}"
        if any(count > given[c] for c, count in Counter(walk).items()):
            return False, f"case {case + 1}: the walk uses instructions that are not there"
        x = y = 0
        seen = {(0, 0)}
        for i, step in enumerate(walk):
            dx, dy = {"L": (-1, 0), "R": (1, 0), "U": (0, 1), "D": (0, -1)}[step]
            x, y = x + dx, y + dy
            if (x, y) in seen and not ((x, y) == (0, 0) and i == len(walk) - 1):
                return False, f"case {case + 1}: cell ({x}, {y}) visited twice"
            seen.add((x, y))
        if (x, y) != (0, 0):
            return False, f"case {case + 1}: the walk ends at ({x}, {y})"
    if g != len(got):
        return False, "extra output"
    return True
