"""The pattern of behaviour: a chart over time and the figures that show a pattern.

Every figure comes from :func:`safediary.core.pattern.pattern.summarize`, the same
computation the report's cover uses, and the chart uses the report's colours,
so what the user sees here is what the police will read.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QHelpEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from safediary.core import Vault
from safediary.core.diary import taxonomy
from safediary.core.errors import VaultError
from safediary.core.pattern.pattern import (
    WINDOW_DAYS,
    Bucket,
    PatternSummary,
    is_course_of_conduct,
    summarize,
)
from safediary.core.report.chart import OTHER, OTHER_COLOUR, PALETTE, chart_series
from safediary.core.wording import WEEKDAY_NAMES, plural
from safediary.core.wording import day_text as wording_day_text
from safediary.gui.dialog import SafeDialog
from safediary.gui.widgets import PlainLabel, button, error_text, heading

CHART_HEIGHT = 250
CAPTION_WIDTH = 210

SERIOUS_NONE = (
    "None of these has been written down so far: threats, violence, damage to property, "
    "or turning up at home or at work."
)
COURSE_NOTE = (
    "Harassment and stalking are a “course of conduct”: the law needs at least two "
    "occasions. Each entry linked to a person counts as one occasion."
)


def day_text(day: date) -> str:
    """'3 Feb 2026' (English names always)."""
    return wording_day_text(day)


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _top(items: list[str]) -> str:
    """The first three, joined in words, '… and others' if there are more."""
    return _join(items[:3]) + (" and others" if len(items) > 3 else "")


def _each(count: int, ties: int) -> str:
    return plural(count, "entry", "entries") + (" each" if ties > 1 else "")


def hour_range(hour: int) -> str:
    """'21:00–22:00'."""
    return f"{hour:02d}:00–{(hour + 1) % 24:02d}:00"


# -- the words -----------------------------------------------------------------------------
def escalation_text(summary: PatternSummary) -> str:
    """Last 4 weeks against the 4 before, in words."""
    esc = summary.escalation
    recent_end = esc.today
    previous_end = esc.recent_start - timedelta(days=1)
    sentence = (
        f"{plural(esc.recent, 'entry', 'entries')} in the last {WINDOW_DAYS} days "
        f"({day_text(esc.recent_start)} to {day_text(recent_end)}), compared with "
        f"{esc.previous} in the {WINDOW_DAYS} days before "
        f"({day_text(esc.previous_start)} to {day_text(previous_end)})."
    )
    if esc.rising:
        verdict = "It is happening more often."
    elif esc.recent == esc.previous == 0:
        verdict = "Nothing was written down in the last eight weeks."
    elif esc.recent == esc.previous:
        verdict = "About as often as before."
    else:
        verdict = "Less often than before."
    return f"{verdict}\n{sentence}"


def first_serious_text(summary: PatternSummary) -> str:
    """One line per serious kind: when it first appeared, and in which entry."""
    if not summary.first_serious:
        return SERIOUS_NONE
    return "\n".join(
        f"{first.label}: first on {day_text(first.on)} (entry No. {first.number})"
        for first in summary.first_serious
    )


def busiest_text(summary: PatternSummary) -> str:
    """The busiest days of the week and hours of the day."""
    if not summary.total:
        return "Nothing written down yet."
    days = [WEEKDAY_NAMES[d] for d in summary.busiest_weekdays]
    hours = [hour_range(h) for h in summary.busiest_hours]
    day_count = summary.weekday_counts[summary.busiest_weekdays[0]]
    hour_count = summary.hour_counts[summary.busiest_hours[0]]
    text = (
        f"Most often on {_top(days)} ({_each(day_count, len(days))}).\n"
        f"Most often between {_top(hours)} ({_each(hour_count, len(hours))})."
    )
    if summary.total < 3:
        text += "\nWith so few entries this may not mean much yet."
    return text


def kinds_text(summary: PatternSummary) -> str:
    """How many different kinds, and each kind's count, most frequent first."""
    if not summary.total:
        return "Nothing written down yet."
    if not summary.kind_counts:
        return "No kind of behaviour is ticked in these entries yet (tick them in each entry)."
    ranked = sorted(summary.kind_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    counts = "; ".join(f"{taxonomy.label(k)} ({n})" for k, n in ranked)
    return f"{plural(summary.distinct_kinds, 'different kind')} of behaviour: {counts}."


def people_lines(summary: PatternSummary, names: dict[int, str]) -> list[str]:
    """Occasions per person, with a note when a person reaches a course of conduct."""
    lines: list[str] = []
    for pid, name in names.items():
        count = summary.per_person.get(pid, 0)
        if is_course_of_conduct(count):
            lines.append(
                f"{name}: {plural(count, 'occasion')}. That is two or more, "
                "which can be a course of conduct."
            )
        elif count:
            lines.append(f"{name}: 1 occasion so far.")
        else:
            lines.append(f"{name}: not linked to any entry shown here.")
    return lines


# -- the chart -------------------------------------------------------------------------------
class IncidentChart(QWidget):
    """Entries per week or month, stacked by kind, painted with QPainter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patternChart")
        self.setAccessibleName("Chart of entries over time")
        self.setMinimumHeight(240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.summary: PatternSummary | None = None
        self.series: list[str] = []
        self._bars: list[QRectF] = []

    def sizeHint(self) -> QSize:
        return QSize(760, 280)

    def colour(self, kind: str) -> QColor:
        """The colour of a kind in this chart (the report uses the same)."""
        if kind == OTHER or kind not in self.series:
            return QColor(OTHER_COLOUR)
        return QColor(PALETTE[self.series.index(kind) % len(PALETTE)])

    def legend(self) -> list[tuple[str, QColor]]:
        """(label, colour) for every series, in drawing order."""
        return [
            ("Other kinds" if k == OTHER else taxonomy.label(k), self.colour(k))
            for k in self.series
        ]

    def set_summary(self, summary: PatternSummary) -> None:
        self.summary = summary
        self.series = chart_series(summary) if summary.total else []
        unit = "week" if summary.granularity == "week" else "month"
        parts = [f"{b.long_label}: {b.total}" for b in summary.buckets if b.total]
        self.setAccessibleDescription(
            f"Entries per {unit}. " + ("; ".join(parts) if parts else "No entries.")
        )
        self.update()

    def stack(self, bucket: Bucket) -> list[tuple[str, int]]:
        """(series, count) for one bar, bottom first; kinds beyond the palette go in Other."""
        drawn = [k for k in self.series if k != OTHER]
        out = []
        for kind in self.series:
            if kind == OTHER:
                n = sum(c for k, c in bucket.counts.items() if k not in drawn)
            else:
                n = bucket.counts.get(kind, 0)
            if n:
                out.append((kind, n))
        return out

    def _scale(self) -> tuple[int, int]:
        assert self.summary is not None
        peak = max((sum(n for _, n in self.stack(b)) for b in self.summary.buckets), default=0)
        top = max(4, peak)
        step = max(1, -(-top // 5))
        return step * -(-top // step), step

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        text_colour = QColor("#333333")
        painter.setPen(text_colour)
        self._bars = []
        if self.summary is None or not self.summary.buckets:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Nothing to show yet.")
            painter.end()
            return
        buckets = self.summary.buckets
        metrics = painter.fontMetrics()
        line = metrics.height()
        crowded = len(buckets) > 10
        left, right, top = metrics.horizontalAdvance("000") + 14, 10, line // 2 + 4
        bottom = line * (3 if crowded else 2) + 8
        plot = QRectF(left, top, self.width() - left - right, self.height() - top - bottom)
        if plot.width() <= 10 or plot.height() <= 10:
            painter.end()
            return
        ymax, ystep = self._scale()

        grid = QPen(QColor("#dddddd"))
        grid.setWidthF(1)
        for value in range(0, ymax + 1, ystep):
            y = plot.bottom() - plot.height() * value / ymax
            painter.setPen(grid)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text_colour)
            painter.drawText(
                QRectF(0, y - line / 2, left - 6, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                str(value),
            )

        slot = plot.width() / len(buckets)
        bar_width = max(2.0, slot * 0.72)
        label_every = max(1, -(-len(buckets) // max(1, int(plot.width() // 70))))
        separator = QPen(QColor("#ffffff"))
        separator.setWidthF(1)
        for index, bucket in enumerate(buckets):
            x = plot.left() + slot * index + (slot - bar_width) / 2
            y = plot.bottom()
            for kind, count in self.stack(bucket):
                height = plot.height() * count / ymax
                rect = QRectF(x, y - height, bar_width, height)
                painter.fillRect(rect, self.colour(kind))
                painter.setPen(separator)
                painter.drawLine(rect.topLeft(), rect.topRight())
                y -= height
            self._bars.append(QRectF(plot.left() + slot * index, plot.top(), slot, plot.height()))
            if index % label_every == 0:
                painter.setPen(text_colour)
                centre = x + bar_width / 2
                if crowded:
                    painter.save()
                    painter.translate(centre + line / 3, plot.bottom() + 6)
                    painter.rotate(-35)
                    width = metrics.horizontalAdvance(bucket.label)
                    painter.drawText(QPointF(-width, 0), bucket.label)
                    painter.restore()
                else:
                    painter.drawText(
                        QRectF(centre - slot, plot.bottom() + 4, slot * 2, line),
                        Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                        bucket.label,
                    )
        axis = QPen(QColor("#888888"))
        painter.setPen(axis)
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.end()

    def bucket_at(self, x: float) -> Bucket | None:
        """The bar under horizontal position ``x`` (after the chart has been painted)."""
        if self.summary is None:
            return None
        for rect, bucket in zip(self._bars, self.summary.buckets, strict=False):
            if rect.left() <= x < rect.right():
                return bucket
        return None

    def bucket_tip(self, bucket: Bucket) -> str:
        lines = [f"{bucket.long_label}: {plural(bucket.total, 'entry', 'entries')}"]
        lines += [
            f"  {'Other kinds' if k == OTHER else taxonomy.label(k)}: {n}"
            for k, n in self.stack(bucket)
        ]
        return "\n".join(lines)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            help_event: QHelpEvent = event  # type: ignore[assignment]
            bucket = self.bucket_at(help_event.pos().x())
            if bucket is not None:
                QToolTip.showText(help_event.globalPos(), self.bucket_tip(bucket), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)


class Legend(QWidget):
    """Colour swatches with the kinds' plain labels, in two or three columns."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patternLegend")
        self.setAccessibleName("Chart colours")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(18)
        self.entries: list[tuple[str, QColor]] = []

    def set_entries(self, entries: list[tuple[str, QColor]]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.entries = entries
        columns = 3 if len(entries) > 4 else max(1, len(entries))
        for index, (label, colour) in enumerate(entries):
            row, col = divmod(index, columns)
            swatch = QLabel()
            swatch.setObjectName("legendSwatch")  # border from the stylesheet
            swatch.setFixedSize(14, 14)
            pixmap = QPixmap(14, 14)  # the kind's colour, the same as the chart's
            pixmap.fill(colour)
            swatch.setPixmap(pixmap)
            swatch.setAccessibleName(f"Colour for {label}")
            cell = QHBoxLayout()
            cell.addWidget(swatch)
            text = PlainLabel(label, wrap=False)
            text.setObjectName("legendLabel")
            cell.addWidget(text)
            cell.addStretch(1)
            holder = QWidget()
            holder.setLayout(cell)
            cell.setContentsMargins(0, 0, 0, 0)
            self.grid.addWidget(holder, row, col)

    def labels(self) -> list[str]:
        return [label for label, _ in self.entries]


# -- the view ----------------------------------------------------------------------------------
class PatternView(SafeDialog):
    """``PatternView(vault)``: the chart and the figures, private entries left out by default."""

    def __init__(
        self, vault: Vault, parent: QWidget | None = None, *, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self.vault = vault
        self.today = today
        self.summary: PatternSummary | None = None
        self.setObjectName("patternView")
        self.setWindowTitle("Pattern of behaviour")
        self.setAccessibleName("Pattern of behaviour")
        self.resize(960, 700)

        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(heading("Pattern of behaviour", self), 1)
        self.quick_exit = self.quick_exit_button
        top.addWidget(self.quick_exit, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)
        intro = PlainLabel(
            "Worked out from the entries in your diary. A report shows the same figures "
            "on its first page."
        )
        outer.addWidget(intro)

        options = QHBoxLayout()
        self.private_box = QCheckBox("Include entries marked private")
        self.private_box.setObjectName("includePrivateBox")
        self.private_box.setAccessibleName("Include entries marked private")
        self.private_box.setToolTip("Private entries are left out of reports unless you add them")
        self.private_box.toggled.connect(lambda _on: self.refresh())
        options.addWidget(self.private_box)
        options.addStretch(1)
        self.overview_label = PlainLabel("")
        self.overview_label.setObjectName("overviewLabel")
        options.addWidget(self.overview_label, 2)
        outer.addLayout(options)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setSpacing(10)
        upper = QGridLayout()
        upper.setColumnStretch(1, 1)
        upper.setVerticalSpacing(10)
        self.escalation_label = self._fact(upper, 0, "How often, lately", "escalationLabel")
        self.first_label = self._fact(upper, 1, "When it became more serious", "firstSeriousLabel")
        column.addLayout(upper)

        self.chart_title = PlainLabel("")
        self.chart_title.setObjectName("chartTitle")
        bold = QFont(self.chart_title.font())
        bold.setBold(True)
        self.chart_title.setFont(bold)
        column.addWidget(self.chart_title)
        self.chart = IncidentChart(self)
        self.chart.setFixedHeight(CHART_HEIGHT)
        column.addWidget(self.chart)
        self.legend = Legend(self)
        column.addWidget(self.legend)

        lower = QGridLayout()
        lower.setColumnStretch(1, 1)
        lower.setVerticalSpacing(10)
        self.busiest_label = self._fact(lower, 0, "When it happens most", "busiestLabel")
        self.kinds_label = self._fact(lower, 1, "Kinds of behaviour", "kindsLabel")
        self.people_label = self._fact(lower, 2, "People involved", "peopleLabel")
        column.addLayout(lower)
        column.addStretch(1)
        # The facts' captions line up across both grids.
        for grid in (upper, lower):
            grid.setColumnMinimumWidth(0, CAPTION_WIDTH)

        scroll = QScrollArea()
        scroll.setObjectName("patternFacts")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer.addWidget(scroll, 1)

        bottom = QHBoxLayout()
        self.status_label = PlainLabel("")
        self.status_label.setObjectName("patternStatus")
        bottom.addWidget(self.status_label, 1)
        close = button("&Close", "closePatternButton", "Close the pattern view")
        close.clicked.connect(self.close)
        bottom.addWidget(close)
        outer.addLayout(bottom)

        self.refresh()

    def _fact(self, grid: QGridLayout, row: int, title: str, name: str) -> PlainLabel:
        caption = PlainLabel(title, wrap=False)
        font = caption.font()
        font.setBold(True)
        caption.setFont(font)
        grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
        value = PlainLabel("")
        value.setObjectName(name)
        value.setAccessibleName(title)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        value.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        caption.setBuddy(value)
        grid.addWidget(value, row, 1)
        return value

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # Coming back to this window after writing an entry shows the new figures.
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.refresh()

    @property
    def include_private(self) -> bool:
        return self.private_box.isChecked()

    def refresh(self) -> None:
        """Work the figures out again from the diary."""
        if self.vault.is_locked:
            return
        try:
            incidents = self.vault.incidents.list()
            people = self.vault.people.list()
            summary = summarize(incidents, today=self.today, include_private=self.include_private)
        except VaultError as exc:
            self.status_label.setText(error_text(exc))
            return
        self.summary = summary
        hidden = 0 if self.include_private else sum(1 for i in incidents if i.private)

        if summary.total and summary.first_at and summary.last_at:
            overview = (
                f"{plural(summary.total, 'entry', 'entries')} from "
                f"{day_text(summary.first_at.date())} to {day_text(summary.last_at.date())}."
            )
        else:
            overview = "No entries to show yet."
        if hidden:
            overview += (
                f" {plural(hidden, 'private entry', 'private entries')} "
                f"{'is' if hidden == 1 else 'are'} left out."
            )
        self.overview_label.setText(overview)

        unit = "week (weeks start on Monday)" if summary.granularity == "week" else "month"
        self.chart_title.setText(
            f"Behaviours recorded per {unit}, coloured by kind. "
            "An entry with two kinds counts in both."
        )
        self.chart.set_summary(summary)
        self.legend.set_entries(self.chart.legend())

        self.escalation_label.setText(escalation_text(summary))
        self.first_label.setText(first_serious_text(summary))
        self.busiest_label.setText(busiest_text(summary))
        self.kinds_label.setText(kinds_text(summary))
        names = {p.id: p.name for p in people}
        if names:
            self.people_label.setText("\n".join([*people_lines(summary, names), "", COURSE_NOTE]))
        else:
            self.people_label.setText(
                "No people added yet. Add the person doing this under “People…” and link "
                "them to each entry, and the number of occasions will show here.\n\n" + COURSE_NOTE
            )
        for label in (
            self.escalation_label,
            self.first_label,
            self.busiest_label,
            self.kinds_label,
            self.people_label,
        ):
            label.setAccessibleDescription(label.text())
        self.status_label.clear()
