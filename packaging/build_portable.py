"""Build the portable one-folder SafeDiary (``make portable``) and check it.

Steps: run PyInstaller with ``packaging/safediary.spec`` into ``dist/SafeDiary``,
write the empty ``SAFEDIARY_PORTABLE`` marker beside the executable (it makes
the app keep everything in ``SafeDiaryData`` next to itself), print the folder
size, then run the build's own ``--self-test``. Copy ``dist/SafeDiary`` to a
USB stick as it is.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "packaging" / "safediary.spec"
APP = "SafeDiary"
MARKER = "SAFEDIARY_PORTABLE"  # safediary.host.paths.PORTABLE_MARKER
DATA = "SafeDiaryData"  # the folder resolve() uses beside the marker
FAT32_LIMIT = 4 * 1024**3 - 1
FAT_BAD_CHARS = set('<>:"|?*\\')


def folder_size(folder: Path) -> tuple[int, int]:
    """(bytes, files) under ``folder``, not following links."""
    total = count = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
            count += 1
    return total, count


def largest(folder: Path, n: int = 8) -> list[tuple[int, str]]:
    sizes = [
        (p.stat().st_size, str(p.relative_to(folder)))
        for p in folder.rglob("*")
        if p.is_file() and not p.is_symlink()
    ]
    return sorted(sizes, reverse=True)[:n]


def build(dist: Path, work: Path) -> Path:
    app_dir = dist / APP
    if (app_dir / DATA).exists():
        sys.exit(
            f"{app_dir / DATA} exists and may hold a diary; move it away before rebuilding "
            "(the build replaces the whole folder)."
        )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            str(SPEC),
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
        ],
        check=True,
        cwd=REPO,
    )
    replace_symlinks(app_dir)
    (app_dir / MARKER).write_bytes(b"")
    return app_dir


def replace_symlinks(app_dir: Path) -> None:
    """Make the folder copyable to FAT32/exFAT sticks, which cannot hold symbolic links.

    PyInstaller links some libraries from subfolders into ``_internal``; the
    libraries that need them find them through their own RPATH, so the links
    are removed. A link to anything outside the folder is replaced by a copy.
    """
    for link in sorted(p for p in app_dir.rglob("*") if p.is_symlink()):
        target = link.resolve()
        link.unlink()
        if not target.is_relative_to(app_dir.resolve()) and target.is_file():
            shutil.copy2(target, link)


def fat_problems(app_dir: Path) -> list[str]:
    """What would stop the folder from working on a FAT32/exFAT stick."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in app_dir.rglob("*"):
        name = str(path.relative_to(app_dir))
        if path.is_symlink():
            problems.append(f"symbolic link: {name}")
        elif path.is_file() and path.stat().st_size > FAT32_LIMIT:
            problems.append(f"file over 4 GiB: {name}")
        if any(ch in path.name for ch in FAT_BAD_CHARS) or path.name.endswith((" ", ".")):
            problems.append(f"name not allowed on FAT: {name}")
        folded = name.casefold()
        if folded in seen:
            problems.append(f"names differ only in case: {seen[folded]} / {name}")
        seen[folded] = name
    return problems


def executable(app_dir: Path) -> Path:
    return app_dir / (f"{APP}.exe" if os.name == "nt" else APP)


def self_test(app_dir: Path) -> int:
    """Run the build's --self-test (headless); then remove the data folder it made."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([str(executable(app_dir)), "--self-test"], env=env, check=False)
    data = app_dir / DATA
    if data.is_dir() and not (data / "vault").exists():
        shutil.rmtree(data)  # only the emptied scratch folder: ship the folder clean
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=REPO / "dist")
    parser.add_argument("--work", type=Path, default=REPO / "build")
    parser.add_argument("--no-self-test", action="store_true", help="build only")
    args = parser.parse_args(argv)
    app_dir = build(args.dist.resolve(), args.work.resolve())
    size, files = folder_size(app_dir)
    print(f"Built {app_dir}: {size / 1024**2:.1f} MiB in {files} files")
    for nbytes, name in largest(app_dir):
        print(f"  {nbytes / 1024**2:7.1f} MiB  {name}")
    problems = fat_problems(app_dir)
    if problems:
        print("This folder would not work on a FAT32/exFAT stick:")
        for problem in problems[:20]:
            print(f"  {problem}")
        return 1
    print("FAT32/exFAT check: no links, no file over 4 GiB, no case clashes, names allowed")
    if args.no_self_test:
        return 0
    return self_test(app_dir)


if __name__ == "__main__":
    raise SystemExit(main())
