"""Every command the README shows exists, with every option it uses (as `--help` lists them).

The commands themselves run in their own tests; this keeps the README's tour from drifting
away from the command line (an option renamed, a command gone, a flag misspelled).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial.md"


def _commands(text: str) -> list[list[str]]:
    found = []
    for line in text.splitlines():
        m = re.match(r"^\s{4}detente (.*)$", line) or re.match(r"^detente (.*)$", line)
        if not m:
            continue
        body = m.group(1).split("  #", 1)[0].split(" #", 1)[0]
        body = re.sub(r"\$\([^)]*\)", "X", body).replace("\\", " ")
        found.append(shlex.split(body))
    return found


GROUPS = {"runs"}  # commands whose first argument is a subcommand


def _split(words: list[str]) -> tuple[list[str], list[str]]:
    path = words[:2] if words and words[0] in GROUPS else words[:1]
    return path, [w.split("=", 1)[0] for w in words if w.startswith("-")]


CASES = [(src.name, words) for src in (README, TUTORIAL)
         for words in _commands(src.read_text(encoding="utf-8"))]


def test_the_readme_and_the_tutorial_show_commands():
    assert sum(1 for name, _ in CASES if name == "README.md") >= 20
    assert sum(1 for name, _ in CASES if name == "tutorial.md") >= 10


@pytest.mark.parametrize(("doc", "words"), CASES, ids=[" ".join(w)[:60] for _, w in CASES])
def test_each_command_and_option_exists(doc, words, invoke):
    path, options = _split(words)
    out = invoke(*path, "--help")
    assert out.code == 0, f"{doc}: `detente {' '.join(path)}` is not a command: {out.output}"
    text = out.output
    for opt in options:
        if opt in {"--help", "--debug"}:
            continue
        assert re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", text), (
            f"{doc}: `detente {' '.join(words)}` uses {opt}, which "
            f"`detente {' '.join(path)} --help` does not list")
