"""Letter templates are data: the shipped ones load, broken ones are refused by name."""

from __future__ import annotations

import pytest

from mottagning.letters.model import LetterKind
from mottagning.letters.templates import (
    KIND_CONDITIONS,
    TemplateError,
    fill,
    load_template,
    validate_template,
)

MINIMAL = """
version = 3
kind = "bekraftelse"
title = "Mottagningsbekräftelse"
subject = "Vi har tagit emot din anmälan"
closing = "Med vänliga hälsningar"
signature = ["{handlaggare}"]

[[paragraphs]]
text = "Din anmälan om {barnets_namn} kom in {anmalan_inkom}."
"""


@pytest.mark.parametrize("kind", list(LetterKind))
def test_every_shipped_template_loads_with_its_own_kind_and_a_version(kind):
    template = load_template(kind)
    assert template.kind is kind
    assert template.version >= 1


@pytest.mark.parametrize("kind", list(LetterKind))
def test_every_condition_of_a_kind_is_used_by_its_shipped_template(kind):
    template = load_template(kind)
    used = {p.when for p in template.paragraphs} | {s.when for s in template.subjects}
    assert set(KIND_CONDITIONS[kind]) <= used


def test_a_valid_template_keeps_its_version():
    assert validate_template(MINIMAL).version == 3


def test_unknown_placeholder_is_refused_with_its_name_and_the_file():
    text = MINIMAL.replace("{barnets_namn}", "{barnets_adress}")
    with pytest.raises(TemplateError) as error:
        validate_template(text, source="resources/letters/bekraftelse.toml")
    message = str(error.value)
    assert "okänd platshållare {barnets_adress}" in message
    assert "resources/letters/bekraftelse.toml" in message
    assert "stycke 1" in message


def test_placeholder_of_another_kind_is_refused():
    with pytest.raises(TemplateError, match=r"okänd platshållare \{motesplats\}"):
        validate_template(MINIMAL.replace("{anmalan_inkom}", "{motesplats}"))


@pytest.mark.parametrize(
    "field", ["{barnets_namn!r}", "{barnets_namn:>30}", "{barnets_namn.upper}", "{0}", "{}"]
)
def test_formatting_attribute_access_and_positional_fields_are_refused(field):
    with pytest.raises(TemplateError, match="otillåten platshållare"):
        validate_template(MINIMAL.replace("{barnets_namn}", field))


def test_unbalanced_brace_is_refused():
    with pytest.raises(TemplateError, match="klammerparenteser"):
        validate_template(MINIMAL.replace("{barnets_namn}", "{barnets_namn"))


def test_doubled_braces_print_literally():
    template = validate_template(MINIMAL.replace("om {barnets_namn}", "om {{barn}} {barnets_namn}"))
    filled, missing = fill(
        template, {"barnets_namn": "Elsa", "anmalan_inkom": "1 maj 2026", "handlaggare": "M"}, set()
    )
    assert missing == []
    assert filled.paragraphs[0].text == "Din anmälan om {barn} Elsa kom in 1 maj 2026."


def test_unknown_condition_is_refused_with_the_allowed_ones():
    text = MINIMAL.replace('[[paragraphs]]\n', '[[paragraphs]]\nwhen = "tolk"\n')
    with pytest.raises(TemplateError, match="okänt villkor ”tolk”.*privatperson"):
        validate_template(text)


def test_unknown_key_is_refused():
    with pytest.raises(TemplateError, match="okända nycklar: footer"):
        validate_template('footer = "x"\n' + MINIMAL)


def test_unknown_paragraph_key_is_refused():
    with pytest.raises(TemplateError, match="okända nycklar i stycke 1: style"):
        validate_template(MINIMAL + 'style = "fet"\n')


def test_paragraph_needs_exactly_one_of_text_and_facts():
    text = MINIMAL + '\n[[paragraphs]]\nheading = "Rubrik"\n'
    with pytest.raises(TemplateError, match="stycke 2 måste ha antingen text eller facts"):
        validate_template(text)


def test_version_must_be_a_positive_integer():
    with pytest.raises(TemplateError, match="version"):
        validate_template(MINIMAL.replace("version = 3", 'version = "3"'))


def test_broken_toml_is_refused_naming_the_source():
    with pytest.raises(TemplateError, match="min-mall.toml: mallen är inte giltig TOML"):
        validate_template("version = ", source="min-mall.toml")


def test_fill_lists_every_missing_value_of_the_shown_paragraphs_only():
    template = validate_template(
        MINIMAL + '\n[[paragraphs]]\nwhen = "privatperson"\ntext = "{barnets_personnummer}"\n'
    )
    filled, missing = fill(template, {"handlaggare": "Maria"}, set())
    assert filled is None
    assert missing == ["barnets namn", "datum då anmälan kom in"]
