"""APPS 2025: the fewest divisibility questions that identify any x in 1..n; any set of that
minimum size that tells every x apart is accepted."""


def check(input, expected, output):
    n = int(input.split()[0])
    try:
        got = [int(x) for x in output.split()]
    except ValueError:
        return False, "not integers"
    best = int(expected.split()[0])
    if not got or got[0] != best or len(got) != 1 + best:
        return False, f"the minimum number of questions is {best}"
    questions = got[1:]
    if not all(1 <= y <= n for y in questions):
        return False, f"questions must be numbers from 1 to {n}"
    answers = {tuple(x % y == 0 for y in questions) for x in range(1, n + 1)}
    return len(answers) == n, "two numbers get the same answers"
