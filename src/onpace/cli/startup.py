"""Starting the command line quickly: build only the command that is run.

Typer turns every registered function into a click command before it parses the
arguments: for each of the fifty-odd commands it evaluates the type hints of the
function (strings, under ``from __future__ import annotations``) four times over.
That costs more than the work of a command such as ``onpace kpi list``. So the
entry point hands Typer an app that holds only the command the arguments name (the
help of the whole program, a mistyped command or a bare ``onpace`` still get the
full app, with its listing and its suggestions), and evaluates the type hints of
the functions it builds once, up front.

The help of the whole program lists each command by its name and the first line of
its help, and nothing of its parameters: so for it (and for a bare ``onpace`` or an
unknown option, which answer with the same usage) each command is handed to Typer
as a function without parameters that carries the command's name and help
(:func:`listing`), and no type hint is evaluated at all.
"""

from __future__ import annotations

import copy
import typing
from collections.abc import Sequence
from typing import Any

import typer
from typer.main import get_command_name


def command_name(info: Any) -> str:
    """The name a registered command is called by on the command line."""
    return str(info.name or get_command_name(info.callback.__name__))


def group_name(info: Any) -> str:
    """The name a registered sub-app (``onpace kpi ...``) is called by."""
    instance = info.typer_instance
    return str(info.name or (instance.info.name if instance is not None else ""))


def first_word(args: Sequence[str]) -> str | None:
    """The command the arguments name: the first one that is not an option."""
    for arg in args:
        if not arg.startswith("-"):
            return arg
        if arg == "--":
            return None
    return None


def for_arguments(app: typer.Typer, args: Sequence[str]) -> typer.Typer:
    """``app`` reduced to the command or group ``args`` run (``app`` itself if none)."""
    word = first_word(args)
    if word is None:
        return listing(app)
    commands = [c for c in app.registered_commands if command_name(c) == word]
    groups = [g for g in app.registered_groups if group_name(g) == word]
    if not commands and not groups:
        resolve_hints(app)  # an unknown word: the full app lists what there is
        return app
    reduced = copy.copy(app)
    reduced.registered_commands = commands
    reduced.registered_groups = groups
    # one command alone would become the program itself (``onpace DIR``): a group
    # callback that does nothing keeps ``onpace init DIR`` parsed as before
    reduced.info = copy.copy(app.info)
    reduced.info.callback = _as_group
    resolve_hints(reduced)
    return reduced


def listing(app: typer.Typer) -> typer.Typer:
    """``app`` as its own help lists it: every command and group by name and help alone."""
    listed = copy.copy(app)
    listed.registered_commands = [_listed_command(c) for c in app.registered_commands]
    listed.registered_groups = [_listed_group(g) for g in app.registered_groups]
    return listed


def _listed_command(info: Any) -> Any:
    """A command whose function takes nothing but keeps the name and help it is listed by."""
    listed = copy.copy(info)
    listed.name = command_name(info)

    def parameterless() -> None:
        """Never run: the listing only shows the command."""

    parameterless.__doc__ = info.callback.__doc__
    listed.callback = parameterless
    return listed


def _listed_group(info: Any) -> Any:
    """A sub-app with its name and help, without the commands its own help would list."""
    listed = copy.copy(info)
    listed.name = group_name(info)
    instance = info.typer_instance
    if instance is not None:
        empty = copy.copy(instance)
        empty.registered_commands = []
        empty.registered_groups = []
        listed.typer_instance = empty
    return listed


def _as_group() -> None:
    """Nothing to do before the command runs."""


def resolve_hints(app: typer.Typer) -> None:
    """Evaluate, once, the type hints of every function ``app`` will turn into a command."""
    for info in app.registered_commands:
        _resolve(info.callback)
    _resolve(app.registered_callback.callback if app.registered_callback else None)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            resolve_hints(group.typer_instance)


def _resolve(function: Any) -> None:
    if function is None or not any(isinstance(a, str) for a in function.__annotations__.values()):
        return
    try:
        hints = typing.get_type_hints(function, include_extras=True)
    except NameError:  # a name only imported for type checkers: Typer reports it as before
        return
    function.__annotations__ = hints
