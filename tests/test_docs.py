"""The generated blocks of the docs are what their commands write today (``docs/generate.py``).

Only the fast ones run here (``highlights --help``, the settings table, the stored CLI benchmark);
``python docs/generate.py --check`` checks the ones that spot and answer on the shipped sample too."""

from __future__ import annotations

import importlib.util

import pytest
from conftest import REPO

spec = importlib.util.spec_from_file_location("generate", REPO / "docs" / "generate.py")
generate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generate)


@pytest.mark.parametrize("name", [name for name, (_, _, fast) in generate.BLOCKS.items() if fast])
def test_a_generated_block_is_current(name: str) -> None:
    path, shown, fresh = generate.current(name)
    assert shown == fresh, f"{path.name}: block {name!r} is out of date: run python docs/generate.py --only {name}"


def test_every_block_has_its_markers() -> None:
    for name, (file, _, _) in generate.BLOCKS.items():
        text = (REPO / file).read_text(encoding="utf-8")
        assert generate.block_pattern(name).search(text), f"{file} lost the markers of {name!r}"


def test_the_settings_table_names_every_environment_variable_with_a_reason() -> None:
    import index.settings as settings

    table = generate.settings_table()
    for name in (n for n in vars(settings) if n.endswith("_ENV")):
        row = next(line for line in table.splitlines() if line.startswith(f"| `{name}` |"))
        assert row.rstrip(" |").split("|")[-1].strip(), f"{name} has no reason beside it"
