"""The honest words of the report: the check's result on the cover, and "About this report".

What the fingerprint covers and what it does not, where the times come from,
how entries are numbered, and how an officer checks an exhibit file or the
diary itself. Every sentence here must stay true of the product.
"""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from safediary.core.diary import taxonomy
from safediary.core.report.data import ReportData
from safediary.core.report.flow import heading
from safediary.core.report.text import ACCENT, MONO, SHADE, Paragraph, Styles, markup

Story = list[Flowable]

#: How to work out a file's SHA-256 on each system (the file name goes where FILE is).
HASH_COMMANDS: tuple[tuple[str, str, str], ...] = (
    (
        "Windows",
        "Open Command Prompt (press the Windows key, type cmd, press Enter) and type:",
        "certutil -hashfile FILE SHA256",
    ),
    (
        "macOS",
        "Open Terminal (in Applications, then Utilities) and type:",
        "shasum -a 256 FILE",
    ),
    ("Linux", "Open a terminal and type:", "sha256sum FILE"),
)

COVERS = (
    "every saved version of every entry (what happened, when, where, who, the times it was "
    "written down and amended); the people named in the diary and each change to them; each "
    "evidence file's record (its SHA-256, name, size, dates, description and where the "
    "original is kept), which entries it is linked to, and any removal; court orders; "
    "conversations imported from a phone or e-mail; and the answers to the safety checklist"
)

NOT_COVERED = (
    "It does not show that what is written is true, or when things really happened: it "
    "shows that the diary has not been changed since. It does not cover the app's settings. "
    "It changes whenever anything is added or changed in the diary, so a report made later "
    "from the same diary will have a different fingerprint once anything has been added."
)

TIMES = (
    "Each entry shows when it happened, as its author wrote it, and when it was written "
    "down: the computer's clock when the entry was first saved, which the author cannot "
    "type. A clock can be wrong or be changed, so the program also looks for times out of "
    "order. Times are never converted: each is shown in the time zone it was recorded in "
    "(UTC+01:00 is British Summer Time)."
)

SCRIPTS = (
    "Text is printed as it was written, in its own script and direction; a character that "
    "no font in SafeDiary can draw is shown as its code and Unicode name in square "
    "brackets, for example [U+1F52A HOCHO] for the kitchen knife emoji, so nothing is "
    "left out silently."
)

NUMBERING = (
    "Entries are numbered in the order they were written down, and listed in the order "
    "things happened. An entry written down later about something that happened earlier "
    "therefore has a higher number than the entries around it."
)


def check_notice(data: ReportData, st: Styles) -> Story:
    """A plain box on the cover when the check made before the report found problems."""
    if data.check_ok:
        return []
    lines = [
        "<b>The check made just before this report found problems.</b> Parts of this diary "
        "may have been changed without the app, or damaged. The report shows the diary as "
        "it is now. What the check found:"
    ]
    lines += ["• " + markup(p) for p in data.check_problems[:8]]
    if len(data.check_problems) > 8:
        lines.append(f"… and {len(data.check_problems) - 8} more.")
    box = Table([[Paragraph("<br/>".join(lines), st.body)]], hAlign="LEFT")
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.5, ACCENT),
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return [box, Spacer(1, 8)]


def check_sentence(data: ReportData) -> str:
    """One line for the cover's facts: what the check found."""
    if data.check_ok:
        return (
            "Checked just before this report was made: every entry, its history and "
            "every evidence file are complete and unchanged."
        )
    return f"PROBLEMS FOUND: {len(data.check_problems)} (see the box above)"


def _numbering(data: ReportData) -> str:
    text = NUMBERING
    opts = data.options
    reasons = []
    if data.private_gaps:
        n = data.private_gaps
        reasons.append(
            f"{n} {'entry' if n == 1 else 'entries'} in this period "
            f"{'is' if n == 1 else 'are'} marked private by the author and left out"
        )
    if opts.start is not None or opts.end is not None:
        reasons.append("entries outside the period chosen are left out")
    if opts.kinds is not None:
        reasons.append("only some kinds of behaviour were chosen")
    if opts.people is not None:
        reasons.append("only entries about some people were chosen")
    if reasons:
        text += " Some numbers are missing from this report because " + "; ".join(reasons) + "."
    return text


def _left_out(data: ReportData) -> list[str]:
    opts = data.options
    lines = []
    if not opts.include_private:
        lines.append("Entries marked private by the diary's author are not included.")
    if not opts.include_revisions and any(i.amended for i in data.incidents):
        amended = sum(1 for i in data.incidents if i.amended)
        lines.append(
            f"Earlier versions of the {amended} amended "
            + ("entry are" if amended == 1 else "entries are")
            + " not printed: each entry shows its latest version. The diary keeps every "
            "version, and a report that includes them can be made from it."
        )
    if not opts.include_feelings:
        lines.append("The author chose not to include how each incident made them feel.")
    if not opts.include_impact:
        lines.append("The author chose not to include the effect on their daily life.")
    if opts.kinds is not None:
        ordered = sorted(opts.kinds, key=taxonomy.KIND_IDS.index)
        lines.append(
            "Only entries of these kinds are included: "
            + markup(", ".join(taxonomy.label(k) for k in ordered))
            + "."
        )
    if opts.people is not None:
        names = [data.people[p].name for p in opts.people if p in data.people]
        lines.append("Only entries involving: " + markup("; ".join(names)) + ".")
    return lines


