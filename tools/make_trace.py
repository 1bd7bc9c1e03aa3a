#!/usr/bin/env python3
"""Writes scenarios/trace-day.csv: one working day (08:00-18:00) of tasks for trace-day.yaml.

The trace stands in for an export of yesterday's tasks: arrival time (seconds from 08:00), channel,
priority, handle time, patience, and attributes (language, reason, a nested customer.tier and
customer.id). It was generated once with this script and committed; running it again writes the
same bytes (its own random generator, no dependence on Python's `random` module):

    tools/make_trace.py > scenarios/trace-day.csv
"""
import math
import sys

MASK = (1 << 64) - 1


class SplitMix64:
    """A tiny, fully specified generator, so the output never depends on the Python version."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        """In (0, 1]."""
        return ((self.next() >> 11) + 1) / float(1 << 53)

    def exponential(self, mean):
        return -mean * math.log(self.uniform())

    def choice(self, weighted):
        u = self.uniform()
        for value, p in weighted:
            if u <= p:
                return value
            u -= p
        return weighted[-1][0]


# Tasks per hour for each hour from 08:00: a morning peak, a lunch dip, an afternoon shoulder.
PER_HOUR = [30, 55, 60, 50, 35, 45, 50, 40, 25, 15]
PEAK = max(PER_HOUR)


def main():
    rng = SplitMix64(20260302)
    rows = []
    t = 0.0
    horizon = 3600.0 * len(PER_HOUR)
    # Thinning: candidates at the peak rate, each kept with probability rate(t) / peak.
    while True:
        t += rng.exponential(3600.0 / PEAK)
        if t >= horizon:
            break
        keep = rng.uniform() <= PER_HOUR[int(t // 3600)] / PEAK
        # Draw every attribute for every candidate, so the kept rows do not depend on the thinning.
        channel = rng.choice([("voice", 0.7), ("chat", 0.3)])
        language = rng.choice([("en", 0.75), ("es", 0.25)])
        reason = rng.choice([("billing", 0.4), ("technical", 0.45), ("cancel", 0.15)])
        tier = rng.choice([("gold", 0.12), ("standard", 0.88)])
        callback = rng.uniform() <= 0.1
        handle = max(30.0, rng.exponential(300.0 if channel == "voice" else 540.0))
        patience = rng.exponential(180.0 if channel == "voice" else 480.0)
        customer = 10000 + int(rng.uniform() * 90000)
        if not keep:
            continue
        priority = 5 if tier == "gold" else (2 if reason == "cancel" else 0)
        rows.append(
            [
                str(int(t)),
                channel,
                str(priority),
                str(int(round(handle))),
                "" if callback else str(int(round(patience))),  # a callback never abandons
                language,
                reason,
                tier,
                "C%05d" % customer,
            ]
        )
    out = sys.stdout
    out.write("time,channel,priority,handle_time,patience,language,reason,customer.tier,customer.id\n")
    for r in rows:
        out.write(",".join(r) + "\n")


if __name__ == "__main__":
    main()
