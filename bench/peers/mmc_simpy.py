#!/usr/bin/python3
"""The M/M/c model of bench/peers/mmc.yaml in SimPy (Debian's python3-simpy, SimPy 2.3 API):
Poisson arrivals, c agents who accept at once, exponential handle times, FIFO. Prints the number
of tasks, the mean wait and the wall time.

Usage: mmc_simpy.py AGENTS RATE_PER_S MEAN_HANDLE_S HORIZON_S [SEED]
"""
import random
import sys
import time

from SimPy.Simulation import Process, Resource, activate, hold, initialize, now, release, request, simulate


class Stats:
    tasks = 0
    total_wait = 0.0


class Call(Process):
    def run(self, agents, mean_handle, rng):
        arrived = now()
        yield request, self, agents
        Stats.total_wait += now() - arrived
        Stats.tasks += 1
        yield hold, self, rng.expovariate(1.0 / mean_handle)
        yield release, self, agents


class Source(Process):
    def run(self, agents, rate, mean_handle, horizon, rng):
        while True:
            yield hold, self, rng.expovariate(rate)
            if now() >= horizon:
                return
            call = Call()
            activate(call, call.run(agents, mean_handle, rng))


def main():
    agents_n, rate, mean_handle, horizon = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    rng = random.Random(seed)
    start = time.perf_counter()
    initialize()
    agents = Resource(capacity=agents_n, name="agents")
    source = Source()
    activate(source, source.run(agents, rate, mean_handle, horizon, rng))
    simulate(until=horizon * 2)
    elapsed = time.perf_counter() - start
    print(f"tasks={Stats.tasks} mean_wait={Stats.total_wait / max(Stats.tasks, 1):.3f} seconds={elapsed:.3f} "
          f"tasks_per_s={Stats.tasks / elapsed:.0f}")


if __name__ == "__main__":
    main()
