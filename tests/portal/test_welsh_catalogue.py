"""Every word a resident can be shown has its Welsh: no msgid used by a residents' page is left
empty or fuzzy in the Welsh catalogue.

How the words are found, without rendering (a page's error states, the survey's "already
answered" and the closed days of an office are all covered, not only what one visit shows):

- the residents' views are read from the URL patterns themselves: every view marked ``@public``
  (``core.decorators``) but the few that are not residents' pages (``NOT_RESIDENTS``), so a new
  public page is checked the day it is added; with each, the module's own helpers it calls;
- the code those views show words from (forms, choices, the GOV.UK dates and hours, messages
  of the services residents use) is named in ``SHOWN_TO_RESIDENTS``, by file and definition, so
  a staff form in the same file (the online forms' editor) is left out;
- the templates are every template those views and helpers name, with everything they extend
  and include, parsed by Django's own template engine (``{% translate %}`` and
  ``{% blocktranslate %}``, as ``makemessages`` reads them);
- the catalogue is read with polib: a msgid missing, empty or marked fuzzy fails, named with
  the file it comes from.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polib  # type: ignore[import-untyped]  # no stubs published
from django.conf import settings
from django.template import engines
from django.template.base import Node
from django.template.loader_tags import ExtendsNode, IncludeNode
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.urls import URLPattern, URLResolver, get_resolver

from onestop.core.middleware import is_public

PACKAGE = Path(settings.BASE_DIR) / "onestop"
CATALOGUE = PACKAGE / "locale" / "cy" / "LC_MESSAGES" / "django.po"

# Public views that are not residents' pages of an organisation offering Welsh.
NOT_RESIDENTS = {
    "onestop.core.views.healthz",  # the load balancer's
    "onestop.notify.views_send.delivery",  # GOV.UK Notify's callbacks
    "onestop.notify.views_send.received_text",
    "onestop.trust.views.sign_in",  # staff sign-in (staff pages are English)
    "onestop.trust.views.sign_out",
    "onestop.trust.views.enrol",
    "onestop.trust.views.verify",
    "onestop.cases.views.disclosure_log",  # FOI disclosure log: English only so far
    "onestop.performance.views.public_standards.public_page",  # its own Welsh tests
}

# Code the residents' views show words from: file (under onestop/) and its definitions the
# residents meet (``None``: the whole file).
SHOWN_TO_RESIDENTS: dict[str, tuple[str, ...] | None] = {
    # The site-wide error pages (handler400 ... handler500 and the CSRF page).
    "core/views.py": ("not_found", "bad_request", "csrf_failure", "forbidden", "server_error"),
    "core/dates.py": None,
    "core/templatetags/govuk.py": None,
    "core/forms.py": None,
    "core/pages.py": None,
    "core/questions.py": (
        "question_field",
        "_question_input",
        "add_question_fields",
        "answers",
        "date_problem",
        "QuestionDateField",
    ),
    "portal/forms.py": ("_service_check", "ReportForm"),
    "portal/forms_track.py": None,
    "portal/steps.py": None,
    "feedback/forms/__init__.py": ("PublicFeedbackForm", "PublicEqualityForm"),
    "feedback/forms/public.py": None,
    "feedback/forms/after.py": ("SurveyForm",),
    "feedback/models.py": ("Kind", "About", "Characteristic", "Satisfaction", "Agreement"),
    "feedback/services/survey.py": ("answer",),
}

#: "%(email)s" is an address put into the words, not the word "email".
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")

GETTEXT = {
    "_": 0,
    "gettext": 0,
    "gettext_lazy": 0,
    "ngettext": 0,
    "ngettext_lazy": 0,
    "pgettext": 1,
    "pgettext_lazy": 1,
}


def _patterns(patterns: list[Any]) -> Iterator[URLPattern]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns)
        else:
            yield pattern


def _residents_views() -> dict[str, set[str]]:
    """Each file under onestop/ holding residents' views, with those views' names."""
    views: dict[str, set[str]] = {}
    for pattern in _patterns(get_resolver().url_patterns):
        view = inspect.unwrap(pattern.callback)
        if not is_public(pattern.callback):
            continue
        if f"{view.__module__}.{view.__name__}" in NOT_RESIDENTS:
            continue
        path = Path(inspect.getfile(view)).relative_to(PACKAGE).as_posix()
        views.setdefault(path, set()).add(view.__name__)
    return views


def _definitions(tree: ast.Module, names: set[str] | None) -> list[ast.AST]:
    """The module's top-level definitions named (all of it for ``None``), with the module's
    own definitions they use, and those they use in turn."""
    if names is None:
        return [tree]
    defined = {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    wanted, chosen = list(names), {}
    while wanted:
        name = wanted.pop()
        if name in chosen or name not in defined:
            continue
        chosen[name] = defined[name]
        wanted += [node.id for node in ast.walk(defined[name]) if isinstance(node, ast.Name)]
    missing = names - set(chosen)
    assert not missing, f"not defined at the top of the module: {sorted(missing)}"
    return list(chosen.values())


def _python_words(nodes: list[ast.AST]) -> tuple[set[tuple[str, str]], set[str]]:
    """The (context, msgid) pairs the code translates and the template names it mentions."""
    words: set[tuple[str, str]] = set()
    templates: set[str] = set()
    for top in nodes:
        for node in ast.walk(top):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and text.endswith(".html") and " " not in text:
                templates.add(text)
            if not isinstance(node, ast.Call):
                continue
            function = node.func
            name = function.id if isinstance(function, ast.Name) else ""
            name = function.attr if isinstance(function, ast.Attribute) else name
            position = GETTEXT.get(name)
            if position is None or len(node.args) <= position:
                continue
            message = node.args[position]
            if isinstance(message, ast.Constant) and isinstance(message.value, str):
                context = node.args[0] if position else None
                context_text = context.value if isinstance(context, ast.Constant) else ""
                words.add((str(context_text), message.value))
    return words, templates


def _template_words(name: str, seen: dict[str, set[tuple[str, str]]]) -> None:
    """The words of template ``name`` and of every template it extends or includes."""
    if name in seen or name.startswith("django/"):  # Django's own, in Django's catalogue
        return
    engine: Any = engines["django"]
    template = engine.engine.get_template(name)
    words: set[tuple[str, str]] = set()
    seen[name] = words
    nodes: list[Node] = list(template.nodelist.get_nodes_by_type(Node))
    for node in nodes:
        if isinstance(node, TranslateNode):
            literal = getattr(node.filter_expression.var, "literal", None)
            if isinstance(literal, str):
                words.add((_context(node), literal))
        elif isinstance(node, BlockTranslateNode):
            singular, _names = node.render_token_list(node.singular)
            if node.trimmed:
                singular = " ".join(line.strip() for line in singular.strip().splitlines())
            # The catalogue keys a plural by its singular; ``_gap`` checks every form.
            words.add((_context(node), singular))
        elif isinstance(node, ExtendsNode | IncludeNode):
            expression = node.parent_name if isinstance(node, ExtendsNode) else node.template
            # A quoted name is kept as the string itself (a variable's name is not).
            quoted = getattr(expression, "var", None)
            if isinstance(quoted, str):
                _template_words(quoted, seen)


def _context(node: Any) -> str:
    context = node.message_context
    return str(context.resolve({})) if context is not None else ""


def _gap(catalogue: dict[tuple[str, str], polib.POEntry], context: str, msgid: str) -> str:
    """What is wrong with the Welsh for ``msgid`` ("" when nothing is)."""
    # ``{% translate %}`` keeps a percent sign as written; makemessages doubles it.
    entry = catalogue.get((context, msgid)) or catalogue.get((context, msgid.replace("%", "%%")))
    if entry is None:
        return "not in the catalogue"
    if entry.fuzzy:
        return "fuzzy"
    if entry.msgid_plural:
        return "" if all(entry.msgstr_plural.values()) else "empty"
    return "" if entry.msgstr else "empty"


def _residents_words() -> tuple[dict[tuple[str, str], str], set[str]]:
    """Every (context, msgid) a resident can be shown, with where it is written, and the
    templates the residents' pages use."""
    units: dict[str, set[str] | None] = {
        path: set(names) if names is not None else None
        for path, names in SHOWN_TO_RESIDENTS.items()
    }
    for path, names in _residents_views().items():
        if path in units and units[path] is None:
            continue
        units[path] = (units.get(path) or set()) | names
    words: dict[tuple[str, str], str] = {}
    template_names: set[str] = set()
    for path, unit_names in sorted(units.items()):
        tree = ast.parse((PACKAGE / path).read_text(encoding="utf-8"))
        found, named = _python_words(_definitions(tree, unit_names))
        template_names |= named
        words.update(dict.fromkeys(found, path))
    templates: dict[str, set[tuple[str, str]]] = {}
    for name in sorted(template_names):
        _template_words(name, templates)
    for name, found in sorted(templates.items()):
        for word in found:
            words.setdefault(word, name)
    return words, set(templates)


