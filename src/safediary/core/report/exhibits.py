"""The evidence index (exhibit marks, SHA-256, dates, where the original is kept) and the
appendix of pictures printed full-width so messages in screenshots can be read."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PIL import Image as PILImage
from PIL import ImageOps
from reportlab.platypus import Flowable, KeepTogether, Spacer

from safediary.core.diary.incidents import Incident
from safediary.core.errors import VaultError
from safediary.core.report.data import (
    EvidenceItem,
    ReportData,
    fmt_date,
    fmt_datetime,
    fmt_size,
)
from safediary.core.report.flow import JpegImage, entry_key, heading, link
from safediary.core.report.text import Paragraph, Styles, markup, shorten
from safediary.core.wording import visible_name

Story = list[Flowable]
Grid = Callable[..., Flowable]
Check = Callable[[], object]  # raises to stop; what it returns is not read

#: Pictures in the appendix are reduced to about this many pixels across (about 180 dpi
#: over the page width): enough to read a phone screenshot, small enough for 100 photos.
APPENDIX_PX = 1240

INDEX_HELP = (
    "Each file has an exhibit mark for this report and the SHA-256 fingerprint of the "
    "original file, worked out when it was put into the diary. “About this report” says "
    "how to check a copy of a file against it. Exact copies of the files can be exported "
    "from SafeDiary, named by their marks. Where a camera's date is more than a day away "
    "from the date of the entry a file is linked to, a note says so: the camera's clock may "
    "be wrong, or the picture older than the incident."
)


def _exif_text(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.utcoffset() is None:
        return fmt_datetime(moment) + " (camera clock)"
    return fmt_datetime(moment, zone=True)


def _duration(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def camera_date_note(item: EvidenceItem, by_id: dict[int, Incident]) -> str | None:
    """A note when the camera's date is over a day from every entry the file is linked to."""
    if not item.captured_at:
        return None
    try:
        taken = datetime.fromisoformat(item.captured_at)
    except ValueError:
        return None
    linked = [by_id[i] for i in item.incident_ids if i in by_id]
    if not linked:
        return None
    # the camera's own calendar day against the day the entry says, each as recorded
    gaps = [(i.occurred_at.date() - taken.date()).days for i in linked]
    gap, nearest = min(zip(gaps, linked, strict=True), key=lambda g: abs(g[0]))
    if abs(gap) <= 1:
        return None
    days = f"{abs(gap):,} days " + ("before" if gap > 0 else "after")
    return (
        f"<b>Note</b> the camera's date is {days} entry No. {nearest.number} "
        f"({fmt_date(nearest.occurred_at)})"
    )


def _entries(item: EvidenceItem, data: ReportData) -> str:
    ids = {i.number: i.id for i in data.incidents}
    return ", ".join(
        link(str(n), entry_key(ids[n])) if n in ids else str(n) for n in item.incident_numbers
    )


def evidence_section(data: ReportData, st: Styles, width: float, grid: Grid) -> Story:
    story: Story = [heading("Evidence index", st.h1, "evidence")]
    if not data.evidence:
        return [
            *story,
            Paragraph("No evidence files are linked to the entries in this report.", st.body),
        ]
    story += [Paragraph(INDEX_HELP, st.small), Spacer(1, 6)]
    heads = ("Mark", "File, what it shows and its SHA-256", "Dates and details", "Entries")
    rows: list[list[Any]] = [[Paragraph(h, st.cell_head) for h in heads]]
    by_id = {i.id: i for i in data.incidents}
    sent_with = {
        e: m.sent_at for found in data.messages.values() for m in found for e in m.attachments
    }
    for item in data.evidence:
        name = markup(shorten(visible_name(item.original_name), 300)[0]) or "(no name)"
        kind = markup(item.mime or item.kind)
        file_cell: list[Any] = [
            Paragraph(f"<b>{name}</b><br/>{kind}, {fmt_size(item.size)}", st.cell)
        ]
        if item.description.strip():
            file_cell.append(Paragraph(markup(shorten(item.description, 1200)[0]), st.cell))
        if item.original_location.strip():
            file_cell.append(
                Paragraph(
                    "<b>Original kept:</b> " + markup(shorten(item.original_location, 400)[0]),
                    st.cell,
                )
            )
        file_cell.append(Paragraph(item.sha256 or "(not recorded)", st.mono))
        details = []
        if item.captured_at:
            details.append("<b>Taken</b> " + markup(_exif_text(item.captured_at)))
        note = camera_date_note(item, by_id)
        if note is not None:
            details.append(note)
        if item.camera:
            details.append("<b>Camera</b> " + markup(shorten(item.camera, 80)[0]))
        if item.gps is not None:
            details.append(f"<b>GPS</b> {item.gps[0]:.5f}, {item.gps[1]:.5f}")
        if item.duration is not None:
            details.append("<b>Length</b> " + _duration(item.duration))
        if item.modified_at is not None:
            # a file from a message export has no date of its own: it was given the message's
            sent = sent_with.get(item.id)
            label = (
                "Sent in a message"
                if sent is not None and sent == item.modified_at
                else ("File date")
            )
            details.append(
                f"<b>{label}</b> " + fmt_datetime(item.modified_at, home=data.generated_at)
            )
        if item.imported_at is not None:
            details.append(
                "<b>Put in diary</b> " + fmt_datetime(item.imported_at, home=data.generated_at)
            )
        if item.is_image and item.id in data.pictures:
            details.append(link("<i>picture in full</i>", f"picture-{item.id}"))
        rows.append(
            [
                Paragraph(
                    f'<a name="{item.anchor}"/><b>{markup(item.mark)}</b><br/>'
                    f"<font size='6.5' color='#555555'>{item.ref} in the diary</font>",
                    st.cell,
                ),
                file_cell,
                Paragraph("<br/>".join(details), st.cell),
                Paragraph(_entries(item, data), st.cell),
            ]
        )
    story.append(grid(rows, [width * 0.08, width * 0.6, width * 0.24, width * 0.08]))
    return story


