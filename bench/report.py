#!/usr/bin/python3
"""Turns lock_bench's JSON into the ratio tables and the docs/perf_*.png plots.

    /usr/bin/python3 bench/report.py RESULTS.json [--plots DIR]

Prints Markdown tables (docs/performance.md pastes them as they are): every
lock's throughput over glibc's mutex in the same run, for each case and
process count, then the issue's targets with the measured figure. With
--plots, draws the PNGs into DIR (matplotlib: Debian's python3-matplotlib,
hence /usr/bin/python3).
"""

import argparse
import json
import os
import re
import sys

REFERENCE = "glibc_mutex"
OURS = ["FutexLock", "TicketLock", "SpinLock", "PthreadMutex", "RobustLock",
        "RecursiveLock<FutexLock>", "SeqLock"]
BASELINES = ["glibc_mutex", "posix_sem", "boost_mutex", "ck_fas", "ck_ticket"]
FLOORS = ["atomic_fetch_add", "RawValue_fetch_add", "two_rmw_floor"]
# FutexLock without its hand-off (bench/wait_cases.cpp): the "today's FutexLock" of issue 14.
OURS_BEFORE = ["FutexLock_barging"]
# Issue 14's wait goal: kStarveAfter (1 ms) plus one scheduler time slice,
# taken as 3 ms (CFS's sched_latency_ns / 2 on small machines; EEVDF's base
# slice is 0.75 ms times 1 + log2 of the CPUs, at most 3 ms).
WAIT_GOAL_NS = 1e6 + 3e6
DISPLAY = {
    "glibc_mutex": "glibc pthread_mutex (pshared)",
    "posix_sem": "POSIX sem_t (Python billiard's Lock)",
    "boost_mutex": "Boost interprocess_mutex",
    "ck_fas": "CK ck_spinlock_fas",
    "ck_ticket": "CK ck_spinlock_ticket",
    "atomic_fetch_add": "std::atomic fetch_add (no lock)",
    "RawValue_fetch_add": "RawValue fetch_add (no lock)",
    "two_rmw_floor": "two RMWs: CAS + increment + exchange (no lock)",
    "FutexLock_barging": "FutexLock without hand-off (before issue 14)",
}
# Parameters Google Benchmark adds to a name; ours are everything else.
RUN_PARAMS = {"iterations", "min_time", "repeats", "manual_time", "real_time"}
TIME_UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def display(subject):
    return DISPLAY.get(subject, subject)


class Result:
    """One case: its group, subject (lock or strategy), parameters, counters."""

    def __init__(self, row):
        parts = row["run_name"].split("/")
        self.group, self.subject = parts[0], parts[1]
        self.params = {}
        for part in parts[2:]:
            key, _, value = part.partition(":")
            if key not in RUN_PARAMS:
                self.params[key] = value
        self.error = row.get("error_message") if row.get("error_occurred") else None
        self.row = row

    def __getitem__(self, counter):
        return self.row[counter]

    def get(self, counter, default=None):
        return self.row.get(counter, default)

    def ns_per_op(self):
        if "ns_per_op" in self.row:
            return self.row["ns_per_op"]
        return self.row["real_time"] * TIME_UNIT_NS[self.row["time_unit"]]


class Results:
    def __init__(self, path):
        with open(path) as f:
            data = json.load(f)
        self.context = data["context"]
        self.results = []
        for row in data["benchmarks"]:
            # Repeated cases report aggregates only: their median stands for them.
            if row.get("run_type") == "aggregate" and row.get("aggregate_name") != "median":
                continue
            self.results.append(Result(row))

    def find(self, group, subject, **params):
        for r in self.results:
            if r.group == group and r.subject == subject and all(
                    r.params.get(k) == str(v) for k, v in params.items()):
                return r
        return None

    def subjects(self, group):
        seen = []
        for r in self.results:
            if r.group == group and r.subject not in seen:
                seen.append(r.subject)
        order = OURS + OURS_BEFORE + BASELINES + FLOORS
        return sorted(seen, key=lambda s: order.index(s) if s in order else len(order))

    def values(self, group, key):
        out = []
        for r in self.results:
            if r.group == group and key in r.params and r.params[key] not in out:
                out.append(r.params[key])
        return sorted(out, key=float)


def ratio(reference, value):
    """reference / value: how many times faster than the reference (higher is better)."""
    if reference is None or value is None or value <= 0:
        return None
    return reference / value


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e4:
        return f"{ns / 1e3:.1f} us"
    if ns >= 100:
        return f"{ns:.0f} ns"
    return f"{ns:.1f} ns"


def fmt_ratio(x):
    return "" if x is None else f"{x:.2f}x"


