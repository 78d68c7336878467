#!/usr/bin/env python3
"""The fake forge's throughput ceiling: how many requests a second it answers.

Starts the forge on an ecosystem of --repos repositories (the Waldur nine,
copied under other names and ids up to that number), then runs --clients
concurrent clients for --seconds, each on one keep-alive connection
(http.client), spread over --procs processes, issuing the reads a release
tool makes of every repository: GitLab project, tag list, raw file and
branch; GitHub repository, branch ref, contents and tag list. Prints
requests/s, latency percentiles, errors, and the CPU time of the forge (per
request too: the figure that least depends on what else the machine runs)
and of the load generator. The forge is one Python process: it answers on
one core at most, and while it uses less than that, the load generator or the
machine is the limit, not the forge.

    python3 tests/forge/ceiling.py [--repos 256] [--clients 16] [--procs 2]
        [--seconds 5] [--latency-ms 0] [--forge OTHER/forge.py]
        [--profile FILE [--profile-top 30]]

--forge measures another forge.py (an older copy, to compare). --profile
runs this folder's forge with every handler thread under cProfile (CPU
time, merged) and prints its top functions; the figures are then slowed by
the profiler.

Not run by CTest. Standard library only.
"""

import argparse
import http.client
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402

PROFILE_ENV = "FORGE_CEILING_PROFILE"


# --------------------------------------------------------------------------
# A scaled ecosystem
# --------------------------------------------------------------------------

