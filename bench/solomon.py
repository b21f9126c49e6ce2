"""The dispatch optimiser against PyVRP and VROOM on Solomon's 56 VRPTW instances (docs/dispatch.md).

One integer matrix for everyone (Euclidean x 1000, rounded per leg; duration = distance; times and
service x 1000), every customer served, the instance's fleet, the least total distance, the same
wall-clock budget, one after another in the same run. Each plan is checked here, independently of
its solver (each customer once, capacity, windows with waiting, depot closing time, fleet), and its
distance recomputed on the matrix.

    python bench/solomon.py --dispatch BIN --seconds 10 [--only C101,R101] [--json OUT]

Prints one row per instance and, last, the ratios the issue sets targets on (dispatch / PyVRP: mean
<= 1.03, none above 1.10).
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "solomon")


def read(path):
    lines = [line.split() for line in open(path) if line.strip()]
    vehicles, capacity = None, None
    nodes = []
    for i, row in enumerate(lines):
        if row[0].upper() == "NUMBER" and vehicles is None:
            vehicles, capacity = (int(v) for v in lines[i + 1])
        if len(row) == 7 and all(t.replace(".", "").lstrip("-").isdigit() for t in row):
            nodes.append(tuple(int(float(t)) for t in row))
    return vehicles, capacity, nodes


def matrix(nodes):
    return [[round(math.hypot(a[1] - b[1], a[2] - b[2]) * 1000) for b in nodes] for a in nodes]


def check(routes, vehicles, capacity, nodes, dist):
    """The plan's distance, or the reason it is not a plan."""
    seen = [c for r in routes for c in r]
    if sorted(seen) != list(range(1, len(nodes))):
        return None, "customers not each served once"
    if len(routes) > vehicles:
        return None, "too many routes"
    total = 0
    for r in routes:
        if sum(nodes[c][3] for c in r) > capacity:
            return None, "over capacity"
        t, at = nodes[0][4] * 1000, 0
        for c in r:
            t += dist[at][c]
            t = max(t, nodes[c][4] * 1000)
            if t > nodes[c][5] * 1000:
                return None, f"late at {c}"
            t += nodes[c][6] * 1000
            total += dist[at][c]
            at = c
        t += dist[at][0]
        total += dist[at][0]
        if t > nodes[0][5] * 1000:
            return None, "back late"
    return total, None


def pyvrp_solve(vehicles, capacity, nodes, dist, seconds, seed):
    import pyvrp
    from pyvrp.stop import MaxRuntime

    m = pyvrp.Model()
    locs = [m.add_location(x=n[1], y=n[2]) for n in nodes]
    depot = m.add_depot(locs[0], tw_early=nodes[0][4] * 1000, tw_late=nodes[0][5] * 1000)
    m.add_vehicle_type(num_available=vehicles, capacity=capacity, start_depot=depot, end_depot=depot,
                       tw_early=nodes[0][4] * 1000, tw_late=nodes[0][5] * 1000)
    for n in nodes[1:]:
        m.add_client(locs[n[0]], delivery=n[3], service_duration=n[6] * 1000,
                     tw_early=n[4] * 1000, tw_late=n[5] * 1000)
    for i, a in enumerate(locs):
        for j, b in enumerate(locs):
            m.add_edge(a, b, distance=dist[i][j], duration=dist[i][j])
    result = m.solve(stop=MaxRuntime(seconds), seed=seed, display=False)
    return [[a.idx + 1 for a in r if a.is_client()] for r in result.best.routes() if r.num_clients()]


def vroom_solve(vehicles, capacity, nodes, dist, seconds, seed):
    import vroom

    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=dist)
    problem.set_costs_matrix(profile="car", matrix_input=dist)
    for v in range(vehicles):
        problem.add_vehicle(vroom.Vehicle(id=v + 1, start=0, end=0, capacity=[capacity],
                                          time_window=vroom.TimeWindow(nodes[0][4] * 1000, nodes[0][5] * 1000)))
    for n in nodes[1:]:
        problem.add_job(vroom.Job(id=n[0], location=n[0], default_service=n[6] * 1000, delivery=[n[3]],
                                  time_windows=[vroom.TimeWindow(n[4] * 1000, n[5] * 1000)]))
    solution = problem.solve(exploration_level=5, nb_threads=os.cpu_count() or 1,
                             timeout=timedelta(seconds=seconds))
    routes = solution.routes
    plans = []
    for vid in sorted(set(routes["vehicle_id"])):
        steps = routes[(routes["vehicle_id"] == vid) & (routes["type"] == "job")]
        plans.append([int(j) for j in steps["id"]])
    return plans