DNF = re.compile(r"did not finish: (\d+) of (\d+) (?:ops|acquisitions|hand-offs) in (\d+) s")


def stopped_ns_per_op(r):
    """For a run stopped at the cap: the time per operation it was managing, or None."""
    m = DNF.match(r.error or "")
    if not m or int(m.group(1)) == 0:
        return None
    return int(m.group(3)) * 1e9 / int(m.group(1))


def short_error(r):
    m = DNF.match(r.error)
    if m:
        return f"did not finish ({int(m.group(1)):,} of {int(m.group(2)):,} in {m.group(3)} s)"
    if r.error.startswith("did not finish"):
        return r.error
    return "FAILED: " + r.error


def cell(r, reference_ns):
    if r is None:
        return "-"
    if r.error:
        slow = stopped_ns_per_op(r)
        if slow is None:
            return short_error(r)
        x = ratio(reference_ns, slow)
        return (f"did not finish: {fmt_ns(slow)}" + (f" ({fmt_ratio(x)})" if x is not None else "")
                + f" when stopped at {DNF.match(r.error).group(3)} s")
    ns = r.ns_per_op()
    x = ratio(reference_ns, ns)
    return fmt_ns(ns) + (f" ({fmt_ratio(x)})" if x is not None else "")


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def reference_ns(res, group, **params):
    r = res.find(group, REFERENCE, **params)
    return None if r is None or r.error else r.ns_per_op()


def uncontended_table(res):
    ref = reference_ns(res, "uncontended")
    rows = [[display(s), cell(res.find("uncontended", s), ref)] for s in res.subjects("uncontended")]
    return table(["strategy", "ns/op (throughput vs glibc)"], rows)


def counter_table(res):
    procs = res.values("counter", "procs")
    refs = {p: reference_ns(res, "counter", procs=p) for p in procs}
    rows = [[display(s)] + [cell(res.find("counter", s, procs=p), refs[p]) for p in procs]
            for s in res.subjects("counter")]
    return table(["strategy"] + [f"{p} process" + ("es" if p != "1" else "") for p in procs], rows)


def work_label(w):
    return "empty" if w == "0" else fmt_ns(float(w)) + " of work"


def sweep_table(res):
    procs = res.values("cs_sweep", "procs")
    works = res.values("cs_sweep", "work_ns")
    columns = [(p, w) for p in procs for w in works]
    refs = {c: reference_ns(res, "cs_sweep", procs=c[0], work_ns=c[1]) for c in columns}
    rows = [[display(s)] + [cell(res.find("cs_sweep", s, procs=p, work_ns=w), refs[(p, w)]) for p, w in columns]
            for s in res.subjects("cs_sweep")]
    return table(["lock"] + [f"{p} processes, {work_label(w)}" for p, w in columns], rows)


def cpu_table(res):
    procs = [p for p in res.values("counter", "procs") if p != "1"]
    rows = []
    for s in res.subjects("counter"):
        row = [display(s)]
        for p in procs:
            r = res.find("counter", s, procs=p)
            row.append("-" if r is None or r.error or "cpu_ns_per_op" not in r.row
                       else f"{r['cpu_ns_per_op']:.0f} ns ({r['cpu_ns_per_op'] / r.ns_per_op():.1f} cores)")
        rows.append(row)
    return table(["strategy"] + [f"{p} processes: CPU per op (cores busy)" for p in procs], rows)


def handoff_table(res):
    holds = res.values("handoff", "hold_ns")
    rows = []
    for s in res.subjects("handoff"):
        row = [display(s)]
        for h in holds:
            r = res.find("handoff", s, hold_ns=h)
            ref = res.find("handoff", REFERENCE, hold_ns=h)
            if r is None:
                row.append("-")
            elif r.error:
                row.append(short_error(r))
            else:
                x = ratio(None if ref is None or ref.error else ref["p50_ns"], r["p50_ns"])
                row.append(f"{fmt_ns(r['p50_ns'])} / {fmt_ns(r['p99_ns'])}"
                           + (f" ({fmt_ratio(x)})" if x is not None else ""))
        rows.append(row)
    return table(["lock"] + [f"hold {fmt_ns(float(h))}: p50 / p99 (p50 vs glibc)" for h in holds], rows)