def scaled_ecosystem(count, folder, base=harness.WALDUR):
    """Writes folder/manifest.json: base's repositories, then copies of them
    (suffix -N, new ids, the same files) up to `count` repositories."""
    with open(os.path.join(base, "manifest.json"), encoding="utf-8") as f:
        m = json.load(f)
    originals = m["repos"]
    repos = []
    for i in range(count):
        spec = dict(originals[i % len(originals)])
        spec["dir"] = os.path.join(base, spec.get("dir", spec["path"].split("/")[-1]))
        copy = i // len(originals)
        if copy:
            spec["path"] = "%s-%d" % (spec["path"], copy)
            spec["id"] = spec["id"] * 1000 + copy
        repos.append(spec)
    m["repos"] = repos
    with open(os.path.join(folder, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(m, f)
    return m


def request_mix(manifest):
    """[(method, path, headers)] of the reads, across every repository."""
    tokens = {t["name"]: t["token"] for t in manifest["tokens"]}
    gl = {"PRIVATE-TOKEN": tokens["gitlab_write"]}
    gh = {"Authorization": "Bearer " + tokens["github_write"], "User-Agent": "ceiling",
          "Accept": "application/vnd.github+json"}
    out = []
    for r in manifest["repos"]:
        q = urllib.parse.quote(r["path"], safe="")
        branch = r["default_branch"]
        if r["forge"] == "gitlab":
            p = "/api/v4/projects/" + q
            out += [("GET", p + "/repository/tags?per_page=100", gl),
                    ("GET", p, gl),
                    ("GET", p + "/repository/files/README.md/raw?ref=" + branch, gl),
                    ("GET", p + "/repository/branches/" + branch, gl)]
        else:
            p = "/api/v3/repos/" + r["path"]
            out += [("GET", p + "/git/ref/heads/" + branch, gh),
                    ("GET", p, gh),
                    ("GET", p + "/contents/README.md?ref=" + branch, gh),
                    ("GET", p + "/tags?per_page=100", gh)]
    return out


# --------------------------------------------------------------------------
# Load
# --------------------------------------------------------------------------

def client(host, port, mix, start, stop_at, out):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    done, errors, lat, i = 0, 0, [], start
    while time.monotonic() < stop_at:
        method, path, headers = mix[i % len(mix)]
        i += 7  # a stride: clients spread over the repositories
        t0 = time.monotonic()
        try:
            conn.request(method, path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            ok = resp.status < 400 or resp.status == 404  # README.md may be absent
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            ok = False
        lat.append(time.monotonic() - t0)
        done += ok
        errors += not ok
    conn.close()
    out.append((done, errors, lat))


def process_cpu(pid):
    """CPU seconds (user + system) a process has used, from /proc; None elsewhere."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def client_threads(host, port, mix, first, count, clients, stop_at):
    """Runs clients first .. first+count-1 of `clients`, each in a thread of
    this process, until stop_at; [(done, errors, latencies)] of each."""
    results = []
    threads = [threading.Thread(target=client, args=(host, port, mix,
                                                     k * len(mix) // clients, stop_at, results))
               for k in range(first, first + count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def client_process(args, pipe):
    pipe.send(client_threads(*args))
    pipe.close()


def run_load(forge, mix, clients, seconds, procs=1):
    """The clients spread over `procs` processes (one Python process's
    clients share its one core)."""
    import multiprocessing
    forge0 = process_cpu(forge.proc.pid)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    stop_at = t0 + seconds
    procs = max(1, min(procs, clients))
    shares = [clients // procs + (k < clients % procs) for k in range(procs)]
    firsts = [sum(shares[:k]) for k in range(procs)]
    ctx = multiprocessing.get_context("fork")
    workers = []
    for k in range(1, procs):
        recv, send = ctx.Pipe(duplex=False)
        w = ctx.Process(target=client_process, args=((forge.host, forge.port, mix, firsts[k],
                                                      shares[k], clients, stop_at), send))
        w.start()
        workers.append((w, recv))
    results = client_threads(forge.host, forge.port, mix, 0, shares[0], clients, stop_at)
    for w, recv in workers:
        results += recv.recv()
        w.join()
    wall = time.monotonic() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    kids1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    forge1 = process_cpu(forge.proc.pid)
    cpu = sum(b - a for a, b in ((cpu0.ru_utime, cpu1.ru_utime), (cpu0.ru_stime, cpu1.ru_stime),
                                 (kids0.ru_utime, kids1.ru_utime),
                                 (kids0.ru_stime, kids1.ru_stime)))
    done = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    lat = sorted(x for r in results for x in r[2])
    pct = (lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000) if lat else \
        (lambda p: 0.0)
    return {"requests": done, "errors": errors, "wall": wall, "rps": done / wall,
            "p50_ms": pct(0.50), "p99_ms": pct(0.99), "client_cpu": cpu,
            "forge_cpu": forge1 - forge0 if forge0 is not None and forge1 is not None else -1}


# --------------------------------------------------------------------------
# The forge under cProfile (this file, run as the forge's entry point)
# --------------------------------------------------------------------------

def serve_profiled(out_file):
    """Runs server.main() with every handler thread profiled; on exit the
    merged statistics go to out_file."""
    import cProfile
    import pstats
    import server

    done, lock = [], threading.Lock()
    plain = server.Handler.handle

    def handle(self):
        prof = cProfile.Profile(time.thread_time)
        prof.enable()
        try:
            plain(self)
        finally:
            prof.disable()
            with lock:
                done.append(prof)

    server.Handler.handle = handle
    code = server.main(sys.argv[1:])
    time.sleep(0.5)  # connections closing after the load stopped
    with lock:
        if done:
            stats = pstats.Stats(done[0])
            for p in done[1:]:
                stats.add(p)
            stats.dump_stats(out_file)
    return code


def print_profile(path, top):
    import pstats
    stats = pstats.Stats(path)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repos", type=int, default=256)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--procs", type=int, default=2,
                    help="load generator processes the clients are spread over")
    ap.add_argument("--latency-ms", type=float, default=0)
    ap.add_argument("--forge", help="another forge.py to measure (e.g. an older copy)")
    ap.add_argument("--profile", help="cProfile the forge, statistics to this file")
    ap.add_argument("--profile-top", type=int, default=30)
    args = ap.parse_args()
    folder = tempfile.mkdtemp(prefix="forge-ceiling-")
    try:
        manifest = scaled_ecosystem(args.repos, folder)
        mix = request_mix(manifest)
        forge_args = ["--latency-ms", str(args.latency_ms)]
        if args.forge:
            harness.FORGE = os.path.abspath(args.forge)
        if args.profile:
            os.environ[PROFILE_ENV] = os.path.abspath(args.profile)
            harness.FORGE = os.path.abspath(__file__)
        t0 = time.monotonic()
        with harness.Forge(ecosystem=folder, args=forge_args, start_timeout=120) as forge:
            os.environ.pop(PROFILE_ENV, None)
            started = time.monotonic() - t0
            r = run_load(forge, mix, args.clients, args.seconds, args.procs)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("forge: %d repositories (started in %.1f s), latency %g ms; %d clients in %d "
          "processes for %.1f s" % (args.repos, started, args.latency_ms, args.clients,
                                    max(1, min(args.procs, args.clients)), r["wall"]))
    print("%.0f requests/s  (%d requests, %d errors; p50 %.1f ms, p99 %.1f ms)" % (
        r["rps"], r["requests"], r["errors"], r["p50_ms"], r["p99_ms"]))
    print("CPU: forge %.1f s (%.0f us a request), load generator %.1f s, of %.1f s (%d cores;"
          " the forge, one Python process, uses one at most)" % (
              r["forge_cpu"], r["forge_cpu"] * 1e6 / max(1, r["requests"]), r["client_cpu"],
              r["wall"], os.cpu_count()))
    if args.profile:
        print_profile(args.profile, args.profile_top)
    return 1 if r["errors"] else 0


if __name__ == "__main__":
    if os.environ.get(PROFILE_ENV):
        sys.exit(serve_profiled(os.environ[PROFILE_ENV]))
    sys.exit(main())