def dispatch_solve(binary, path, seconds, seed):
    out = subprocess.run([binary, "solve", path, "--seconds", str(seconds), "--seed", str(seed)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["routes"]


def verdicts(rows, chosen, seconds):
    """The issue's targets, as lines `make bench` judges: PASS|FAIL|INFO <target> <value>."""
    if not {"dispatch", "pyvrp"} <= set(chosen):
        return
    ratios = [r["dispatch"]["distance"] / r["pyvrp"]["distance"] if r["dispatch"]["distance"] and
              r["pyvrp"]["distance"] else math.inf for r in rows.values()]
    mean, worst = statistics.mean(ratios), max(ratios)
    print(f"{'PASS' if mean <= 1.03 else 'FAIL'} mean dispatch/PyVRP, {len(ratios)} instances at {seconds:g} s "
          f"(<= 1.03) {mean:.4f}")
    print(f"{'PASS' if worst <= 1.10 else 'FAIL'} worst dispatch/PyVRP (<= 1.10) {worst:.4f}")
    if "vroom" in chosen:
        vr = [r["dispatch"]["distance"] / r["vroom"]["distance"] for r in rows.values()
              if r["dispatch"]["distance"] and r["vroom"]["distance"]]
        print(f"INFO mean dispatch/VROOM {statistics.mean(vr):.4f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dispatch", required=True, help="the dispatch binary")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", default="")
    ap.add_argument("--solvers", default="dispatch,pyvrp,vroom")
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    names = sorted(f[:-4] for f in os.listdir(DATA) if f.endswith(".txt"))
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    solvers = {
        "dispatch": lambda v, c, n, d, p: dispatch_solve(args.dispatch, p, args.seconds, args.seed),
        "pyvrp": lambda v, c, n, d, p: pyvrp_solve(v, c, n, d, args.seconds, args.seed),
        "vroom": lambda v, c, n, d, p: vroom_solve(v, c, n, d, args.seconds, args.seed),
    }
    chosen = args.solvers.split(",")
    rows = {}
    print(f"{'instance':8} " + " ".join(f"{s:>22}" for s in chosen) + "   dispatch/pyvrp", flush=True)
    for name in names:
        path = os.path.join(DATA, name + ".txt")
        vehicles, capacity, nodes = read(path)
        dist = matrix(nodes)
        row = {}
        for s in chosen:
            started = time.monotonic()
            routes = solvers[s](vehicles, capacity, nodes, dist, path)
            total, problem = check(routes, vehicles, capacity, nodes, dist)
            row[s] = {"distance": total, "problem": problem, "routes": len(routes),
                      "seconds": round(time.monotonic() - started, 2)}
        rows[name] = row
        cells = " ".join(
            f"{(row[s]['distance'] or 0) / 1000:>12.1f} ({row[s]['routes']:>2}) {row[s]['seconds']:>4.1f}s"
            if row[s]["problem"] is None else f"{row[s]['problem']:>22}" for s in chosen)
        ratio = ""
        if {"dispatch", "pyvrp"} <= set(chosen) and row["dispatch"]["distance"] and row["pyvrp"]["distance"]:
            ratio = f"{row['dispatch']['distance'] / row['pyvrp']['distance']:.4f}"
        print(f"{name:8} {cells}   {ratio}", flush=True)
    failed = [(n, s) for n, r in rows.items() for s in chosen if r[s]["problem"]]
    for other in [s for s in chosen if s != "dispatch"]:
        if "dispatch" not in chosen:
            break
        ratios = [r["dispatch"]["distance"] / r[other]["distance"] for r in rows.values()
                  if r["dispatch"]["distance"] and r[other]["distance"]]
        if ratios:
            worst = max(zip(ratios, [n for n, r in rows.items()
                                     if r["dispatch"]["distance"] and r[other]["distance"]]))
            print(f"dispatch/{other}: mean {statistics.mean(ratios):.4f} x, worst {worst[0]:.4f} x ({worst[1]}), "
                  f"{len(ratios)} instances, {args.seconds:g} s each")
    verdicts(rows, chosen, args.seconds)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    if failed:
        print("infeasible or incomplete plans: " + ", ".join(f"{n}/{s}" for n, s in failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