def about_section(data: ReportData, st: Styles) -> Story:
    """The "About this report" page."""
    body = ParagraphStyle("aboutBody", st.body, fontSize=8.8, leading=11.6, spaceAfter=2)
    item = ParagraphStyle("aboutItem", body, leftIndent=14, bulletIndent=2)
    h2 = ParagraphStyle("aboutH2", st.h2, fontSize=10.5, leading=13, spaceBefore=5, spaceAfter=2)
    story: Story = [heading("About this report", st.h1, "about")]
    story.append(
        Paragraph(
            "This diary was kept in SafeDiary, an encrypted diary for people who are being "
            "stalked or harassed. This page says what the report can and cannot show, and "
            "how anyone can check it.",
            body,
        )
    )
    for line in _left_out(data):
        story.append(Paragraph(line, item, bulletText="•"))
    story.append(Paragraph(SCRIPTS, body))
    story += [Paragraph("Times", h2), Paragraph(TIMES, body)]
    if data.clock_notes:
        story.append(Paragraph("Times that look out of order in this report:", st.label))
        for note in data.clock_notes[:30]:
            story.append(Paragraph(markup(note), item, bulletText="•"))
        if len(data.clock_notes) > 30:
            story.append(Paragraph(f"… and {len(data.clock_notes) - 30} more.", body))
    else:
        story.append(
            Paragraph(
                "No entry in this report has a written-down time earlier than the entry "
                "written before it, or later than the time this report was made.",
                body,
            )
        )
    story += [
        Paragraph("Changes", h2),
        Paragraph(
            "An entry can be corrected or added to, but never silently: every save is kept "
            "as a new version, and an entry changed after it was first written down says "
            "“amended” with the date. People are shown as the entry recorded them; "
            "if a person's name was changed later, the entry says “later identified as” "
            "with the date of the change.",
            body,
        ),
        Paragraph("Numbering", h2),
        Paragraph(_numbering(data), body),
        Paragraph("The diary fingerprint", h2),
        Paragraph(
            "The 64 characters at the foot of every page are the diary's fingerprint: the end "
            "of a chain of SHA-256 hashes over " + COVERS + ". Changing, removing or "
            "re-ordering any of these inside the diary's files changes the fingerprint or "
            "breaks the chain. " + NOT_COVERED,
            body,
        ),
        Paragraph(
            "Just before making this report the program checked the chain, the database and "
            "every evidence file: "
            + (
                "<b>everything checked out.</b>"
                if data.check_ok
                else "<b>it found problems, listed on the cover.</b>"
            ),
            body,
        ),
        Paragraph("How the diary's owner can show the diary is unchanged", h2),
        Paragraph(
            "In SafeDiary, the owner chooses <b>Backup…</b> and then <b>Check my diary…</b>. "
            "The program reads the whole diary and every evidence file and shows the "
            "diary's fingerprint. If nothing has been added or changed since this report was "
            "made, it is the same 64 characters as at the foot of these pages.",
            body,
        ),
    ]
    # the how-to is read as a whole with a file in hand: never split over two pages
    how: Story = [
        Paragraph("How to check an exhibit file", h2),
        Paragraph(
            "Each evidence file has an exhibit mark (for example "
            f"{markup(data.options.mark_prefix)}/1) and the SHA-256 of the original file, "
            "worked out when the file was put into the diary. A copy of the file is exact if "
            "its SHA-256 is the same, all 64 characters. No special software is needed:",
            body,
        ),
    ]
    steps = [
        "Save the exhibit file to a folder, for example Documents.",
        "Open the command window for your computer (below) in that folder.",
        "Type the command, with the file's name in place of FILE (in quotes if the name has "
        "spaces), and press Enter.",
        "Compare the 64 characters it shows with the SHA-256 printed for that exhibit in "
        "the evidence index. Capital and small letters count as the same.",
    ]
    for number, step in enumerate(steps, start=1):
        how.append(Paragraph(step, item, bulletText=f"{number}."))
    command_style = ParagraphStyle(
        "aboutCommand", body, fontName=MONO, leftIndent=28, spaceBefore=1, spaceAfter=3
    )
    for system, where, command in HASH_COMMANDS:
        how.append(Paragraph(f"<b>{system}.</b> {where}", item, bulletText="•"))
        how.append(Paragraph(markup(command), command_style))
    story.append(KeepTogether(how))
    return story
