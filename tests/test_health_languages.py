"""Health checks per language (issue 21): readability by the formula made for the article's language (Flesch-Kincaid
for English, Szigriszt-Pazos on the INFLESZ scale for Spanish, none for the rest) and risky-claim words per language.

Every expected score below is worked out by hand in its test's docstring, from words, syllables and sentences counted
by hand; a paragraph repeated n times has the same ratios, so the same score, and reaches the 100 words a score needs.
"""

from __future__ import annotations

import json

import pytest
from conftest import run_healthsite
from test_check import PILLAR, article, document
from test_checks_fit import no_help

from healthsite.checks.health import risky_claims
from healthsite.markdown.readability import (
    Readability,
    TextStats,
    formula_for,
    measure,
    prose_stats,
    spanish_prose_stats,
)
from healthsite.markdown.spanish import spanish_syllables

ES_EASY = "La ciática causa dolor en la pierna. Camine un poco cada día y descanse."
ES_HARD = ("Los músculos de la espalda se contraen durante la noche y provocan un dolor intenso. "
           "La fisioterapia y el ejercicio adaptado disminuyen significativamente la intensidad de los síntomas.")
ES_HARDEST = ("El dolor lumbar crónico aparece con frecuencia en personas que trabajan sentadas durante muchas horas. "
              "La fisioterapia y el ejercicio adaptado disminuyen significativamente la intensidad de los síntomas.")
EN_EASY = "Walk a little every day. Gentle stretches can ease a stiff back."
EN_HARD = ("Physiological investigations demonstrate that intermittent involuntary contractions of paravertebral "
           "musculature frequently accompany degenerative intervertebral abnormalities.")


def times(paragraph: str, count: int) -> str:
    """Repeat a paragraph, one copy after another on one line."""
    return " ".join([paragraph] * count)


@pytest.mark.parametrize(("word", "syllables"), [
    ("ciática", 3), ("espalda", 3), ("músculo", 3), ("día", 2), ("dolor", 2),  # the words of the issue
    ("CIÁTICA", 3), ("aéreo", 4), ("país", 2), ("reúma", 3), ("creer", 2),  # hiatus: open vowels, accented í and ú
    ("pierna", 2), ("cuidado", 3), ("ciudad", 2), ("buey", 1), ("hoy", 1), ("y", 1), ("ayuda", 3),  # diphthongs, y
    ("que", 1), ("guía", 2), ("agua", 2), ("pingüino", 3), ("ahora", 3), ("100", 1),  # silent u, ü, h, numbers
])
def test_spanish_syllables_follow_the_spanish_diphthong_and_hiatus_rules(word, syllables):
    assert spanish_syllables(word) == syllables


def test_spanish_prose_counts_words_with_accents_as_one_word_each():
    """'ciática' is one word (the English count, A to Z only, splits it at the á into 'ci' and 'tica')."""
    assert spanish_prose_stats(ES_EASY) == TextStats(words=14, sentences=2, syllables=26)
    assert prose_stats("La ciática.").words == 3


def test_an_easy_spanish_paragraph_scores_its_szigriszt_pazos_ease_and_passes():
    """La(1) ciática(3) causa(2) dolor(2) en(1) la(1) pierna(2): 7 words, 12 syllables, 1 sentence;
    Camine(3) un(1) poco(2) cada(2) día(2) y(1) descanse(3): 7 words, 14 syllables, 1 sentence.
    206.835 - 62.3 * 26/14 - 14/2 = 206.835 - 115.7 - 7 = 84.135 -> 84.1, 'muy fácil' (80 and above) on INFLESZ."""
    assert measure(times(ES_EASY, 8), "es") == Readability("Szigriszt-Pazos", "ease", 84.1, 55.0, "muy fácil",
                                                          "INFLESZ")
    assert measure(times(ES_EASY, 8), "es").passes


def test_a_hard_spanish_paragraph_is_below_55_and_says_so_on_its_own_scale():
    """Los(1) músculos(3) de(1) la(1) espalda(3) se(1) contraen(3: con-tra-en) durante(3) la(1) noche(2) y(1)
    provocan(3) un(1) dolor(2) intenso(3): 15 words, 29 syllables;
    La(1) fisioterapia(5: fi-sio-te-ra-pia) y(1) el(1) ejercicio(4) adaptado(4) disminuyen(4) significativamente(8)
    la(1) intensidad(4) de(1) los(1) síntomas(3): 13 words, 38 syllables. Together 28 words, 67 syllables, 2 sentences:
    206.835 - 62.3 * 67/28 - 28/2 = 206.835 - 149.075 - 14 = 43.76 -> 43.8, 'algo difícil' (40 to 55).
    With 'El dolor lumbar crónico aparece con frecuencia (fre-cuen-cia, 3) en personas que trabajan sentadas durante
    muchas horas' (15 words, 34 syllables) first instead: 28 words, 72 syllables,
    206.835 - 62.3 * 72/28 - 14 = 206.835 - 160.2 - 14 = 32.635 -> 32.6, 'muy difícil' (below 40)."""
    hard = measure(times(ES_HARD, 4), "es-ES")
    assert (hard.score, hard.level, hard.passes) == (43.8, "algo difícil", False)
    assert hard.problem == "reading ease 43.8 (Szigriszt-Pazos) is below 55, 'algo difícil' on the INFLESZ scale"
    hardest = measure(times(ES_HARDEST, 4), "es-MX")
    assert (hardest.score, hardest.level, hardest.passes) == (32.6, "muy difícil", False)