def wakeup_table(res):
    """wakeup/<primitive>: p50 and p99 from the waker's call to the sleeper running, vs pthread_cond_t."""
    ref = res.find("wakeup", "pthread_cond_t")
    rows = []
    for s in res.subjects("wakeup"):
        r = res.find("wakeup", s)
        if r is None or r.error:
            rows.append([s, "-" if r is None else short_error(r), ""])
            continue
        x = ratio(None if ref is None or ref.error else ref["p50_ns"], r["p50_ns"])
        rows.append([s, f"{fmt_ns(r['p50_ns'])} / {fmt_ns(r['p99_ns'])}", fmt_ratio(x) if x is not None else "-"])
    return table(["primitive", "p50 / p99", "speed vs pthread_cond_t (its p50 over this p50)"], rows)


def shares(r):
    procs = int(r.params["procs"])
    return [r.get(f"share_p{i}", 0.0) for i in range(procs)]


def fairness_table(res):
    procs = res.values("fairness", "procs")
    rows = []
    for s in res.subjects("fairness"):
        row = [display(s)]
        for p in procs:
            r = res.find("fairness", s, procs=p)
            if r is None:
                row.append("-")
            elif r.error:
                row.append(short_error(r))
            else:
                sh = shares(r)
                repeat = r.get("repeat_pct")
                row.append(f"{min(sh) * 100:.0f}-{max(sh) * 100:.0f}% / "
                           f"{fmt_ns(r['longest_wait_us'] * 1e3)} / "
                           + ("-" if repeat is None else f"{repeat:.0f}%"))
        rows.append(row)
    return table(["lock"] + [f"{p} processes: share min-max / longest wait / same holder again"
                             for p in procs], rows)


def waits_table(res):
    procs = res.values("waits", "procs")
    rows = []
    for s in res.subjects("waits"):
        row = [display(s)]
        for p in procs:
            r = res.find("waits", s, procs=p)
            if r is None:
                row.append("-")
            elif r.error:
                row.append(short_error(r))
            else:
                x = ratio(reference_ns(res, "waits", procs=p), r.ns_per_op())
                row.append(f"{fmt_ns(r['p50_ns'])} / {fmt_ns(r['p99_ns'])} / {fmt_ns(r['max_ns'])}"
                           + (f" ({fmt_ratio(x)})" if x is not None else ""))
        rows.append(row)
    return table(["lock"] + [f"{p} processes: wait p50 / p99 / longest (throughput vs glibc)" for p in procs],
                 rows)


def order_listing(res):
    lines = []
    for p in res.values("fairness", "procs"):
        lines.append(f"{p} processes, 64 acquisitions from the middle of the run "
                     "(digit = which process took it):")
        lines.append("```")
        for s in res.subjects("fairness"):
            r = res.find("fairness", s, procs=p)
            order = "" if r is None or r.error else r.get("label", "").replace("order ", "")
            lines.append(f"{s:<26} {order}")
        lines.append("```")
    return "\n".join(lines)


def seqlock_cases(res):
    """The (gap_ns, readers) pairs measured, in order."""
    out = []
    for r in res.results:
        if r.group == "seqlock_reads":
            key = (r.params.get("gap_ns"), r.params.get("readers", "1"))
            if key not in out:
                out.append(key)
    return sorted(out, key=lambda k: (float(k[0]), int(k[1])))


def seqlock_label(gap, readers):
    pace = "writer flat out" if gap == "0" else f"writer every ~{fmt_ns(float(gap))}"
    return f"{pace}, {readers} reader{'s' if readers != '1' else ''}"


def seqlock_table(res):
    cases = seqlock_cases(res)
    rows = []
    for s in res.subjects("seqlock_reads"):
        row = [display(s)]
        for g, n in cases:
            r = res.find("seqlock_reads", s, gap_ns=g, readers=n)
            futex = res.find("seqlock_reads", "FutexLock", gap_ns=g, readers=n)
            if r is None or r.error:
                row.append("-" if r is None else short_error(r))
                continue
            x = ratio(None if futex is None or futex.error else futex["ns_per_read"], r["ns_per_read"])
            cpu = r.get("cpu_ns_per_read")
            row.append(f"{fmt_ns(r['ns_per_read'])} ({fmt_ratio(x)}), {r['reads_per_us']:.0f} reads/us, "
                       + ("" if cpu is None else f"CPU {fmt_ns(cpu)}/read, ")
                       + f"{r['writes_per_read']:.3f} writes/read")
        rows.append(row)
    return table(["reads guarded by"] + [
        seqlock_label(g, n) + ": ns/read per reader (vs FutexLock), all readers' reads/us, readers' CPU/read, "
        "writes/read"
        for g, n in cases], rows)


