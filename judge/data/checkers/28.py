"""APPS 28: the question marks replaced so that "abacaba" occurs exactly once, or No (Yes and No in
any letter case); any such string is accepted."""


def check(input, expected, output):
    data, want, got = input.split(), expected.split(), output.split()
    cases = int(data[0])
    w = g = 0
    for case in range(cases):
        s = data[2 + 2 * case]
        possible = want[w].lower() == "yes"
        w += 2 if possible else 1
        if g >= len(got) or got[g].lower() not in ("yes", "no"):
            return False, f"case {case + 1}: Yes or No is needed"
        said = got[g].lower() == "yes"
        g += 1
        if said != possible:
            return False, f"case {case + 1}: the answer is {'Yes' if possible else 'No'}"
        if not said:
            continue
        if g >= len(got):
            return False, f"case {case + 1}: no string after Yes"
        t = got[g]
        g += 1
        if len(t) != len(s) or any(a != "?" and a != b for a, b in zip(s, t)) or not (t.isalpha() and t.islower()):
            return False, f"case {case + 1}: {t} is not {s} with its question marks replaced by letters"
        count = sum(t[i:i + 7] == "abacaba" for i in range(len(t) - 6))
        if count != 1:
            return False, f"case {case + 1}: abacaba occurs {count} times"
    if g != len(got):
        return False, "extra output"
    return True
