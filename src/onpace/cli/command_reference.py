"""Write docs/cli.md, the reference of every command and option, from the Typer app itself.

The page is generated, never edited: a test fails when the committed page differs
from what this module writes, so a new option cannot go undocumented. Regenerate
with ``python -m onpace.cli.command_reference``.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from typer.main import get_command

from onpace.cli.main import app

HEADER = """\
# Command line reference

Every `onpace` command with its arguments and options, generated from the program
itself (`python -m onpace.cli.command_reference`); do not edit by hand. Run
`onpace COMMAND --help` for the same text in a terminal. The user guide
([guide.md](guide.md)) shows the commands at work.
"""


def _commands(group: Any, ctx: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        path = f"{prefix} {name}"
        if hasattr(command, "list_commands"):
            yield path, command
            yield from _commands(command, ctx, path)
        else:
            yield path, command


def _default(param: Any) -> str:
    if getattr(param, "is_flag", False):
        return "on" if param.default else "off"
    value = param.default
    if value is None or value == () or value == []:
        return ""
    if isinstance(value, Path):
        value = str(value)
    return f"`{value}`"


def _names(param: Any) -> str:
    names = [*param.opts, *param.secondary_opts]
    if getattr(param, "is_flag", False) and param.secondary_opts:
        return " / ".join(f"`{n}`" for n in names)
    shown = ", ".join(f"`{n}`" for n in names)
    return shown + (" (repeatable)" if getattr(param, "multiple", False) else "")


def _meaning(param: Any) -> str:
    text = " ".join((param.help or "").split())
    if param.envvar:
        text += f" Environment variable: `{param.envvar}`."
    return text.replace("|", "\\|")


def _usage(path: str, command: Any) -> str:
    pieces = [path.strip()]
    for param in command.params:
        if param.param_type_name == "argument":
            name = param.name.upper()
            more = "..." if param.nargs == -1 else ""
            pieces.append(f"{name}{more}" if param.required else f"[{name}{more}]")
    if any(p.param_type_name == "option" for p in command.params):
        pieces.append("[OPTIONS]")
    return " ".join(pieces)


def _section(path: str, command: Any) -> list[str]:
    level = "##" if path.count(" ") == 1 else "###"
    lines = [f"{level} `{path.strip()}`", ""]
    help_text = inspect.cleandoc(command.help or "").strip()
    if help_text:
        lines += [help_text, ""]
    if hasattr(command, "list_commands"):
        return lines
    lines += ["```", _usage(path, command), "```", ""]
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    options = [p for p in command.params if p.param_type_name == "option"]
    if arguments:
        lines += ["| argument | meaning |", "| --- | --- |"]
        lines += [f"| `{p.name.upper()}` | {_meaning(p)} |" for p in arguments]
        lines.append("")
    if options:
        lines += ["| option | default | meaning |", "| --- | --- | --- |"]
        lines += [f"| {_names(p)} | {_default(p)} | {_meaning(p)} |" for p in options]
        lines.append("")
    return lines


def cli_markdown() -> str:
    """The whole reference page."""
    root = get_command(app)
    ctx = root.make_context("onpace", [], resilient_parsing=True)
    lines = [HEADER]
    for path, command in _commands(root, ctx, "onpace"):
        lines += _section(path, command)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover
    target = Path(__file__).resolve().parents[3] / "docs" / "cli.md"
    target.write_text(cli_markdown(), encoding="utf-8")
    print(f"wrote {target}")