def test_english_keeps_its_flesch_kincaid_grade_exactly():
    """Walk(1) a(1) little(2) every(3: the count's vowel groups e, e, y) day(1): 5 words, 8 syllables;
    Gentle(2) stretches(2) can(1) ease(1: a final e is silent) a(1) stiff(1) back(1): 7 words, 9 syllables.
    0.39 * 12/2 + 11.8 * 17/12 - 15.59 = 2.34 + 16.7167 - 15.59 = 3.4667 -> 3.5; the hard paragraph's 35.9 is the
    grade test_checks_fit.py expects of a whole site's article."""
    easy = measure(times(EN_EASY, 9), "en")
    assert prose_stats(EN_EASY) == TextStats(words=12, sentences=2, syllables=17)
    assert easy == Readability("Flesch-Kincaid", "grade", 3.5, 8.0)
    assert easy.passes
    hard = measure(times(EN_HARD, 7), "en-GB", target_grade=8)
    assert hard.score == max(0.0, prose_stats(times(EN_HARD, 7)).grade) == 35.9
    assert hard.problem == "reading grade 35.9 is above the target of 8"
    assert not hard.passes
    assert measure(times(EN_HARD, 7), "en-US", target_grade=40).passes


@pytest.mark.parametrize("language", ["cy", "fr", "fr-CA", "cy-GB", "de"])
def test_a_language_without_a_formula_is_not_measured_never_by_the_english_one(language):
    assert formula_for(language) is None
    assert measure(times(EN_HARD, 7), language) is None
    assert measure(times(ES_HARD, 4), language) is None


def test_a_text_under_100_words_is_not_measured():
    """ES_EASY three times is 42 words; the English paragraph eight times is 96."""
    assert measure(times(ES_EASY, 3), "es") is None
    assert measure(times(EN_EASY, 8), "en") is None
    assert measure(times(EN_EASY, 9), "en") is not None


RISKY_LINES = (
    "Este té es un milagro y una cura natural.",  # line 10
    "Garantizado: 100 % natural y sin riesgos.",
    "Dicen que es «una curación milagrosa», pero no lo es.",  # quoted in «comillas»: not the writer's claim
    "El 100 % de los pacientes mejora; procurar dormir es seguro y curioso.",  # nothing: whole words only
    "Sin garantia de curacion, pero MILAGROSO según el anuncio.",  # spellings without the accents, any case
    "A miracle, guaranteed.",  # line 15
)
RISKY_BODY = "\n".join(RISKY_LINES)


def test_spanish_risky_words_are_found_with_their_lines_accented_or_not():
    found = list(risky_claims(document(RISKY_BODY, title="Un remedio milagroso"), language="es"))
    assert found == [(2, "milagroso"), (10, "milagro"), (10, "cura"), (11, "Garantizado"), (11, "100 %"),
                     (11, "sin riesgos"), (14, "garantia"), (14, "curacion"), (14, "MILAGROSO")]


def test_the_english_list_is_not_applied_to_spanish_text_nor_the_spanish_list_to_english():
    assert list(risky_claims(document(RISKY_BODY), language="en-GB")) == [
        (11, "100 %"), (15, "miracle"), (15, "guaranteed")]
    english = "A miracle pill, guaranteed, for detox.\nEs un milagro."  # not 'cure': Spanish too ('que cure')
    assert list(risky_claims(document(english), language="en")) == [(10, "miracle"), (10, "guaranteed"),
                                                                     (10, "detox")]
    assert list(risky_claims(document(english), language="es")) == [(10, "detox"), (11, "milagro")]


def test_the_english_words_the_render_stage_found_are_not_used_for_spanish():
    """The render stage finds the English words (and caches them); a Spanish article's are found from its text."""
    in_body = [(15, "miracle"), (15, "guaranteed")]
    assert list(risky_claims(document(RISKY_BODY), in_body, language="en")) == in_body
    assert [word for _, word in risky_claims(document(RISKY_BODY), in_body, language="es")][:2] == ["milagro", "cura"]


@pytest.mark.parametrize("language", ["cy", "fr", "de-AT"])
def test_a_language_without_a_word_list_checks_nothing(language):
    doc = document(RISKY_BODY + "\nA cure. Un milagro.", title="A miracle", description="Una cura")
    assert list(risky_claims(doc, language=language)) == []