def rawvalue_table(res):
    rows = []
    groups = [("uncontended", {})] + [("counter", {"procs": p}) for p in res.values("counter", "procs")]
    for group, params in groups:
        a = res.find(group, "atomic_fetch_add", **params)
        v = res.find(group, "RawValue_fetch_add", **params)
        if a is None or v is None or a.error or v.error:
            continue
        where = "1 process, in-process loop" if group == "uncontended" else f"{params['procs']} processes"
        rows.append([where, fmt_ns(a.ns_per_op()), fmt_ns(v.ns_per_op()),
                     f"{v.ns_per_op() / a.ns_per_op():.3f}"])
    return table(["", "std::atomic fetch_add", "RawValue fetch_add", "RawValue / std::atomic time"], rows)


def alloc_table(res):
    rows = []
    for r in res.results:
        if r.group != "alloc" or r.error:
            continue
        if "create_kept" in r.params:
            n = r["values"]
            rows.append([f"create {n:,.0f} {r.subject} and keep them",
                         f"{r['ns_per_create']:.0f} ns/create, {r['ns_per_destroy']:.0f} ns/destroy; "
                         f"{r['shared_bytes_per_value']:.0f} shared bytes/value; "
                         f"RSS +{r['rss_growth_MB']:.1f} MB, of which {r['handles_MB']:.1f} MB are the "
                         f"caller's handles (std::vector); mappings reserved +{r['reserved_growth_MB']:.1f} MB"])
        elif "create_destroy" in r.params:
            rows.append([f"create and drop one {r.subject} (free-list reuse)", fmt_ns(r.ns_per_op())])
    return table(["allocation", "cost"], rows)


def segment_table(res):
    rows = []
    for what, subject, params in [("find_or_create of an existing name", "find_or_create", {"name": "existing"}),
                                  ("find_or_create of a new name", "find_or_create", {"name": "new"}),
                                  ("Segment::open + detach", "open", {}),
                                  ("FutexLock lock + unlock, anonymous heap", "futex_lock", {"memory": "anonymous"}),
                                  ("FutexLock lock + unlock, in a segment", "futex_lock", {"memory": "segment"})]:
        r = res.find("segment", subject, **params)
        if r is not None and not r.error:
            rows.append([what, fmt_ns(r.ns_per_op())])
    anon = res.find("segment", "futex_lock", memory="anonymous")
    seg = res.find("segment", "futex_lock", memory="segment")
    if anon is not None and seg is not None and not anon.error and not seg.error:
        rows.append(["FutexLock: segment / anonymous time", f"{seg.ns_per_op() / anon.ns_per_op():.2f}"])
    return table(["", "ns/op"], rows)


