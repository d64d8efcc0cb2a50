#!/usr/bin/env python3
"""The scale benchmark: taskcheck on the scenario family of
../shared/bench/gen_scaled.py (the seed plus NX helpers that fork, exit and
reap GEN times) and on the corpus, in each search order (breadth-first on
1 and 2 threads), with SPIN's pan on the Promela model of the same family
(bench/peers/) beside it when spin is there: its breadth-first search, and
its default depth-first search with partial-order reduction.

Prints one markdown table: verdict, states, transitions, states/s, peak
memory, bytes per state and time to verdict (median of --runs runs, wall
clock of the whole command), and taskcheck's time over each pan's.
SPIN_TIMEOUT (seconds) bounds each pan run.

    python3 bench/run.py [--nx 0,1,2] [--gen 1,2] [--kernels v6.1,v6.3]
                         [--search preempt,dfs,bfs] [--threads 1,2] [--runs 3]
                         [--reduction on,off] [--symmetry on,off] [--sleep-sets on,off]
                         [--every-step off,on]
                         [--delays 0,1,2] [--max-depth D] [--time-limit 60] [--corpus] [--ceiling]

`--reduction off` runs taskcheck with --no-reduction (dead locals and
fields kept, RCU Tasks' lists unsorted, no symmetry, no sleep sets); `--symmetry off` with --no-symmetry (states that are
renamings of each other kept apart); `--sleep-sets off` with
--no-sleep-sets (every step taken in every state: the same states, more
transitions; the transitions column shows the steps left asleep beside
those taken);
`--every-step on` with --run-every-step (no successor built from a known
effect: the same states, the plain cost of each step). `--delays 0,1,2`
adds a search within each of these delay bounds (--max-delays), whose
verdict is `incomplete` where the bound left out a step. `--max-depth D`
stops every search at depth D (breadth-first): where no search ends (the
seed plus two helpers), the states within the same depth compare the
reductions (`--reduction on,off`). `--ceiling` adds,
per scenario and kernel, what the machine gives independent processes:
as many one-thread searches as the largest thread count, run at once,
against one after the other. No thread count can beat that ratio here.

Build first: cargo build --release.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "taskcheck")
GEN = os.path.join(ROOT, "..", "shared", "bench", "gen_scaled.py")
SPIN = os.path.join(ROOT, "bench", "peers", "run_spin.sh")


def check_cmd(scenario, kernel, search, threads, time_limit, flags=()):
    return [BIN, "check", scenario, "--kernel", kernel, "--search", search, "--threads", str(threads),
            "--format", "json", "--time-limit", str(time_limit)] + list(flags)


def run_taskcheck(scenario, kernel, search, threads, time_limit, flags=()):
    cmd = ["/usr/bin/time", "-f", "PEAK %M"] + check_cmd(scenario, kernel, search, threads, time_limit, flags)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    peak_kb = None
    for line in p.stderr.splitlines():
        if line.startswith("PEAK "):
            peak_kb = int(line.split()[1])
    try:
        r = json.loads(p.stdout)["results"][0]
    except (ValueError, KeyError, IndexError):
        return {"verdict": "error: " + p.stderr.strip()[:60], "states": 0, "transitions": 0, "asleep": 0,
                "wall": wall, "peak_kb": peak_kb}
    verdict = r["verdict"]
    if r["stats"].get("delays_covered") is not None:
        # --max-delays auto: the largest bound searched in full before the last search.
        verdict += f" (all within {r['stats']['delays_covered']} delays)"
    return {"verdict": verdict, "states": r["stats"]["states"],
            "transitions": r["stats"]["transitions"], "asleep": r["stats"].get("asleep", 0),
            "wall": wall, "peak_kb": peak_kb}


def run_spin(nx, gen, kernel, mode="bfs"):
    if not os.path.exists(SPIN):
        return None
    p = subprocess.run(["bash", SPIN, str(nx), str(gen), kernel, mode], capture_output=True, text=True)
    line = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
    if "not installed" in line or not line.startswith("spin "):
        return None
    fields = dict(f.split("=", 1) for f in line.split()[4:] if "=" in f)
    return fields


def median_run(scenario, kernel, search, threads, runs, time_limit, flags=()):
    results = [run_taskcheck(scenario, kernel, search, threads, time_limit, flags)]
    # A search the time limit stopped takes the limit again: once is enough.
    if not results[0]["verdict"].startswith("incomplete") or results[0]["wall"] < time_limit:
        results += [run_taskcheck(scenario, kernel, search, threads, time_limit, flags) for _ in range(runs - 1)]
    walls = [r["wall"] for r in results]
    r = results[0]
    r["wall"] = statistics.median(walls)
    peaks = [x["peak_kb"] for x in results if x["peak_kb"]]
    r["peak_kb"] = max(peaks) if peaks else None
    return r


def machine_ceiling(scenario, kernel, copies, runs, time_limit):
    """How much faster the machine runs `copies` independent one-thread
    searches at once than one after the other: the most any thread count
    can gain here (memory bandwidth, caches and the hypervisor are shared).
    Median of `runs` rounds, each one run alone and then `copies` at once."""
    ratios = []
    for _ in range(runs):
        alone = run_taskcheck(scenario, kernel, "bfs", 1, time_limit)["wall"]
        cmd = check_cmd(scenario, kernel, "bfs", 1, time_limit)
        t0 = time.perf_counter()
        procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(copies)]
        for p in procs:
            p.wait()
        together = time.perf_counter() - t0
        ratios.append(copies * alone / together)
    return statistics.median(ratios)


def spin_cells(r, spin):
    """pan's verdict, states and seconds, and taskcheck's time over pan's."""
    if not spin:
        return "", ""
    sp = f"{spin.get('verdict', '?')} {spin.get('states', '?')} st {float(spin.get('seconds', 0)):.2f} s"
    try:
        ratio = f"{r['wall'] / max(float(spin['seconds']), 1e-3):.1f}x"
    except (KeyError, ValueError):
        ratio = "?"
    return sp, ratio