def test_the_site_allow_list_works_for_spanish_words():
    body = "Para curar la herida, lávela con agua.\nEsta crema cura la herida.\nNo hay garantía de éxito."
    found = list(risky_claims(document(body, title="Curar la herida"), allow=["curar la herida", "garantía de éxito"],
                              language="es"))
    assert found == [(11, "cura")]


def spanish_site(make_site, body: str, description: str = "Qué hacer primero.") -> tuple[list[str], str, list[dict]]:
    """Check a site in Spanish whose one article's body is `body` alone (no help block, so the score is the body's);
    return its readability and risky-claim lines, its text report and the JSON report's article rows."""
    text = no_help(article(body=body)).replace("What to do first.", description)
    site = make_site({"site.yaml": "title: T\nsearch: false\nlanguage: es\n", "content/guide/index.md": PILLAR,
                      "content/guide/first-steps.md": text})
    result = run_healthsite("check", "--report", cwd=site)
    assert "Traceback" not in result.err
    lines = [line for line in result.out.splitlines() if line.endswith(("[readability-grade]", "[risky-claim]"))]
    rows = json.loads(run_healthsite("check", "--report", "--format", "json", cwd=site).out)["articles"]
    return lines, result.out.split("Articles\n\n", 1)[1], rows


def test_a_spanish_site_warns_on_its_own_scale_and_reports_the_ease(make_site):
    lines, report, rows = spanish_site(make_site, times(ES_HARD, 4), "Un remedio milagroso.")
    assert lines == [
        ("content/guide/first-steps.md:3: warning: 'milagroso' is a risky claim in health writing. Say what the "
         "evidence shows instead, or put a claim you are reporting in quotation marks [risky-claim]"),
        ("content/guide/first-steps.md:12: warning: reading ease 43.8 (Szigriszt-Pazos) is below 55, 'algo difícil' "
         "on the INFLESZ scale. Use shorter sentences and everyday words [readability-grade]")]
    table = [row.split() for row in report.splitlines()[:3]]
    assert (table[0][:3], table[2][0], table[2][2]) == (["article", "words", "ease"], "content/guide/first-steps.md",
                                                        "43.8")
    assert [(row["grade"], row["formula"]) for row in rows] == [(43.8, "Szigriszt-Pazos")]


def test_an_easy_spanish_site_passes(make_site):
    lines, _, rows = spanish_site(make_site, times(ES_EASY, 8))
    assert lines == []
    assert [(row["grade"], row["formula"]) for row in rows] == [(84.1, "Szigriszt-Pazos")]


def test_a_welsh_site_is_not_measured_and_has_no_word_list(make_site):
    site = make_site({"site.yaml": "title: T\nsearch: false\nlanguage: cy\n", "content/guide/index.md": PILLAR,
                      "content/guide/first-steps.md": article(body=times(EN_HARD, 7) + " A miracle cure.")})
    result = run_healthsite("check", "--report", cwd=site)
    assert not [line for line in result.out.splitlines() if line.endswith(("[readability-grade]", "[risky-claim]"))]
    row = result.out.split("Articles\n\n", 1)[1].splitlines()[2].split()
    assert row[0] == "content/guide/first-steps.md" and row[2] == "-"


def test_each_article_of_a_two_language_site_is_checked_in_its_own_language(make_site):
    """With `languages: [en-GB, es]`, the Spanish pillar's article gets the Spanish formula and word list and the
    English one the English ones: 'guaranteed' in the Spanish description and 'milagro' in the English body pass.
    The English grade, 34.8, is EN_HARD's 35.9 lowered by the short sentence 'Un milagro.' after it."""
    spanish_pillar = (PILLAR.replace("kind: pillar\n", "kind: pillar\nlanguage: es\n").replace("Guide", "Guía")
                      .replace("first-steps.md", "primeros-pasos.md"))
    spanish = (no_help(article(body=times(ES_HARD, 4))).replace("pillar: guide", "pillar: guia")
               .replace("First steps", "Primeros pasos")
               .replace("What to do first.", "Un remedio milagroso, guaranteed."))
    site = make_site({"site.yaml": "title: T\nsearch: false\nlanguages: [en-GB, es]\n",
                      "content/guide/index.md": PILLAR, "content/guia/index.md": spanish_pillar,
                      "content/guide/first-steps.md": no_help(article(body=times(EN_HARD, 7) + " Un milagro.")),
                      "content/guia/primeros-pasos.md": spanish})
    result = run_healthsite("check", cwd=site)
    found = [line.split(". ")[0] for line in result.out.splitlines()
             if line.endswith(("[readability-grade]", "[risky-claim]"))]
    assert found == [
        "content/guia/primeros-pasos.md:3: warning: 'milagroso' is a risky claim in health writing",
        ("content/guia/primeros-pasos.md:12: warning: reading ease 43.8 (Szigriszt-Pazos) is below 55, 'algo difícil' "
         "on the INFLESZ scale"),
        "content/guide/first-steps.md:12: warning: reading grade 34.8 is above the target of 8"]
