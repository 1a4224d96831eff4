#!/usr/bin/env python3
"""Plots of a gnp-bench output folder (Debian: python3-matplotlib).

    bench/plot_results.py OUT

writes OUT/plots/<matrix>.png (one row per right-hand side: relative residual
vs iteration and vs time for every preconditioner, the paper's Figure 3 style,
and GNP's training loss) and OUT/overview.png (GNP's Iter-AUC against the best
other preconditioner's, one panel per right-hand side).
"""
import glob
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def load_cases(out):
    """{matrix: {rhs: [case, ...]}} from OUT/cases/<rhs>/<matrix>/<run>.json."""
    by_matrix = {}
    for path in sorted(glob.glob(os.path.join(out, "cases", "*", "*", "*.json"))):
        with open(path) as f:
            case = json.load(f)
        if "metrics" in case:
            by_matrix.setdefault(case["matrix"], {}).setdefault(case.get("rhs", "ones"), []).append(case)
    return by_matrix


def rhs_order(names):
    order = ["ones", "random solution", "random"]
    return sorted(names, key=lambda n: order.index(n) if n in order else len(order))


def history(record):
    pairs = [(t, r) for t, r in zip(record["times"], record["residuals"]) if r is not None and r > 0]
    return pairs


def plot_row(axes, matrix, rhs, cases):
    for case in cases:
        name = case["preconditioner"]
        if case["construction"]["failed"]:
            continue
        style = {"linewidth": 2.2} if case["type"] == "GNP" else {"linewidth": 1.2}
        it = case.get("iteration")
        if it:
            res = [r for r in it["residuals"] if r is not None and r > 0]
            label = name + (" (failed)" if it["failed"] else "")
            axes[0].semilogy(range(len(res)), res, label=label, **style)
        tm = case.get("time")
        if tm and tm.get("residuals"):
            pairs = history(tm)
            if pairs:
                axes[1].semilogy([p[0] for p in pairs], [p[1] for p in pairs], drawstyle="steps-post",
                                 label=name, **style)
        if "training" in case:
            losses = case["training"]["losses"]
            axes[2].semilogy(range(1, len(losses) + 1), losses, color="C0")
    T = cases[0]["metrics"]["T"]
    axes[0].set(xlabel="iteration", ylabel="relative residual", title="%s, b: %s (iteration mode)" % (matrix, rhs))
    axes[1].set(xlabel="seconds", ylabel="relative residual", title="time mode (T = %.3g s)" % T)
    axes[1].set_xlim(0, T)
    axes[2].set(xlabel="step", ylabel="training loss (L1)", title="GNP training")
    for ax in axes[:2]:
        ax.axhline(1e-8, color="grey", linestyle=":", linewidth=0.8)
        ax.legend(fontsize=7)


def plot_matrix(matrix, by_rhs, path):
    names = rhs_order(by_rhs)
    fig, axes = plt.subplots(len(names), 3, figsize=(15, 4 * len(names)), squeeze=False)
    for row, rhs in enumerate(names):
        plot_row(axes[row], matrix, rhs, by_rhs[rhs])
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def plot_overview(by_matrix, path):
    names = rhs_order({rhs for by_rhs in by_matrix.values() for rhs in by_rhs})
    fig, axes = plt.subplots(1, len(names), figsize=(7 * len(names), 6.5), squeeze=False)
    for ax, rhs in zip(axes[0], names):
        xs, ys, labels = [], [], []
        for matrix, by_rhs in sorted(by_matrix.items()):
            cases = by_rhs.get(rhs, [])
            gnp = [c["metrics"]["iter_auc"] for c in cases
                   if c["type"] == "GNP" and c["metrics"]["iter_auc"] is not None]
            other = [c["metrics"]["iter_auc"] for c in cases
                     if c["type"] != "GNP" and c["metrics"]["iter_auc"] is not None]
            if gnp and other:
                xs.append(min(other))
                ys.append(gnp[0])
                labels.append(matrix)
        ax.scatter(xs, ys, s=18)
        for x, y, n in zip(xs, ys, labels):
            ax.annotate(n, (x, y), fontsize=6, xytext=(2, 2), textcoords="offset points")
        if xs:
            lo, hi = min(xs + ys), max(xs + ys)
            ax.plot([lo, hi], [lo, hi], color="grey", linestyle="--", linewidth=0.8)
        ax.set(xlabel="best other preconditioner: Iter-AUC (lower is better)", ylabel="GNP: Iter-AUC",
               title="b: %s — GNP vs best other, %d matrices\n(below the line: GNP better)" % (rhs, len(xs)))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: plot_results.py OUT (a gnp-bench --out folder)")
    out = sys.argv[1]
    by_matrix = load_cases(out)
    if not by_matrix:
        sys.exit("plot_results.py: no finished cases under %s/cases" % out)
    os.makedirs(os.path.join(out, "plots"), exist_ok=True)
    for matrix, by_rhs in sorted(by_matrix.items()):
        plot_matrix(matrix, by_rhs, os.path.join(out, "plots", matrix + ".png"))
    plot_overview(by_matrix, os.path.join(out, "overview.png"))
    print("plot_results.py: %d matrices -> %s/plots/*.png, %s/overview.png" % (len(by_matrix), out, out))


if __name__ == "__main__":
    main()
