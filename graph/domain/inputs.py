"""Checks on text crossing a boundary (the HTTP API, the command line, bundle files), shared so all refuse alike.

Values reach Cypher only as parameters, so quotes and Cypher fragments are harmless as
data and are not refused here. What is refused is what no field of this graph means to
hold: text that is not Unicode, control characters, markup where plain text is expected,
URLs other than http(s), and more text than a report or a question can be. Each check
says what is wrong in words a caller can act on; the boundary wraps that in its own
error (``InvalidParameter``, a 422 body field, a loader ``Problem``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from graph.domain.errors import InputTooLarge, InvalidParameter

# Questions are short; the cap keeps reading one (word-by-word matching) cheap.
QUESTION_MAX_CHARS = 300

_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tabs and line breaks are text
# A tag (<b>, </p>, <script src=…>), a comment or a doctype; "<10 killed" is not markup.
_MARKUP = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>|!--|![Dd][Oo][Cc][Tt][Yy][Pp][Ee])")
# A query or path parameter (a name, an id, a type, a date, a question) never holds a control
# character or an angle bracket. The rule is this simple so that the OpenAPI schema can state it
# exactly (PARAMETER_PATTERN): what the schema allows is accepted, and nothing else.
_NOT_IN_PARAMETERS = re.compile(r"[\x00-\x1f\x7f<>]")
PARAMETER_PATTERN = r"^[^\u0000-\u001f\u007f<>]*$"
# The same, with something besides white space: a name cannot be blank.
NAME_PATTERN = r"^[^\u0000-\u001f\u007f<>]*[^\u0000-\u001f\u007f<>\s][^\u0000-\u001f\u007f<>]*$"
# How a whole HTML page begins (the same test the extractor's reader applies).
_HTML_PAGE = re.compile(r"\A\s*(?:<!doctype html|<html|<head|<body|<article|<div|<p[ >])", re.IGNORECASE)


def text_problem(value: str, *, multiline: bool = False, markup: bool = False) -> str | None:
    """Why ``value`` cannot be taken as text, or ``None`` when it can.

    ``multiline`` admits tabs and line breaks; ``markup`` admits HTML tags (a report may be
    a whole page). Characters outside Unicode (lone surrogates, which JSON escapes can
    carry) and other control characters are never admitted.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        return (f"holds {value[error.start]!r} at position {error.start}, which is not a Unicode character "
                "(a lone surrogate)")
    control = (_CONTROL_IN_TEXT if multiline else _CONTROL_IN_LINE).search(value)
    if control:
        return f"holds the control character {control.group()!r} at position {control.start()}"
    if not markup:
        tag = _MARKUP.search(value)
        if tag:
            return f"holds HTML markup ({tag.group()[:40]!r}); plain text is expected"
    return None


def parameter_problem(value: str) -> str | None:
    """Why ``value`` cannot be a query or path parameter, or ``None`` (see ``PARAMETER_PATTERN``)."""
    found = _NOT_IN_PARAMETERS.search(value)
    if found is None:
        return None
    if found.group() in "<>":
        return (f"holds {found.group()!r} at position {found.start()}: no name, id, type, date or question "
                "holds one (markup is refused)")
    return f"holds the control character {found.group()!r} at position {found.start()}"


def url_problem(value: str) -> str | None:
    """Why ``value`` is not an http(s) URL to record, or ``None``."""
    problem = text_problem(value)
    if problem:
        return problem
    try:
        parts = urlsplit(value)
    except ValueError as error:
        return f"is not a URL: {error}"
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return "must be an http:// or https:// URL"
    return None


def report_text_problem(text: str) -> str | None:
    """Why ``text`` cannot be read as a report, or ``None``: a whole HTML page is fine (its article is
    extracted), and so is plain text; plain text with markup in it is neither."""
    page = looks_like_html_page(text)
    problem = text_problem(text, multiline=True, markup=page)
    if problem and not page and "markup" in problem:
        problem += "; a report is a whole HTML page or plain text"
    return problem


def looks_like_html_page(text: str) -> bool:
    """Whether a text begins like an HTML page rather than like prose."""
    return bool(_HTML_PAGE.match(text))


def check_parameter(parameter: str, value: str) -> str:
    """``value`` if it may be a query or path parameter, else ``InvalidParameter`` saying why."""
    problem = parameter_problem(value)
    if problem:
        raise InvalidParameter(parameter, _shown(value), problem)
    return value


def check_text(parameter: str, value: str, *, multiline: bool = False, markup: bool = False) -> str:
    """``value`` if it is text fit for ``parameter``, else ``InvalidParameter`` saying why."""
    problem = text_problem(value, multiline=multiline, markup=markup)
    if problem:
        raise InvalidParameter(parameter, _shown(value), problem)
    return value


def check_url(parameter: str, value: str) -> str:
    """``value`` if it is an http(s) URL, else ``InvalidParameter``."""
    problem = url_problem(value)
    if problem:
        raise InvalidParameter(parameter, _shown(value), problem)
    return value


def check_question(question: str, parameter: str = "q") -> str:
    """A question fit to read: plain text (no lone surrogate, no control character, no markup), not blank, at most
    ``QUESTION_MAX_CHARS`` characters. The parameter rule speaks first, so a '<' is named by position; the text rule
    then catches what a parameter may hold but a question may not (a lone surrogate)."""
    if len(question) > QUESTION_MAX_CHARS:
        raise InvalidParameter(parameter, _shown(question),
                               f"a question holds at most {QUESTION_MAX_CHARS} characters, this one "
                               f"{len(question):,}")
    if not question.strip():
        raise InvalidParameter(parameter, question, "a question cannot be blank")
    check_parameter(parameter, question)
    return check_text(parameter, question)


def check_report_size(text: str, limit: int, origin: str) -> str:
    """``text`` if it holds at most ``limit`` characters, else ``InputTooLarge`` (KG_MAX_REPORT_CHARS)."""
    if len(text) > limit:
        raise report_too_long(origin, f"{len(text):,} characters", limit)
    return text


def report_too_long(origin: str, size: str, limit: int) -> InputTooLarge:
    """The error for a report of ``size`` (in words: "3,000,000 characters") over ``limit`` characters."""
    return InputTooLarge(f"{origin}: the report holds {size}; at most {limit:,} characters are accepted "
                         "(KG_MAX_REPORT_CHARS)", details={"limit": limit})


def _shown(value: str, limit: int = 200) -> str:
    """A refused value as it can be echoed back: cut when long, lone surrogates escaped."""
    cut = value if len(value) <= limit else value[:limit] + "…"
    return cut.encode("utf-8", "backslashreplace").decode("utf-8")