def row(name, kernel, search, threads, r, spins):
    rate = r["states"] / r["wall"] if r["wall"] > 0 else 0
    mem = f"{r['peak_kb'] / 1024:.0f} MiB" if r["peak_kb"] else "?"
    bps = f"{r['peak_kb'] * 1024 / r['states']:.0f}" if r["peak_kb"] and r["states"] else "?"
    cells = " | ".join(" | ".join(spin_cells(r, s)) for s in spins)
    asleep = f" (+{r['asleep']} asleep)" if r.get("asleep") else ""
    return (f"| {name} | {kernel} | {search} | {threads} | {r['verdict']} | {r['states']} | {r['transitions']}{asleep} | "
            f"{rate:,.0f} | {mem} | {bps} | {r['wall']:.3f} s | {cells} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nx", default="0,1,2,3,4")
    ap.add_argument("--gen", default="1,2")
    ap.add_argument("--kernels", default="v6.1,v6.3")
    ap.add_argument("--search", default="preempt,dfs,bfs", help="search orders (dfs runs on one thread)")
    ap.add_argument("--threads", default="1,2", help="thread counts of the breadth-first search")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--reduction", default="on", help="on, off (--no-reduction) or on,off")
    ap.add_argument("--symmetry", default="on", help="on, off (--no-symmetry) or on,off")
    ap.add_argument("--sleep-sets", default="on", help="on, off (--no-sleep-sets) or on,off")
    ap.add_argument("--every-step", default="off", help="off, on (--run-every-step) or off,on")
    ap.add_argument("--time-limit", type=float, default=60)
    ap.add_argument("--delays", default="", help="also search within these delay bounds (--max-delays), e.g. 0,1,2 or auto")
    ap.add_argument("--max-depth", type=int, default=None,
                    help="stop every search at this depth (--max-depth; breadth-first): states within it, "
                         "to compare reductions where no search ends")
    ap.add_argument("--corpus", action="store_true", help="also every scenario of scenarios/ on every kernel")
    ap.add_argument("--ceiling", action="store_true",
                    help="also the machine's ceiling for threads: the largest thread count's independent "
                         "one-thread breadth-first searches run at once, against one after the other")
    a = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    print("| scenario | kernel | search | threads | verdict | states | transitions | states/s | peak memory "
          "| bytes/state | time to verdict | pan (BFS) | taskcheck/pan | pan (DFS, POR) | taskcheck/pan |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    configs = []
    for search in a.search.split(","):
        # dfs runs on one thread; preempt turns breadth-first on all of them
        # once its frontier is large.
        threads = [int(x) for x in a.threads.split(",")] if search != "dfs" else [1]
        for red in a.reduction.split(","):
            for sym in a.symmetry.split(",") if red == "on" else ["off"]:
                for sleep in a.sleep_sets.split(",") if red == "on" and search != "dfs" else ["off"]:
                    for every in a.every_step.split(","):
                        flags = ([] if red == "on" else ["--no-reduction"]) \
                            + ([] if sym == "on" else ["--no-symmetry"]) \
                            + ([] if sleep == "on" or red == "off" or search == "dfs" else ["--no-sleep-sets"]) \
                            + ([] if every == "off" else ["--run-every-step"])
                        label = search + ("" if red == "on" else ", no reduction") \
                            + ("" if sym == "on" or red == "off" else ", no symmetry") \
                            + ("" if sleep == "on" or red == "off" or search == "dfs" else ", no sleep sets") \
                            + ("" if every == "off" else ", every step run")
                        configs += [(search, t, flags, label) for t in threads]
    configs += [("preempt", 1, ["--max-delays", d], f"within {d} delays") for d in a.delays.split(",") if d]
    if a.max_depth is not None:
        configs = [(s, t, f + ["--max-depth", str(a.max_depth)], f"{l}, depth <= {a.max_depth}") for s, t, f, l in configs]
    tmp = tempfile.mkdtemp()
    for gen in [int(x) for x in a.gen.split(",")]:
        for nx in [int(x) for x in a.nx.split(",")]:
            path = os.path.join(tmp, f"scaled_{nx}_{gen}.c")
            with open(path, "w") as f:
                f.write(subprocess.run([sys.executable, GEN, str(nx), str(gen)],
                                       capture_output=True, text=True, check=True).stdout)
            for kernel in a.kernels.split(","):
                spins = [run_spin(nx, gen, kernel, "bfs"), run_spin(nx, gen, kernel, "dfs")]
                for search, threads, flags, label in configs:
                    r = median_run(path, kernel, search, threads, a.runs, a.time_limit, flags)
                    print(row(f"gen_scaled {nx} {gen}", kernel, label, threads, r, spins), flush=True)
                if a.ceiling:
                    copies = max(int(x) for x in a.threads.split(","))
                    c = machine_ceiling(path, kernel, copies, a.runs, a.time_limit)
                    print(f"| gen_scaled {nx} {gen} | {kernel} | {copies} independent bfs runs at once | {copies} | "
                          f"ceiling: {c:.2f}x the throughput of one | | | | | | | | | | |", flush=True)
    if a.corpus:
        corpus = os.path.join(ROOT, "scenarios")
        for s in sorted(os.listdir(corpus)):
            if not s.endswith(".c"):
                continue
            for kernel in ["unprotected", "v6.1", "v6.3", "v6.9", "v6.11"]:
                r = median_run(os.path.join(corpus, s), kernel, "preempt", 1, 1, a.time_limit)
                print(row(s, kernel, "preempt", 1, r, [None, None]), flush=True)


if __name__ == "__main__":
    main()
