"""APPS 2020: a necklace of all the beads with the most cuts after which it reads as a palindrome;
any necklace with that many beautiful cuts is accepted."""

from collections import Counter


def check(input, expected, output):
    data, want, got = input.split(), expected.split(), output.split()
    n = int(data[0])
    counts = {chr(ord("a") + i): int(data[1 + i]) for i in range(n)}
    if len(got) != 2 or not got[0].isdigit():
        return False, "a number and a necklace are needed"
    k, necklace = int(got[0]), got[1]
    if Counter(necklace) != Counter({c: m for c, m in counts.items() if m}):
        return False, "the necklace does not use exactly the given beads"
    if k != int(want[0]):
        return False, f"{k} beautiful cuts claimed, the most is {want[0]}"
    beautiful = _beautiful_cuts(necklace)
    return beautiful == k, f"this necklace has {beautiful} beautiful cuts, not {k}"


def _beautiful_cuts(necklace):
    """Cuts after which the chain is a palindrome, in linear time (up to 100,000 beads): the chain
    from cut i is doubled[i:i+n]; its reverse is rev[n-i:2n-i] of the doubled string reversed;
    the two are compared by polynomial hashes."""
    n, mod, base = len(necklace), (1 << 61) - 1, 131
    doubled = necklace + necklace
    rev = doubled[::-1]

    def prefix(text):
        h = [0] * (len(text) + 1)
        for i, ch in enumerate(text):
            h[i + 1] = (h[i] * base + ord(ch)) % mod
        return h
    power = [1] * (2 * n + 1)
    for i in range(2 * n):
        power[i + 1] = power[i] * base % mod
    hd, hr = prefix(doubled), prefix(rev)

    def part(h, a, b):
        return (h[b] - h[a] * power[b - a]) % mod
    return sum(part(hd, i, i + n) == part(hr, n - i, 2 * n - i) for i in range(n))
