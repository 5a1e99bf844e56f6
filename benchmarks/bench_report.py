"""Report benchmark: time, PDF size and peak memory for 1,000 incidents + 100 photos.

Usage:
    python benchmarks/bench_report.py [--incidents 1000] [--photos 100] [--dir DIR]
    python benchmarks/bench_report.py --sample OUT.pdf   # realistic 20-entry sample report

The vault is built first (photos are 3000x2000 JPEGs made with Pillow and
imported as evidence); the report is then rendered in a fresh child process so
that its peak RSS is the report's own. Targets: < 10 s, PDF < 25 MB, < 500 MB.
Everything the script creates is removed, except the sample PDF you ask for.

    python benchmarks/bench_report.py --accel [--incidents 1000] [--photos 20] [--rounds 3]

renders the same vault with reportlab's C accelerator (the rl-accel package) and without it,
alternately, and prints both times and whether the PDFs are byte for byte the same.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

if os.environ.get("SD_BENCH_RL_ACCEL") == "off":  # before reportlab is imported
    sys.modules["_rl_accel"] = None  # type: ignore[assignment]  # reportlab then uses Python

from PIL import Image, ImageDraw

from safediary.core import Vault
from safediary.core.report import ReportOptions, render_report, write_report
from safediary.core.timeutil import now
from safediary.core.vault.keys import KdfParams

PASSPHRASE = "benchmark passphrase, not a secret"
KINDS = (
    "text_message",
    "phone_call",
    "social_media",
    "following",
    "loitering",
    "at_home",
    "threat",
    "property_damage",
    "contacting_others",
    "email",
)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_photo(path: Path, seed: int, size: tuple[int, int] = (3000, 2000)) -> None:
    """A photo-like JPEG (gradients, shapes, a little noise) with an EXIF capture time."""
    rng = random.Random(seed)
    small = Image.linear_gradient("L").resize((size[0] // 4, size[1] // 4))
    base = Image.merge(
        "RGB",
        (
            small.point(lambda v: (v + rng.randint(0, 80)) % 256),
            small.rotate(90).resize(small.size),
            Image.new("L", small.size, rng.randint(40, 200)),
        ),
    ).resize(size)
    draw = ImageDraw.Draw(base)
    for _ in range(25):
        x, y = rng.randint(0, size[0]), rng.randint(0, size[1])
        w, h = rng.randint(80, 900), rng.randint(80, 700)
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        draw.rectangle((x, y, x + w, y + h), fill=colour)
    noise = Image.effect_noise(size, 24).convert("RGB")
    photo = Image.blend(base, noise, 0.12)
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    exif[0x0110] = "Model 7"
    exif[0x0132] = f"2026:0{1 + seed % 9}:{10 + seed % 18} 21:{seed % 60:02d}:00"
    photo.save(path, "JPEG", quality=88, exif=exif)


def new_vault(folder: Path) -> Vault:
    vault, _recovery = Vault.create(folder, PASSPHRASE, kdf=KdfParams.fast())
    return vault


# ----------------------------------------------------------------------------- sample

_SAMPLE = [
    # days before today, hour, kinds, location, description, exact words, witnesses, ref
    (
        88,
        19,
        {"text_message"},
        "At home (messages to my phone)",
        "Received 14 text messages between 19:05 and 23:40 asking where I was and who I was "
        "with. I did not reply. He knew I had been at my sister's.",
        "You can't just ignore me. I know you were at Claire's.",
        "",
        "",
    ),
    (
        84,
        8,
        {"phone_call"},
        "Home",
        "Eight missed calls before 8:30 from a withheld number. The last one left a voicemail "
        "of breathing for about 20 seconds.",
        "",
        "",
        "",
    ),
    (
        79,
        17,
        {"following"},
        "Tesco car park, High Street",
        "Saw his blue Ford Focus (registration starts KX19) parked two rows behind my car. "
        "He stayed in the car and watched me load the shopping. He drove out right after me "
        "and followed as far as the roundabout by the station.",
        "",
        "Shop assistant (name badge 'Dev') saw me come back in upset.",
        "",
    ),
    (
        74,
        21,
        {"social_media", "contacting_others"},
        "Facebook",
        "He sent friend requests to three of my colleagues and messaged my friend Priya asking "
        "whether I was 'seeing anyone'. Priya sent me screenshots.",
        "Just tell her I'm not going anywhere.",
        "Priya Shah (friend) – 07700 900123",
        "",
    ),
    (
        70,
        22,
        {"text_message"},
        "Home",
        "Eleven messages tonight. Mix of apologising and blaming me.",
        "",
        "",
        "",
    ),
    (
        65,
        7,
        {"loitering", "watching"},
        "Outside my flat, 14 Elm Road",
        "His car was parked opposite my building when I left for work at 7:10. It was still "
        "there when my neighbour went out at 9.",
        "",
        "Mr Okafor, flat 3 (neighbour)",
        "",
    ),
    (
        60,
        20,
        {"phone_call", "threat"},
        "Phone",
        "He rang from a new number. When I said I would call the police he shouted and then "
        "hung up. I called 101 afterwards.",
        "If I can't have you nobody will. You'll be sorry.",
        "",
        "Reported to police on 101 – crime ref 44/12345/26",
    ),
    (
        55,
        18,
        {"following"},
        "Bus stop on Mill Lane",
        "Walked past the bus stop twice while I waited, did not speak, stared at me.",
        "",
        "Woman waiting at the stop (did not get her name)",
        "",
    ),
    (
        49,
        23,
        {"text_message", "threat"},
        "Home",
        "Message at 23:12 with a photo of my front door taken that evening.",
        "Nice door. Would be a shame if something happened to it.",
        "",
        "Added to crime ref 44/12345/26",
    ),
    (
        44,
        2,
        {"at_home", "property_damage"},
        "14 Elm Road – my car outside",
        "Woke at 2am to a bang. This morning both front tyres on my car were slashed. I took "
        "photos before touching anything.",
        "",
        "Mr Okafor heard the noise too.",
        "Police attended, PC 4512 Harris – crime ref 44/13001/26",
    ),
    (
        40,
        21,
        {"email", "contacting_others"},
        "E-mail to my work address",
        "He e-mailed my manager saying I had stolen money from him. My manager forwarded it "
        "to me and HR.",
        "",
        "My manager, Sue Patel",
        "",
    ),
    (
        35,
        19,
        {"at_home"},
        "Front door, 14 Elm Road",
        "He knocked on my door for ten minutes and shouted through the letterbox. I did not "
        "open the door and called 999. He left before police arrived.",
        "Open the door, I just want to talk. I know you're in there.",
        "Mr Okafor (neighbour)",
        "999 call, attended by PC 4512 Harris – crime ref 44/13001/26",
    ),
    (
        30,
        13,
        {"contacting_others", "via_third_party"},
        "My mother's house",
        "His friend Mark Byrne went to my mother's house asking for my new phone number.",
        "",
        "My mother, Helen Nowak",
        "",
    ),
    (
        24,
        22,
        {"text_message", "threat"},
        "Home",
        "Three messages from a new number. I recognise how he writes.",
        "I'll be waiting. Every day. You can't hide at your mum's either.",
        "",
        "Added to crime ref 44/13001/26",
    ),
    (
        20,
        7,
        {"following", "approaching"},
        "Walk to the station",
        "He walked behind me from the corner of Elm Road to the station and got on the same "
        "train. He sat opposite and stared. I got off a stop early.",
        "",
        "",
        "",
    ),
    (
        14,
        18,
        {"gift_or_item", "at_home"},
        "Doorstep, 14 Elm Road",
        "Dead flowers and a card left on my doorstep.",
        "Remember what we had. I'll remember for both of us.",
        "",
        "",
    ),
    (
        9,
        21,
        {"at_home", "watching"},
        "Outside 14 Elm Road",
        "His car parked opposite for over two hours in the evening, engine running.",
        "",
        "Mr Okafor",
        "",
    ),
    (
        6,
        20,
        {"threat", "social_media"},
        "Instagram",
        "He posted a photo of my building with the caption below. Removed after a few hours "
        "but I took a screenshot first.",
        "Some people need to learn.",
        "",
        "Reported to police online – crime ref 44/15220/26",
    ),
    (
        3,
        23,
        {"at_home", "property_damage", "violence"},
        "Front garden, 14 Elm Road",
        "He was in my front garden and smashed the kitchen window with a brick. When my "
        "neighbour came out he pushed him over and ran. The neighbour hurt his wrist.",
        "",
        "Mr Okafor (pushed over); Mrs Okafor saw it from the window",
        "999 – PC 2231 Lewis – crime ref 44/15301/26",
    ),
    (
        1,
        9,
        {"text_message"},
        "Home",
        "A text from an unknown number: 'Sorry about the window.'",
        "Sorry about the window.",
        "",
        "Added to crime ref 44/15301/26",
    ),
]


def build_sample(folder: Path, work: Path) -> Vault:
    """A realistic diary: 20 entries over about three months, escalating, with photos."""
    vault = new_vault(folder)
    him = vault.people.add(
        "Daniel Reeve",
        relationship="Former partner (we separated in June)",
        description="White man, 38, about 6ft, short dark hair, often wears a grey hoodie.",
        vehicle="Blue Ford Focus estate, registration starts KX19",
    )
    friend = vault.people.add(
        "Mark Byrne", relationship="Daniel's friend", description="Tall, shaved head, 40s."
    )
    today = now().replace(second=0, microsecond=0)
    for index, (days, hour, kinds, where, text, words, wit, reported) in enumerate(_SAMPLE):
        people = [friend.id] if "Mark" in text else [him.id]
        ref = reported.split("crime ref ")[-1] if "crime ref" in reported else ""
        reported_to = reported.split(" – crime ref")[0] if reported else ""
        incident = vault.incidents.add(
            occurred_at=(today - timedelta(days=days)).replace(hour=hour, minute=(index * 7) % 60),
            approximate=index in (1, 5),
            location=where,
            kinds=kinds,
            description=text,
            exact_words=words,
            feelings="Frightened. I have stopped going out after dark." if index % 4 == 2 else "",
            impact="Took a day off work; changed my route." if index % 5 == 4 else "",
            witnesses=wit,
            people=people,
            reported_to=reported_to,
            police_reference=ref,
            evidence_location="Original messages kept on my phone" if "message" in text else "",
        )
        if index in (9, 12, 18):
            for shot in range(2 if index == 9 else 1):
                photo = work / f"IMG_20{index:02d}{shot}.jpg"
                make_photo(photo, index * 10 + shot, size=(1600, 1200))
                vault.evidence.add_file(photo, incident_id=incident.id)
        if index == 9:
            vault.incidents.amend(
                incident.id,
                description=text + " A neighbour's doorbell camera may have recorded it.",
            )
    return vault


# ----------------------------------------------------------------------------- bulk


def build_bulk(folder: Path, work: Path, incidents: int, photos: int) -> Vault:
    rng = random.Random(1)
    vault = new_vault(folder)
    people = [vault.people.add(f"Person {n}").id for n in range(3)]
    start = now() - timedelta(days=2 * 365)
    made = []
    for n in range(incidents):
        when = start + timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        made.append(
            vault.incidents.add(
                occurred_at=when,
                location=f"Location {n % 37}",
                kinds=set(rng.sample(KINDS, rng.randint(1, 3))),
                description=" ".join(["He sent another message and waited outside."] * 8),
                feelings="Scared and tired.",
                witnesses="Neighbour" if n % 3 == 0 else "",
                people=[rng.choice(people)],
                police_reference=f"44/{10000 + n}/26" if n % 10 == 0 else "",
            )
        )
    photo = work / "photo.jpg"
    started = time.perf_counter()
    for n in range(photos):
        make_photo(photo, n)
        vault.evidence.add_file(photo, incident_id=made[(n * 7) % len(made)].id)
    print(f"imported {photos} photos in {time.perf_counter() - started:.1f} s", flush=True)
    return vault


def render_child(folder: Path, out: Path) -> None:
    """Run in a fresh process: unlock, render, print figures as JSON."""
    from reportlab import rl_config
    from reportlab.lib import rl_accel

    if os.environ.get("SD_BENCH_RL_ACCEL"):
        # comparable bytes: no time stamps or random ids from reportlab, a fixed "generated at"
        from safediary.core.report import data as report_data

        rl_config.invariant = 1
        fixed = datetime.fromisoformat(os.environ["SD_BENCH_NOW"])
        report_data.now = lambda: fixed  # type: ignore[assignment]  # benchmark only
    vault = Vault.unlock(folder, PASSPHRASE)
    before = peak_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    write_report(vault, out, ReportOptions())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    vault.lock()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu": cpu,
                "rss_before": before,
                "rss_peak": peak_rss_mb(),
                "accelerated": rl_accel.fp_str.__module__ == "_rl_accel",
            }
        )
    )


def compare_accel(work: Path, rounds: int) -> int:
    """Render alternately with and without the C accelerator; print CPU times and sameness."""
    cpu: dict[str, list[float]] = {"on": [], "off": []}
    stamp = now().isoformat()
    digests: dict[str, set[str]] = {"on": set(), "off": set()}
    for _ in range(rounds):
        for mode in ("on", "off"):
            out = work / f"report-{mode}.pdf"
            child = subprocess.run(
                [sys.executable, __file__, "--render", str(work / "vault"), str(out)],
                check=True,
                capture_output=True,
                text=True,
                env={**os.environ, "SD_BENCH_RL_ACCEL": mode, "SD_BENCH_NOW": stamp},
            )
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            if mode == "on" and not figures["accelerated"]:
                print("rl-accel is not installed (pip install rl-accel): nothing to compare")
                return 1
            cpu[mode].append(figures["cpu"])
            digests[mode].add(hashlib.sha256(out.read_bytes()).hexdigest())
    on, off = min(cpu["on"]), min(cpu["off"])
    print(f"{'report CPU, with rl-accel':<30} {on:8.2f} s   (best of {rounds})")
    print(f"{'report CPU, pure Python':<30} {off:8.2f} s   (best of {rounds})")
    print(f"{'speed-up':<30} {off / on:8.2f} x")
    same = len(digests["on"] | digests["off"]) == 1
    print(f"{'identical PDFs':<30} {'yes' if same else 'NO'}")
    return 0 if same else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--dir", type=Path, default=None, help="where to work (a disk)")
    parser.add_argument("--sample", type=Path, help="write a realistic sample report here")
    parser.add_argument("--accel", action="store_true", help="with and without rl-accel")
    parser.add_argument("--rounds", type=int, default=3, help="renders of each, for --accel")
    parser.add_argument("--render", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render:
        render_child(*args.render)
        return 0

    work = Path(tempfile.mkdtemp(prefix="sd-bench-report-", dir=args.dir))
    try:
        if args.sample:
            vault = build_sample(work / "vault", work)
            pdf = render_report(
                vault,
                ReportOptions(
                    user_name="Anna Nowak",
                    include_revisions=True,
                    statement="I am making this diary available to the police. Since June I "
                    "have changed my phone number twice and moved my car to a different street."
                    "\n\nI am frightened that it is getting worse.",
                ),
            )
            vault.lock()
            args.sample.write_bytes(pdf)
            print(f"sample report: {args.sample} ({len(pdf):,} bytes)")
            return 0
        print(f"building a vault with {args.incidents} incidents, {args.photos} photos …")
        vault = build_bulk(work / "vault", work, args.incidents, args.photos)
        vault.lock()
        if args.accel:
            return compare_accel(work, args.rounds)
        out = work / "report.pdf"
        child = subprocess.run(
            [sys.executable, __file__, "--render", str(work / "vault"), str(out)],
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        size_mb = out.stat().st_size / 1e6
        pages = out.read_bytes().count(b"/Type /Page\n") or "?"
        print(f"{'report time':<30} {figures['seconds']:8.2f} s    (target < 10 s)")
        print(
            f"{'  of which CPU time':<30} {figures.get('cpu', 0):8.2f} s    (other load shows here)"
        )
        print(f"{'PDF size':<30} {size_mb:8.2f} MB   (target < 25 MB)")
        print(
            f"{'peak RSS of the report process':<30} {figures['rss_peak']:8.1f} MB   "
            f"(target < 500 MB; {figures['rss_before']:.0f} MB before rendering)"
        )
        print(f"{'pages':<30} {pages}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
