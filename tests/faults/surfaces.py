"""What userstream accepts from outside, discovered from the binary and its sources: every
(sub)command, its options and the `USERSTREAM_*` variable each option names in its help, and
every `USERSTREAM_*` string in Sources/."""
from __future__ import annotations

import functools
import re
import subprocess

from processes import ROOT, userstream_bin

OPTION = re.compile(r"^\s{2,}(?:-\w, )?(--[a-z0-9-]+)(?: <([^>]+)>)?(.*)$")
ENV = re.compile(r"env (USERSTREAM_[A-Z0-9_]+)")


def help_text(path: tuple[str, ...]) -> str:
    result = subprocess.run([str(userstream_bin()), *path, "--help"], capture_output=True, text=True, timeout=30)
    return result.stdout + result.stderr


def _sections(text: str) -> dict[str, list[str]]:
    sections, current = {}, None
    for line in text.splitlines():
        if re.match(r"^[A-Z][A-Z ]+:", line):
            current = line.split(":", 1)[0]
            sections[current] = [line.split(":", 1)[1]]
        elif current:
            sections[current].append(line)
    return sections


@functools.cache
def commands() -> list[tuple[str, ...]]:
    """Every runnable command path, e.g. ("produce",), ("kafka", "topics", "create")."""
    found = []

    def visit(path):
        sections = _sections(help_text(path))
        subs = [m.group(1) for line in sections.get("SUBCOMMANDS", []) if (m := re.match(r"^  ([a-z][a-z-]*)(?:\s|$)", line))]
        subs = [s for s in subs if s != "help"]
        if path and not subs:
            found.append(path)
        for sub in subs:
            visit(path + (sub,))
    visit(())
    return found


@functools.cache
def positionals(path: tuple[str, ...]) -> list[str]:
    """Placeholder values for the command's required positional arguments."""
    usage = " ".join(_sections(help_text(path)).get("USAGE", []))
    usage = re.sub(r"\[[^\]]*\]", "", usage)  # optional parts
    usage = re.sub(r"--?[a-z0-9-]+ <[^>]+>", "", usage)
    return ["users_placeholder" for name in re.findall(r"<([^>]+)>", usage) if name not in ("options", "subcommand")]


@functools.cache
def required_options(path: tuple[str, ...]) -> list[str]:
    """The options the command's usage line does not mark optional."""
    usage = " ".join(_sections(help_text(path)).get("USAGE", []))
    usage = re.sub(r"\[[^\]]*\]", "", usage)
    return re.findall(r"(--[a-z0-9-]+) <[^>]+>", usage)


@functools.cache
def options(path: tuple[str, ...]) -> list[tuple[str, bool, str | None]]:
    """(flag, takes a value, USERSTREAM_ variable named in its help) of a command."""
    return [(flag, takes_value, env) for flag, takes_value, env, _ in described_options(path)]


@functools.cache
def described_options(path: tuple[str, ...]) -> list[tuple[str, bool, str | None, str]]:
    """options(path), each with its help text."""
    lines = _sections(help_text(path)).get("OPTIONS", [])
    found, current = [], None
    for line in lines:
        match = OPTION.match(line)
        if match:
            if current:
                found.append(current)
            current = [match.group(1), match.group(2) is not None, match.group(3)]
        elif current:
            current[2] += " " + line.strip()
    if current:
        found.append(current)
    result = []
    for flag, takes_value, description in found:
        if flag in ("--help", "--version"):
            continue
        env = ENV.search(re.sub(r"\s+", " ", description).replace("( env", "(env"))
        result.append((flag, takes_value, env.group(1) if env else None, re.sub(r"\s+", " ", description).strip()))
    return result


@functools.cache
def source_variables() -> set[str]:
    """Every USERSTREAM_* name the sources read."""
    names = set()
    for path in (ROOT / "Sources").rglob("*.swift"):
        names.update(re.findall(r'"(USERSTREAM_[A-Z0-9_]+)"', path.read_text(errors="replace")))
    return names
