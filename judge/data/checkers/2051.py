"""APPS 2051: a departure minute for each flight, all different, in k+1..k+n, none before its planned
minute, with the minimum total delay cost; any such schedule is accepted."""


def check(input, expected, output):
    data, want, got = input.split(), expected.split(), output.split()
    n, k = int(data[0]), int(data[1])
    costs = [int(x) for x in data[2:2 + n]]
    try:
        total, times = int(got[0]), [int(x) for x in got[1:]]
    except (IndexError, ValueError):
        return False, "the cost and n minutes are needed"
    if total != int(want[0]):
        return False, f"total cost {total}, the minimum is {want[0]}"
    if len(times) != n or len(set(times)) != n or not all(k + 1 <= t <= k + n for t in times):
        return False, f"{n} different minutes from {k + 1} to {k + n} are needed"
    if any(t < i for i, t in enumerate(times, 1)):
        return False, "a flight departs before its planned minute"
    cost = sum(c * (t - i) for i, (c, t) in enumerate(zip(costs, times), 1))
    return cost == total, f"this schedule costs {cost}, not {total}"
