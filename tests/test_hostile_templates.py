"""Broken or hostile templates: the template file and line in the message, exit 1, the old site kept, no Python run."""

from __future__ import annotations

from pathlib import Path

import jinja2
import jinja2.sandbox
import markupsafe
import pytest
from conftest import ROOT, write_site
from site_files import failed_rebuild_errors

from healthsite.pages import templates as render

PILLAR = "---\nkind: pillar\ntitle: Guide\ndescription: The guide.\ndate: 2026-01-01\n---\n\nRead [heat](heat.md).\n"
ARTICLE = ("---\ntitle: Heat or cold?\ndescription: Which helps a sore back.\ndate: 2026-01-02\npillar: guide\n---\n\n"
           "Heat helps.\n")
ARTICLE_TEMPLATE = "{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ doc.title }}</h1>\n{{ body }}\n{% endblock %}\n"


def template_errors(tmp_path: Path, templates: dict[str, str]) -> list[str]:
    """Build a good site, add these templates, and return the errors of the failed rebuild."""
    root = write_site(tmp_path / "site", {"content/guide/index.md": PILLAR, "content/guide/heat.md": ARTICLE})

    def add_templates() -> None:
        for name, text in templates.items():
            (root / "templates" / name).parent.mkdir(parents=True, exist_ok=True)
            (root / "templates" / name).write_text(text, encoding="utf-8")

    return failed_rebuild_errors(root, add_templates)


def test_an_unclosed_block_names_the_template_and_the_line_jinja_stopped_at(tmp_path: Path) -> None:
    broken = "{% extends \"base.html\" %}\n{% block main %}\n{% if doc.title %}\n<h1>{{ doc.title }}</h1>\n{% endblock %}\n"
    assert template_errors(tmp_path, {"article.html": broken}) == [
        "templates/article.html:5: error: template error: Encountered unknown tag 'endblock'. You probably made a "
        "nesting mistake. Jinja is expecting this tag, but currently looking for 'elif' or 'else' or 'endif'. The "
        "innermost block that needs to be closed is 'if'. Check the matching {% ... %} and {{ ... }} tags "
        "[template-syntax]"]


def test_an_unclosed_expression_names_the_template_and_line(tmp_path: Path) -> None:
    broken = ARTICLE_TEMPLATE.replace("{{ body }}", "{{ body")
    assert template_errors(tmp_path, {"article.html": broken}) == [
        "templates/article.html:5: error: template error: expected token 'end of print statement', got '{'. "
        "Check the matching {% ... %} and {{ ... }} tags [template-syntax]"]  # Jinja stops at the next tag


def test_an_unknown_filter_names_the_template_and_line(tmp_path: Path) -> None:
    broken = ARTICLE_TEMPLATE.replace("{{ doc.title }}", "{{ doc.title | shout }}")
    assert template_errors(tmp_path, {"article.html": broken}) == [
        "templates/article.html:3: error: template error: No filter named 'shout'. "
        "Check the matching {% ... %} and {{ ... }} tags [template-syntax]"]


def test_a_syntax_error_in_an_included_partial_names_the_partial(tmp_path: Path) -> None:
    theme_cards = (ROOT / "templates/partials/cards.html").read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(i for i, text in enumerate(theme_cards) if "{% for" in text)
    theme_cards[line] = theme_cards[line].replace("{% for", "{% fro", 1)
    errors = template_errors(tmp_path, {"partials/cards.html": "".join(theme_cards)})
    assert errors and all(e.startswith(f"templates/partials/cards.html:{line + 1}: error: template error: "
                                       "Encountered unknown tag 'fro'.") for e in errors)


def test_an_undefined_variable_names_the_variable_template_and_line(tmp_path: Path) -> None:
    broken = ARTICLE_TEMPLATE.replace("{{ body }}", "{{ body }}\n<p>{{ reading_time }}</p>")
    assert template_errors(tmp_path, {"article.html": broken}) == [
        "templates/article.html:5: error: template error: 'reading_time' is undefined. "
        "Check the variable names the template uses against the template context in docs/theme.md [template-undefined]"]


def test_an_undefined_attribute_in_an_included_partial_names_the_partial_and_line(tmp_path: Path) -> None:
    partial = "<p>Reviewed by {{ doc.reviewer_name }}</p>\n"
    page = ARTICLE_TEMPLATE.replace("{{ body }}", "{{ body }}\n{% include \"partials/review.html\" %}")
    assert template_errors(tmp_path, {"article.html": page, "partials/review.html": partial}) == [
        "templates/partials/review.html:1: error: template error: 'healthsite.model.Document object' has no "
        "attribute 'reviewer_name'. Check the variable names the template uses against the template "
        "context in docs/theme.md [template-undefined]"]


