"""How readers report an error (issue 22): `contact` in site.yaml links every page's footer; unset, no page points
to contact details that do not exist."""

from __future__ import annotations

import pytest
from conftest import run_healthsite
from test_check import PILLAR, article


@pytest.mark.parametrize(("contact", "href"), [("editor@example.org", "mailto:editor@example.org"),
                                               ("https://example.org/contact/", "https://example.org/contact/")])
def test_the_contact_setting_links_every_footer(make_site, contact, href):
    root = make_site({"site.yaml": f"title: T\nsearch: false\ncontact: {contact}\n",
                      "content/guide/index.md": PILLAR, "content/guide/first-steps.md": article()})
    assert run_healthsite("build", cwd=root).code == 0
    for page in ("index.html", "guide/index.html", "guide/first-steps/index.html", "404.html"):
        assert f'<li><a href="{href}">Report an error</a></li>' in (root / "public" / page).read_text("utf-8"), page


def test_without_a_contact_no_page_offers_one(make_site):
    root = make_site({"content/guide/index.md": PILLAR, "content/guide/first-steps.md": article()})
    assert run_healthsite("build", cwd=root).code == 0
    assert not [p for p in (root / "public").rglob("*.html") if "Report an error" in p.read_text("utf-8")]


def test_a_contact_that_is_no_address_is_a_config_error(make_site):
    root = make_site({"site.yaml": "title: T\nsearch: false\ncontact: call us\n", "content/guide/index.md": PILLAR})
    result = run_healthsite("build", cwd=root)
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "site.yaml:3: error: 'contact' is neither a web address nor an email address: 'call us'. Use a page such as "
        "'https://example.org/contact/' or an address such as 'editor@example.org' [config-type]")