def targets(res):
    """The issue's targets: (what, measured text, met?)"""
    out = []

    def counter_ratio(group, subject, **params):
        r = res.find(group, subject, **params)
        ref = res.find(group, REFERENCE, **params)
        if r is None or ref is None or ref.error:
            return None
        if r.error:
            slow = stopped_ns_per_op(r)
            return None if slow is None else (ratio(ref.ns_per_op(), slow), " (did not finish)")
        return ratio(ref.ns_per_op(), r.ns_per_op())

    def add(what, value, goal, higher_is_better=True, unit="x"):
        value, note = value if isinstance(value, tuple) else (value, "")
        if value is None:
            out.append((what, "not measured", False))
            return
        met = value >= goal if higher_is_better else value <= goal
        out.append((what, f"{value:.2f}{unit}{note}", met))

    add("FutexLock >= 2.0x glibc, uncontended", counter_ratio("uncontended", "FutexLock"), 2.0)
    add("FutexLock >= 1.5x glibc, 2 processes", counter_ratio("counter", "FutexLock", procs=2), 1.5)
    add("FutexLock >= 1.0x glibc, 4 processes on 2 cores",
        counter_ratio("counter", "FutexLock", procs=4), 1.0)
    add("TicketLock >= 0.7x glibc, 4 processes on 2 cores",
        counter_ratio("counter", "TicketLock", procs=4), 0.7)
    for p, goal in ((2, 0.4), (4, 0.2), (8, 0.2)):  # issue 14
        add(f"TicketLock >= {goal}x glibc, {p} processes on 2 cores (issue 14)",
            counter_ratio("counter", "TicketLock", procs=p), goal)
    for p in res.values("fairness", "procs"):
        t = res.find("fairness", "TicketLock", procs=p)
        f = res.find("fairness", "FutexLock", procs=p)
        if t is None or t.error or t.get("repeat_pct") is None:
            out.append((f"TicketLock FIFO visible, fairness at {p} processes", "not measured", False))
            continue
        note = "" if f is None or f.error or f.get("repeat_pct") is None else \
            f" (FutexLock {f['repeat_pct']:.0f}%)"
        out.append((f"TicketLock FIFO visible, fairness at {p} processes: same holder twice in a row"
                    " <= 10% of acquisitions",
                    f"{t['repeat_pct']:.0f}%{note}, order {t.get('label', '').replace('order ', '')}",
                    t["repeat_pct"] <= 10))
    futex = res.find("uncontended", "FutexLock")
    floor = res.find("uncontended", "two_rmw_floor")
    add("FutexLock uncontended within 1.05x of the two-RMW floor (time ratio)",
        None if futex is None or floor is None or futex.error or floor.error
        else futex.ns_per_op() / floor.ns_per_op(), 1.05, higher_is_better=False)
    for p in res.values("waits", "procs"):
        f = res.find("waits", "FutexLock", procs=p)
        g = res.find("waits", REFERENCE, procs=p)
        b = res.find("waits", "FutexLock_barging", procs=p)
        if f is None or f.error:
            out.append((f"FutexLock longest wait, {p} processes", "not measured", False))
            continue
        glibc = None if g is None or g.error else g["max_ns"]
        out.append((f"FutexLock longest wait, {p} processes re-locking: <= {fmt_ns(WAIT_GOAL_NS)} "
                    "(1 ms + one time slice) and <= glibc's in the same run",
                    f"{fmt_ns(f['max_ns'])} (glibc {'-' if glibc is None else fmt_ns(glibc)}, "
                    f"p99 {fmt_ns(f['p99_ns'])})",
                    f["max_ns"] <= WAIT_GOAL_NS and (glibc is None or f["max_ns"] <= glibc)))
        add(f"FutexLock throughput >= 0.9x FutexLock without hand-off, {p} processes re-locking",
            None if b is None or b.error else ratio(b.ns_per_op(), f.ns_per_op()), 0.9)
        if p == "2":
            add("FutexLock throughput >= 1.5x glibc, 2 processes re-locking",
                None if glibc is None else ratio(g.ns_per_op(), f.ns_per_op()), 1.5)
    a = res.find("uncontended", "atomic_fetch_add")
    v = res.find("uncontended", "RawValue_fetch_add")
    add("RawValue fetch_add within 1.1x of std::atomic (time ratio)",
        None if a is None or v is None or a.error or v.error else v.ns_per_op() / a.ns_per_op(), 1.1,
        higher_is_better=False)
    # Issue 14: >= 6x FutexLock-guarded reads with a writer storing once a
    # microsecond, and SeqLock reads that grow with reader processes.
    s = res.find("seqlock_reads", "SeqLock", gap_ns=1000, readers=1)
    f = res.find("seqlock_reads", "FutexLock", gap_ns=1000, readers=1)
    add("SeqLock reads >= 6x FutexLock-guarded reads, writer every ~1 us, 1 reader",
        None if s is None or f is None or s.error or f.error else
        (f["ns_per_read"] / s["ns_per_read"], "" if s.get("cpu_ns_per_read") is None else
         f" (readers' CPU time per read: {f['cpu_ns_per_read'] / s['cpu_ns_per_read']:.2f}x)"), 6.0)
    readers = [n for g, n in seqlock_cases(res) if g == "1000"]
    for fewer, more in zip(readers, readers[1:]):
        a = res.find("seqlock_reads", "SeqLock", gap_ns=1000, readers=fewer)
        b = res.find("seqlock_reads", "SeqLock", gap_ns=1000, readers=more)
        add(f"SeqLock reads grow with readers: all readers' reads/us at {more} over {fewer} readers > 1"
            f" (writer every ~1 us; {os.cpu_count()} cores here)",
            None if a is None or b is None or a.error or b.error else b["reads_per_us"] / a["reads_per_us"],
            1.0 + 1e-9)
    for r in res.results:
        if r.group == "alloc" and "create_kept" in r.params and not r.error:
            add(f"creating a {r.subject} well under 1 us", r["ns_per_create"], 1000,
                higher_is_better=False, unit=" ns")
            own = (r["rss_growth_MB"] - r["handles_MB"]) / r["values"] * 1e6
            out.append((f"{r['values']:,.0f} {r.subject} cost about 64 MB plus small overhead",
                        f"{r['shared_bytes_per_value'] * r['values'] / 1e6:.1f} MB shared + "
                        f"{(own - r['shared_bytes_per_value']) * r['values'] / 1e6:.1f} MB of per-process "
                        f"bookkeeping resident (RSS growth less the caller's handles)",
                        r["shared_bytes_per_value"] <= 64))
    return out


def per_process(res, group):
    for r in res.results:
        if r.group == group and not r.error and "ops" in r.row:
            return f"{r['ops'] / int(r.params['procs']):,.0f}"
    return "N"


