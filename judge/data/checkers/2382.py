"""APPS 2382: a string differing from each given string in at most one position, or -1 when none
exists; any such string is accepted."""


def check(input, expected, output):
    data, want, got = input.split(), expected.split(), output.split()
    cases = int(data[0])
    d = 1
    if len(got) != cases:
        return False, f"{len(got)} answers for {cases} test cases"
    for case in range(cases):
        n, m = int(data[d]), int(data[d + 1])
        strings = data[d + 2:d + 2 + n]
        d += 2 + n
        answer = got[case]
        if want[case] == "-1" or answer == "-1":
            if answer != want[case]:
                return False, f"case {case + 1}: {answer} where the answer is {want[case]}"
            continue
        if len(answer) != m or not answer.isalpha() or not answer.islower():
            return False, f"case {case + 1}: a string of {m} lowercase letters is needed"
        for s in strings:
            if sum(x != y for x, y in zip(s, answer)) > 1:
                return False, f"case {case + 1}: {answer} differs from {s} in more than one position"
    return True
