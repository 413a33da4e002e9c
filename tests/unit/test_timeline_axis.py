"""The timeline's time axis: days, weeks or months by span, and never too many ticks."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis.outputs.figures import _time_axis  # noqa: E402


@pytest.mark.parametrize(
    ("days", "unit"),
    [
        (7, "days"),
        (30, "days"),
        (45, "days"),
        (60, "weeks"),
        (100, "weeks"),
        (121, "months"),
        (730, "months"),
        (1461, "months"),
    ],
)
def test_unit_and_tick_count_follow_the_span(days, unit):
    fig, ax = plt.subplots(figsize=(8.5, 3))
    try:
        start = pd.Timestamp("2030-01-01")
        end = start + pd.Timedelta(days=days)
        ax.set_xlim(start, end)
        assert _time_axis(ax, start, end) == unit
        low, high = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if low <= t <= high]
        assert 2 <= len(ticks) <= 10, (days, len(ticks))
        fig.canvas.draw()
        labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert labels and all(len(label) <= 6 for label in labels), labels  # concise: 'Mar', '2031', '14'
    finally:
        plt.close(fig)