def report(res):
    ctx = res.context
    print(f"Machine: {ctx.get('num_cpus')} CPUs at {ctx.get('mhz_per_cpu')} MHz, "
          f"load average {', '.join(f'{x:.2f}' for x in ctx.get('load_avg', []))} at start; "
          f"Backoff::kMaxRound {ctx.get('backoff_max_round')}, "
          f"{ctx.get('bench_repeats')} runs per counter case (median), cap {ctx.get('bench_cap_s')} s, "
          f"scale {ctx.get('bench_scale')}")
    sections = [
        ("Uncontended lock + increment + unlock, one process", uncontended_table),
        (f"Contended counter: N processes, {per_process(res, 'counter')} locked increments each; "
         "ns/op over all operations (throughput vs glibc in this run)", counter_table),
        ("CPU time the processes spent per operation in the contended counter (spinning shows here)",
         cpu_table),
        ("Critical-section length sweep: ns per critical section (throughput vs glibc)", sweep_table),
        ("Hand-off latency, 2 processes ping-pong: unlock() call to the waiter's lock() return", handoff_table),
        ("Fairness: every process re-locks at once, 300 ms", fairness_table),
        ("Waits in lock(): every process re-locks at once, 300 ms; every wait counted", waits_table),
        ("", order_listing),
        ("SeqLock reads with a writer running: Value<4 longs>::load() in 1, 2 or 4 processes, writes in another",
         seqlock_table),
        ("RawValue fetch_add vs a bare std::atomic in the same shared heap mapping", rawvalue_table),
        ("Allocation (the shared heap's arena)", alloc_table),
        ("Named segments: lookup, open, and a FutexLock in a segment vs in the anonymous heap", segment_table),
        ("Wake-up latency across processes: the waker's call to the sleeper running", wakeup_table),
    ]
    for title, make in sections:
        if title:
            print(f"\n### {title}\n")
        print(make(res))
    print("\n### Targets\n")
    results = targets(res)
    print(table(["target", "measured", ""], [[w, m, "met" if ok else "MISSED"] for w, m, ok in results]))
    return results


# ---------------------------------------------------------------- plots

def style(subject):
    if subject in OURS:
        return {"linestyle": "-", "marker": "o"}
    if subject in BASELINES:
        return {"linestyle": "--", "marker": "s"}
    return {"linestyle": ":", "marker": "^"}


PALETTE = {
    "FutexLock": "tab:blue", "TicketLock": "tab:orange", "SpinLock": "tab:green",
    "PthreadMutex": "tab:red", "RobustLock": "tab:purple", "RecursiveLock<FutexLock>": "tab:brown",
    "SeqLock": "tab:pink", "glibc_mutex": "black", "posix_sem": "tab:gray", "boost_mutex": "tab:olive",
    "ck_fas": "tab:cyan", "ck_ticket": "navy", "atomic_fetch_add": "silver",
    "RawValue_fetch_add": "yellowgreen",
}


def colors(subjects):
    return {s: PALETTE.get(s, "slategray") for s in subjects}