def reduced_picture(data: bytes, pixels: int = APPENDIX_PX) -> bytes | None:
    """A JPEG of at most ``pixels`` across (EXIF orientation applied), or None if unreadable."""
    try:
        with PILImage.open(io.BytesIO(data)) as image:
            limit = PILImage.MAX_IMAGE_PIXELS
            if limit is not None and image.width * image.height > limit:
                return None
            image.draft("RGB", (pixels, 1))  # decode a JPEG at 1/2, 1/4 … of its size
            picture = ImageOps.exif_transpose(image)
            if picture.width > pixels * 1.3:  # draft came close enough: no second resample
                height = max(1, round(picture.height * pixels / picture.width))
                picture = picture.resize((pixels, height), PILImage.Resampling.BILINEAR)
            if picture.mode not in ("RGB", "L"):
                rgba = picture.convert("RGBA")
                flat = PILImage.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
                picture = flat
            out = io.BytesIO()
            picture.save(out, format="JPEG", quality=82)
            return out.getvalue()
    except Exception:  # a damaged picture must not stop the report
        return None


def load_pictures(vault: Any, data: ReportData, check: Check) -> dict[Any, bytes]:
    """Reduced copies of every picture in the report, read one at a time from the vault."""
    out: dict[Any, bytes] = {}
    for item in data.evidence:
        if not item.is_image:
            continue
        check()
        original = None
        with contextlib.suppress(VaultError):
            original = vault.evidence.read(item.id)
        if original is None:
            continue
        reduced = reduced_picture(original)
        del original
        if reduced is not None:
            out[item.id] = reduced
    return out


def pictures_section(data: ReportData, st: Styles, width: float, height: float) -> Story:
    """Every picture full-width, one or two to a page, under its mark."""
    shown = [e for e in data.evidence if e.id in data.pictures]
    if not shown:
        return []
    story: Story = [
        heading("Pictures in full", st.h1, "pictures"),
        Paragraph(
            "Photos and screenshots printed as large as the page allows, so that messages "
            "can be read. These are reduced copies for reading; the exhibit is the original "
            "file, whose SHA-256 is in the evidence index.",
            st.muted,
        ),
        Spacer(1, 6),
    ]
    for item in shown:
        picture = data.pictures[item.id]
        px_w, px_h = JpegImage.pixels(picture)
        # landscape photos two to a page; tall screenshots as tall as the page allows
        # (room is left for this section's heading and note above the first picture)
        room = (height * 0.5 - 60) if px_w > px_h else (height - 130)
        scale = min(width / px_w, room / px_h)
        image = JpegImage(picture, px_w * scale, px_h * scale)
        image.hAlign = "CENTER"
        title = f"{item.mark} — {shorten(visible_name(item.original_name), 90)[0]}"
        head = heading(title, st.h2, f"picture-{item.id}", level=1)
        caption = Paragraph(
            link(f"<b>{markup(item.mark)}</b> in the evidence index", item.anchor)
            + (" · entry No. " if len(item.incident_numbers) == 1 else " · entries No. ")
            + _entries(item, data),
            st.muted,
        )
        story.append(KeepTogether([head, image, caption, Spacer(1, 10)]))
    return story