def test_an_undefined_variable_in_a_macro_names_the_macro_file_and_line(tmp_path: Path) -> None:
    macro = "{% macro byline(doc) %}\n<p>By {{ doc.title }}</p>\n<p>{{ writer }}</p>\n{% endmacro %}\n"
    page = ("{% extends \"base.html\" %}\n{% from \"partials/byline.html\" import byline %}\n{% block main %}\n"
            "{{ byline(doc) }}\n{% endblock %}\n")
    assert template_errors(tmp_path, {"article.html": page, "partials/byline.html": macro}) == [
        "templates/partials/byline.html:3: error: template error: 'writer' is undefined. "
        "Check the variable names the template uses against the template context in docs/theme.md [template-undefined]"]


def test_a_missing_include_names_the_including_template_and_line(tmp_path: Path) -> None:
    page = ARTICLE_TEMPLATE.replace("{{ body }}", "{{ body }}\n{% include \"partials/nowhere.html\" %}")
    assert template_errors(tmp_path, {"article.html": page}) == [
        "templates/article.html:5: error: template 'partials/nowhere.html' does not exist. "
        "Add it to templates/ or remove the reference [template-missing]"]


def test_a_missing_parent_template_names_the_child(tmp_path: Path) -> None:
    page = ARTICLE_TEMPLATE.replace("base.html", "layout.html")
    assert template_errors(tmp_path, {"article.html": page}) == [
        "templates/article.html:1: error: template 'layout.html' does not exist. "
        "Add it to templates/ or remove the reference [template-missing]"]


def test_an_error_raised_while_rendering_names_the_template_and_line(tmp_path: Path) -> None:
    page = ARTICLE_TEMPLATE.replace("{{ body }}", "{{ body }}\n{{ 1 // 0 }}")
    assert template_errors(tmp_path, {"article.html": page}) == [
        "templates/article.html:5: error: template error: integer division or modulo by zero. "
        "Check the variable names the template uses against the template context in docs/theme.md [template-error]"]


@pytest.mark.parametrize("expression", [
    "cycler.__init__.__globals__.os.popen('touch MARKER').read()",
    "''.__class__.__mro__[1].__subclasses__()",
    "doc.__class__.__init__.__globals__",
    "lipsum.__globals__['os'].system('touch MARKER')",
    "'{0}'.format(doc.title) ~ '{0.__class__.__init__.__globals__}'.format(doc)",
    "'{x.__class__}'.format_map({'x': doc})",
], ids=["cycler-globals", "subclasses", "model-globals", "lipsum-globals", "format-string", "format-map"])
def test_a_template_cannot_reach_python_internals(tmp_path: Path, expression: str) -> None:
    marker = tmp_path / "ran"
    page = ARTICLE_TEMPLATE.replace("{{ body }}", "{{ " + expression.replace("MARKER", str(marker)) + " }}")
    errors = template_errors(tmp_path, {"article.html": page})
    assert len(errors) == 1
    assert errors[0].startswith("templates/article.html:4: error: template error: access to attribute '__")
    assert errors[0].endswith("is unsafe. Check the variable names the template uses against the template "
                              "context in docs/theme.md [template-error]")
    assert not marker.exists()


def test_an_attribute_found_safe_still_has_its_format_method_sandboxed() -> None:
    class Holder:
        def __init__(self, value: object):
            self.value = value

    env = render._Sandbox(undefined=jinja2.StrictUndefined)
    page = env.from_string("{{ plain.value }} {{ method.value(method) }}")
    with pytest.raises(jinja2.sandbox.SecurityError, match="access to attribute '__class__' of 'Holder' object is unsafe"):
        page.render(plain=Holder("text"), method=Holder("{0.__class__}".format))


class _Html:
    def __html__(self) -> str:
        return "<b>safe</b>"


@pytest.mark.parametrize("value", ["<script>alert('x') & \"y\"</script>", "plain", "", 7, None, 1.5, _Html(),
                                   markupsafe.Markup("<i>kept</i>"), ["<a>"]])
def test_templates_escape_every_value_as_markupsafe_does(value) -> None:
    escaped = render._escape(value)
    assert escaped == markupsafe.escape(value) and type(escaped) is markupsafe.Markup
    env = jinja2.sandbox.SandboxedEnvironment(autoescape=True)
    env.template_class = render._Template
    assert env.from_string("{{ v }}|{{ v|e }}").render(v=value) == jinja2.Environment(autoescape=True).from_string(
        "{{ v }}|{{ v|e }}").render(v=value)
