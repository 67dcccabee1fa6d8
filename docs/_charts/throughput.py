"""Chart of the throughput table of ``docs/performance.rst``.

The numbers are read from the first table of the page's "Results" section, so the
chart always shows what the table says. ``docs/conf.py`` runs this at every build
and writes ``docs/_static/throughput.png`` (git-ignored); it can also be run on
its own: ``python docs/_charts/throughput.py``.
"""

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DOCS = Path(__file__).resolve().parent.parent
LIBRARIES = (
    ("skdnn", "skdnn", "#1f77b4"),
    ("scikit-learn", "scikit-learn", "#ff7f0e"),
    ("PyTorch", "PyTorch", "#7f7f7f"),
)


def _columns(border):
    """(start, end) of each column of a simple RST table, from a border line."""
    return [m.span() for m in re.finditer(r"=+", border)]


def read_table(rst_path):
    """Rows of the first simple table after the "Results" heading, as dicts."""
    lines = Path(rst_path).read_text(encoding="utf-8").splitlines()
    start = next(
        i
        for i, line in enumerate(lines)
        if line.strip() == "Results" and set(lines[i + 1].strip()) == {"-"}
    )
    borders = [
        i
        for i in range(start, len(lines))
        if lines[i].strip() and set(lines[i].strip()) <= {"=", " "}
    ][:3]
    if len(borders) != 3:
        raise ValueError(f"no complete table under 'Results' in {rst_path}")
    spans = _columns(lines[borders[0]])

    def cells(line):
        line = line.ljust(spans[-1][1])
        # the last column may run past its border
        bounds = [s for s, _ in spans[1:]] + [len(line)]
        return [line[s:e].strip() for (s, _), e in zip(spans, bounds, strict=True)]

    header = cells(lines[borders[0] + 1])
    rows = []
    for line in lines[borders[1] + 1 : borders[2]]:
        if line.strip():
            rows.append(dict(zip(header, cells(line), strict=True)))
    return rows


def _number(text):
    text = text.replace(",", "")
    return None if text in ("", "-", "n/a") else float(text)


def draw(rows, out_path):
    setups = list(dict.fromkeys(row["set-up"] for row in rows))
    dtypes = list(dict.fromkeys(row["dtype"] for row in rows))
    fig, axes = plt.subplots(
        len(dtypes),
        len(setups),
        figsize=(3.0 * len(setups), 2.6 * len(dtypes) + 0.6),
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    width = 0.27
    # in thousands of samples per second
    top = (
        max(_number(row[column]) or 0 for row in rows for column, _, _ in LIBRARIES)
        / 1000
    )
    for i, dtype in enumerate(dtypes):
        for j, setup in enumerate(setups):
            ax = axes[i][j]
            group = [r for r in rows if r["set-up"] == setup and r["dtype"] == dtype]
            batches = [r["batch"] for r in group]
            for k, (column, label, color) in enumerate(LIBRARIES):
                for x, row in enumerate(group):
                    value = _number(row[column])
                    pos = x + (k - 1) * width
                    if value is None:
                        ax.text(
                            pos,
                            top * 0.01,
                            "n/a",
                            ha="center",
                            va="bottom",
                            rotation=90,
                            fontsize=7,
                            color="#555555",
                        )
                        continue
                    ax.bar(
                        pos,
                        value / 1000,
                        width,
                        color=color,
                        label=label if x == 0 else None,
                    )
                    ax.text(
                        pos,
                        value / 1000 + top * 0.01,
                        f"{value / 1000:.0f}",
                        ha="center",
                        va="bottom",
                        fontsize=7,
                    )
            ax.set_xticks(range(len(batches)), batches)
            ax.set_title(f"{setup}, {dtype}", fontsize=10)
            ax.grid(axis="y", alpha=0.3)
            ax.set_axisbelow(True)
            ax.set_ylim(0, top * 1.1)
            if i == len(dtypes) - 1:
                ax.set_xlabel("batch size")
            if j == 0:
                ax.set_ylabel("thousand samples / s")
    handles, labels = [], []
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="outside lower center", ncol=3, frameon=False)
    fig.suptitle(
        "Training throughput, 784-256-128-10 ReLU network (higher is better)",
        fontsize=12,
    )
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_path, dpi=150)
    plt.close(fig)
    return out_path


def main(
    rst_path=DOCS / "performance.rst", out_path=DOCS / "_static" / "throughput.png"
):
    return draw(read_table(rst_path), out_path)


if __name__ == "__main__":
    print(main())
