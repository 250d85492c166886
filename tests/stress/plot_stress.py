#!/usr/bin/python3
"""Draws a stress report (tools/stress --json) as a PNG: plot_stress.py IN.json OUT.png.

Left: the damage each row found (lost updates plus violations), one cell per
scenario and variant/lock, so the raw column stands out in red against the
zeros of every lock kind. Right: what each lock kind costs, ns per operation
per scenario, on a log scale. Third, when the report has producer/consumer
rows (circular-buffer, circular-buffer-blocking, stats, stats-condition):
the CPU time their consumers burned while waiting, polling against blocking.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
from matplotlib.colors import LinearSegmentedColormap, LogNorm  # noqa: E402


def column(row):
    """The report's variant and lock as one column label: raw, atomic or the lock kind."""
    return row["lock"] if row["variant"] == "synchronized" else row["variant"]


def ordered(values):
    seen = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return seen


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: plot_stress.py IN.json OUT.png")
    with open(argv[1]) as f:
        rows = json.load(f)["results"]
    if not rows:
        sys.exit("plot_stress.py: " + argv[1] + " has no results")

    scenarios = ordered(r["scenario"] for r in rows)
    columns = ordered([c for c in ("raw", "atomic") if any(column(r) == c for r in rows)] + [column(r) for r in rows])
    cell = {(r["scenario"], column(r)): r for r in rows}

    waiting = [r for r in rows if "wait_cpu_ms" in r]
    ratios = [1.15, 1] + ([0.8] if waiting else [])
    fig, axes = plt.subplots(
        1, len(ratios), figsize=(18 + 7 * bool(waiting), max(1.2 + 0.75 * len(scenarios), 1.5 + 0.2 * len(waiting))),
        gridspec_kw={"width_ratios": ratios}
    )
    damage_ax, cost_ax = axes[0], axes[1]

    # Left: damage per cell, annotated; zero is green, damage red, absent grey.
    damage = [[None] * len(columns) for _ in scenarios]
    for i, s in enumerate(scenarios):
        for j, c in enumerate(columns):
            r = cell.get((s, c))
            if r is not None:
                damage[i][j] = abs(r["lost"]) + r["violations"] + (1 if r["failures"] else 0)
    largest = max([d for line in damage for d in line if d] or [1])
    red = LinearSegmentedColormap.from_list("damage", ["#f4c7c3", "#c0392b"])
    norm = LogNorm(vmin=1, vmax=max(largest, 10))
    for i, line in enumerate(damage):
        for j, d in enumerate(line):
            if d is None:
                color, text = "#eeeeee", "n/a"
            elif d == 0:
                color, text = "#b7e1b0", "0"
            else:
                color, text = red(norm(d)), f"{d:,}"
            r = cell.get((scenarios[i], columns[j]))
            if r is not None and r["failures"]:
                text = "FAILED"
            damage_ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=color, edgecolor="white", linewidth=2))
            damage_ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=8)
    damage_ax.set_xlim(0, len(columns))
    damage_ax.set_ylim(len(scenarios), 0)
    damage_ax.set_xticks([j + 0.5 for j in range(len(columns))])
    damage_ax.set_xticklabels(columns, rotation=30, ha="right")
    damage_ax.set_yticks([i + 0.5 for i in range(len(scenarios))])
    damage_ax.set_yticklabels(scenarios)
    damage_ax.tick_params(length=0)
    for side in damage_ax.spines.values():
        side.set_visible(False)
    damage_ax.set_title("damage: lost updates + violations (duplicates, torn reads, bad snapshots)\n"
                        "raw is the finding; atomic and every lock kind must show 0")

    # Right: ns per operation, one group of bars per scenario, one bar per column.
    width = 0.8 / len(columns)
    colors = plt.get_cmap("tab10")
    for j, c in enumerate(columns):
        xs, ys = [], []
        for i, s in enumerate(scenarios):
            r = cell.get((s, c))
            if r is not None and r["ns_per_op"] > 0:
                xs.append(i - 0.4 + width * (j + 0.5))
                ys.append(r["ns_per_op"])
        cost_ax.bar(xs, ys, width, label=c, color="#999999" if c == "raw" else colors(j % 10))
    cost_ax.set_yscale("log")
    cost_ax.set_xticks(range(len(scenarios)))
    cost_ax.set_xticklabels(scenarios, rotation=30, ha="right")
    cost_ax.set_ylabel("ns per operation (log)")
    cost_ax.set_title("cost: wall time per operation, all processes together (lower is faster)")
    cost_ax.grid(axis="y", which="major", alpha=0.3)
    cost_ax.legend(fontsize=8, ncol=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))

    if waiting:
        wait_ax = axes[2]
        labels = [f'{r["scenario"]} / {column(r)}' for r in waiting]
        colors_by_scenario = {s: plt.get_cmap("tab10")(i % 10) for i, s in enumerate(ordered(r["scenario"] for r in waiting))}
        wait_ax.barh(range(len(waiting)), [r["wait_cpu_ms"] for r in waiting],
                     color=[colors_by_scenario[r["scenario"]] for r in waiting])
        wait_ax.set_yticks(range(len(waiting)))
        wait_ax.set_yticklabels(labels, fontsize=7)
        wait_ax.invert_yaxis()
        wait_ax.set_xlabel("consumers' CPU ms while waiting for an item")
        wait_ax.set_title("waiting: polling against blocking\n(lower burns less CPU while idle)")
        wait_ax.grid(axis="x", alpha=0.3)

    fig.suptitle("billiard stress: raw against synchronized, every lock kind", fontsize=13)
    fig.tight_layout()
    fig.savefig(argv[2], dpi=110)


if __name__ == "__main__":
    main(sys.argv)