def test_every_word_a_resident_can_be_shown_has_its_welsh() -> None:
    catalogue = {
        (entry.msgctxt or "", entry.msgid): entry
        for entry in polib.pofile(str(CATALOGUE))
        if not entry.obsolete
    }
    words, templates = _residents_words()

    gaps = [
        f"{where}: {msgid!r} ({gap})"
        for (context, msgid), where in sorted(words.items(), key=lambda item: item[1])
        if (gap := _gap(catalogue, context, msgid))
    ]

    assert "portal/start.html" in templates  # found from the views, not listed by hand
    assert "core/includes/field.html" in templates  # and what they include
    assert len(words) > 400
    assert not gaps, "Welsh missing for words residents see:\n" + "\n".join(gaps)


def test_residents_read_email_as_gov_uk_writes_it_and_e_bost_in_welsh() -> None:
    """GOV.UK style is "email" (and "e-bost" in Welsh): no word a resident can be shown says
    "e-mail", and every Welsh word for it says "e-bost"."""
    catalogue = {
        (entry.msgctxt or "", entry.msgid): entry
        for entry in polib.pofile(str(CATALOGUE))
        if not entry.obsolete
    }
    words, _templates = _residents_words()

    hyphened = sorted(
        f"{where}: {msgid!r}" for (_c, msgid), where in words.items() if "e-mail" in msgid.lower()
    )
    welsh = [
        catalogue[word].msgstr
        for word in words
        if word in catalogue
        and "email" in PLACEHOLDER.sub("", word[1]).lower()
        and catalogue[word].msgstr
    ]

    assert not hyphened, "Write email, not e-mail:\n" + "\n".join(hyphened)
    assert len(welsh) > 5
    assert [text for text in welsh if "e-bost" not in text.lower()] == []
