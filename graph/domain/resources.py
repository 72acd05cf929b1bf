"""Where the project's data folders are, whether kg runs from a checkout or from an installed wheel.

In a checkout, ``cypher/`` (the named queries) and ``seeds/`` (the seed bundle) sit at the
repository root, where people look for them, beside ``evaluation/`` (the evaluation sets, which
only a checkout has). A wheel
carries them inside the ``graph`` package as ``graph/data/cypher`` and ``graph/data/seeds``
(``pyproject.toml`` maps them there), since nothing outside a package is installed.
"""

from __future__ import annotations

from pathlib import Path

PACKAGED = Path(__file__).resolve().parent.parent / "data"
CHECKOUT = Path(__file__).resolve().parent.parent.parent


def data_dir(name: str) -> Path:
    """The folder ``name`` (``cypher`` or ``seeds``): the installed copy if there is one, else the checkout's."""
    packaged = PACKAGED / name
    return packaged if packaged.is_dir() else CHECKOUT / name


def in_checkout() -> bool:
    """Whether kg runs from a source checkout (an editable install counts) rather than an installed wheel."""
    return not PACKAGED.is_dir() and (CHECKOUT / "pyproject.toml").is_file()


def evaluation_dir() -> Path:
    """The evaluation sets (gold claims, questions): a checkout's ``evaluation/``; a wheel carries none."""
    return CHECKOUT / "evaluation"
