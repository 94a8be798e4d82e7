"""APPS 46: choices that maximize the wins summed over every starting position of the bot; any
optimal string is accepted.  Over all starting positions each choice meets every bot letter once,
so a string's total is the sum, over its choices, of how many bot letters each one beats."""

BEATS = {"R": "S", "S": "P", "P": "R"}  # what each choice beats


def check(input, expected, output):
    bots, want, got = input.split()[1:], expected.split(), output.split()
    if len(got) != len(bots):
        return False, f"{len(got)} answers for {len(bots)} test cases"
    for case, (s, best, answer) in enumerate(zip(bots, want, got), 1):
        if len(answer) != len(s) or not set(answer) <= set("RSP"):
            return False, f"case {case}: {len(s)} letters R, S or P are needed"
        beaten = {c: s.count(BEATS[c]) for c in "RSP"}  # bot letters each choice beats

        def total(choices):
            return sum(beaten[c] for c in choices)
        if total(answer) != total(best):
            return False, f"case {case}: {total(answer)} wins in all, the most is {total(best)}"
    return True