def plot_counter(res, plt, path):
    fig, (left, right) = plt.subplots(1, 2, figsize=(15, 8))
    subjects = res.subjects("counter")
    col = colors(subjects)
    procs = res.values("counter", "procs")
    xs = [int(p) for p in procs]
    for s in subjects:
        pts = []
        for p in procs:
            r = res.find("counter", s, procs=p)
            if r is None:
                continue
            ns = stopped_ns_per_op(r) if r.error else r.ns_per_op()
            if ns is not None:
                pts.append((int(p), ns, bool(r.error)))
        if not pts:
            continue
        left.plot([x for x, _, _ in pts], [y for _, y, _ in pts], label=display(s), color=col[s], **style(s))
        stopped = [(x, y) for x, y, dnf in pts if dnf]
        if stopped:
            left.scatter(*zip(*stopped), marker="X", s=160, color=col[s], edgecolors="black", zorder=5)
    left.text(0.02, 0.98, "X: stopped at the time cap; the point is the time per operation\n"
              "it had managed by then, a lower bound",
              transform=left.transAxes, va="top", fontsize=8)
    left.set_xscale("log", base=2)
    left.set_xticks(xs, [str(x) for x in xs])
    left.set_yscale("log")
    left.set_xlabel("processes (2 cores: 4 and 8 oversubscribe)")
    left.set_ylabel("ns per locked increment, all processes (lower is better)")
    left.set_title("Contended counter")
    left.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3)

    locks = [s for s in subjects if s not in FLOORS]
    groups = ["uncontended"] + procs
    width = 0.8 / len(groups)
    cmap = plt.get_cmap("viridis")
    for gi, g in enumerate(groups):
        vals = []
        for s in locks:
            if g == "uncontended":
                x = ratio(reference_ns(res, "uncontended"),
                          None if res.find("uncontended", s) is None else res.find("uncontended", s).ns_per_op())
            else:
                r = res.find("counter", s, procs=g)
                x = None if r is None or r.error else ratio(reference_ns(res, "counter", procs=g), r.ns_per_op())
            vals.append(0 if x is None else x)
        label = "uncontended" if g == "uncontended" else f"{g} proc" + ("s" if g != "1" else "")
        right.barh([i + gi * width for i in range(len(locks))], vals, height=width, label=label,
                   color=cmap(gi / max(1, len(groups) - 1)))
    right.axvline(1.0, color="black", linewidth=1)
    right.set_yticks([i + 0.4 - width / 2 for i in range(len(locks))], [display(s) for s in locks], fontsize=8)
    right.invert_yaxis()
    right.set_xlabel("throughput / glibc mutex's in the same run (higher is better; 0 = did not finish)")
    right.set_title("Ratio to glibc")
    right.legend(fontsize=8, loc="lower right")
    right.grid(True, axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_sweep(res, plt, path):
    procs = res.values("cs_sweep", "procs")
    subjects = res.subjects("cs_sweep")
    works = res.values("cs_sweep", "work_ns")
    fig, axes = plt.subplots(len(procs), 1, figsize=(12, 5 * len(procs)), sharex=True)
    if len(procs) == 1:
        axes = [axes]
    width = 0.8 / len(works)
    cmap = plt.get_cmap("viridis")
    for ax, p in zip(axes, procs):
        for wi, w in enumerate(works):
            vals = []
            for s in subjects:
                r = res.find("cs_sweep", s, procs=p, work_ns=w)
                vals.append(0 if r is None or r.error else r.ns_per_op())
            label = "empty section" if w == "0" else f"{fmt_ns(float(w))} of work inside"
            ax.bar([i + wi * width for i in range(len(subjects))], vals, width=width, label=label,
                   color=cmap(wi / max(1, len(works) - 1)))
        ax.set_yscale("log")
        ax.set_ylabel("ns per critical section (lower is better)")
        ax.set_title(f"Critical-section length sweep, {p} processes on 2 cores (missing bar: did not finish)")
        ax.legend(fontsize=8)
        ax.grid(True, axis="y", which="both", alpha=0.3)
    axes[-1].set_xticks([i + 0.4 - width / 2 for i in range(len(subjects))], [display(s) for s in subjects],
                        rotation=30, ha="right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_handoff(res, plt, path):
    holds = res.values("handoff", "hold_ns")
    subjects = res.subjects("handoff")
    fig, axes = plt.subplots(1, len(holds), figsize=(5 * len(holds), 6), sharey=True)
    if len(holds) == 1:
        axes = [axes]
    for ax, h in zip(axes, holds):
        p50, p99, names = [], [], []
        for s in subjects:
            r = res.find("handoff", s, hold_ns=h)
            names.append(display(s) + (" (did not finish)" if r is not None and r.error else ""))
            p50.append(0 if r is None or r.error else r["p50_ns"])
            p99.append(0 if r is None or r.error else r["p99_ns"])
        ys = range(len(subjects))
        ax.barh([y - 0.2 for y in ys], p50, height=0.4, label="p50", color="tab:blue")
        ax.barh([y + 0.2 for y in ys], p99, height=0.4, label="p99", color="tab:orange")
        ax.set_xscale("log")
        ax.set_yticks(list(ys), names, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("ns from unlock() to the waiter's lock() return")
        ax.set_title(f"holder keeps the lock {fmt_ns(float(h))}\nafter the waiter arrives")
        ax.grid(True, axis="x", which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_fairness(res, plt, path):
    import matplotlib.colors as mcolors
    procs = res.values("fairness", "procs")
    p = procs[-1]
    subjects = res.subjects("fairness")
    fig, (ax_share, ax_order) = plt.subplots(1, 2, figsize=(15, 6), gridspec_kw={"width_ratios": [1, 1.6]})
    cmap = plt.get_cmap("tab10")
    names = [display(s) for s in subjects]
    left = [0.0] * len(subjects)
    for i in range(int(p)):
        vals = []
        for s in subjects:
            r = res.find("fairness", s, procs=p)
            vals.append(0 if r is None or r.error else r.get(f"share_p{i}", 0.0) * 100)
        ax_share.barh(range(len(subjects)), vals, left=left, color=cmap(i), label=f"process {i}")
        left = [a + b for a, b in zip(left, vals)]
    for y, s in enumerate(subjects):
        r = res.find("fairness", s, procs=p)
        if r is not None and not r.error:
            ax_share.text(101, y, f"longest wait {fmt_ns(r['longest_wait_us'] * 1e3)}", va="center", fontsize=7.5)
    ax_share.set_yticks(range(len(subjects)), names, fontsize=8)
    ax_share.invert_yaxis()
    ax_share.set_xlim(0, 140)
    ax_share.set_xticks([0, 25, 50, 75, 100])
    ax_share.set_title(f"Who gets the lock: share of acquisitions, % ({p} processes, 300 ms)")
    ax_share.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.45, -0.1), ncol=4)

    grid = []
    for s in subjects:
        r = res.find("fairness", s, procs=p)
        order = "" if r is None or r.error else r.get("label", "").replace("order ", "")
        grid.append([int(c) if c.isdigit() else -1 for c in order.ljust(64)[:64].replace(" ", "?")])
    listed = mcolors.ListedColormap(["white"] + [cmap(i) for i in range(int(p))])
    ax_order.imshow([[v + 1 for v in row] for row in grid], aspect="auto", cmap=listed,
                    vmin=0, vmax=int(p), interpolation="nearest")
    ax_order.set_yticks(range(len(subjects)), names, fontsize=8)
    ax_order.set_xlabel("64 consecutive acquisitions from the middle of the run (colour = process)")
    ax_order.set_title("Order of acquisitions: FIFO shows as a repeating pattern")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_values(res, plt, path):
    fig, (ax_seq, ax_raw) = plt.subplots(1, 2, figsize=(13, 5))
    cases = seqlock_cases(res)
    subjects = res.subjects("seqlock_reads")
    width = 0.8 / max(1, len(subjects))
    cmap = plt.get_cmap("tab10")
    for si, s in enumerate(subjects):
        vals = []
        for g, n in cases:
            r = res.find("seqlock_reads", s, gap_ns=g, readers=n)
            vals.append(0 if r is None or r.error else r["reads_per_us"])
        ax_seq.bar([i + si * width for i in range(len(cases))], vals, width=width, label=display(s), color=cmap(si))
    ax_seq.set_xticks([i + 0.4 - width / 2 for i in range(len(cases))],
                      [seqlock_label(g, n).replace(", ", "\n") for g, n in cases], fontsize=8)
    ax_seq.set_ylabel("Value<4 longs>::load() per us, all readers (higher is better)")
    ax_seq.set_title("Reads with a writer running (1 writer, 1-4 reader processes)")
    ax_seq.legend(fontsize=8)
    ax_seq.grid(True, axis="y", alpha=0.3)

    groups = [("uncontended", {}, "in-process")] + [
        ("counter", {"procs": p}, f"{p} proc") for p in res.values("counter", "procs")]
    labels, atomic, raw = [], [], []
    for group, params, label in groups:
        a = res.find(group, "atomic_fetch_add", **params)
        v = res.find(group, "RawValue_fetch_add", **params)
        if a is None or v is None or a.error or v.error:
            continue
        labels.append(label)
        atomic.append(a.ns_per_op())
        raw.append(v.ns_per_op())
    xs = range(len(labels))
    ax_raw.bar([x - 0.2 for x in xs], atomic, width=0.4, label="std::atomic<long> fetch_add", color="tab:gray")
    ax_raw.bar([x + 0.2 for x in xs], raw, width=0.4, label="RawValue<long> fetch_add", color="tab:green")
    ax_raw.set_xticks(list(xs), labels)
    ax_raw.set_ylabel("ns per fetch_add, all processes")
    ax_raw.set_title("RawValue vs a bare std::atomic, same mapping")
    ax_raw.legend(fontsize=8)
    ax_raw.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plots(res, directory):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    os.makedirs(directory, exist_ok=True)
    written = []
    for name, draw, group in [("perf_counter.png", plot_counter, "counter"),
                              ("perf_cs_sweep.png", plot_sweep, "cs_sweep"),
                              ("perf_handoff.png", plot_handoff, "handoff"),
                              ("perf_fairness.png", plot_fairness, "fairness"),
                              ("perf_values.png", plot_values, "seqlock_reads")]:
        if not res.subjects(group):
            continue
        path = os.path.join(directory, name)
        draw(res, plt, path)
        plt.close("all")
        written.append(path)
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("json", help="lock_bench --benchmark_out=... --benchmark_out_format=json")
    parser.add_argument("--plots", metavar="DIR", help="write perf_*.png here")
    args = parser.parse_args()
    res = Results(args.json)
    report(res)
    if args.plots:
        for path in plots(res, args.plots):
            print(f"\nwrote {path}", file=sys.stderr)
    failed = [r for r in res.results if r.error and not r.error.startswith("did not finish")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
