"""The app's UI catalogs: complete, consistent with `en`, used by the code, in the right script."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "src" / "amina" / "web" / "static" / "app"
CATALOGS = APP / "i18n"
LANGUAGES = ["ru", "en", "uz", "tg", "ky", "kk", "hy", "ka", "az", "ro", "uk"]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# t("key") and N_("key"): the only two ways the code names a catalog key.
KEY_USE = re.compile(r"\b(?:t|N_)\(\s*\"([A-Za-z0-9_]+)\"")

# Names that stay in Latin letters in every language.
BRANDS = re.compile(
    r"OwnTracks|Traccar Client|MQTT|Google Play|App Store|Chrome|SMS|QR|URL|HTTP|Amina"
)
SCRIPT = {
    "cyrillic": re.compile(r"[\u0400-\u04FF]"),
    "latin": re.compile(r"[A-Za-z\u00C0-\u024F\u02BB\u02BC]"),
    "armenian": re.compile(r"[\u0530-\u058F]"),
    "georgian": re.compile(r"[\u10A0-\u10FF]"),
}
WRITTEN_IN = {
    "ru": "cyrillic", "uk": "cyrillic", "tg": "cyrillic", "ky": "cyrillic", "kk": "cyrillic",
    "en": "latin", "uz": "latin", "az": "latin", "ro": "latin",
    "hy": "armenian", "ka": "georgian",
}  # fmt: skip
# Values that may be the same as in English (templates, names that are the same word).
SAME_AS_ENGLISH_OK = {
    "app_name", "datetime", "date_full", "date_weekday", "date_weekday_year",
    "date_month_range", "country_MD", "country_AM", "country_GE", "country_UZ",
    "month_3", "month_5", "month_8",
}  # fmt: skip


def load(language: str) -> dict[str, str]:
    data = json.loads((CATALOGS / f"{language}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in (APP / "js").rglob("*.js"):
        keys.update(KEY_USE.findall(path.read_text(encoding="utf-8")))
    return keys


def test_exactly_the_eleven_catalogs_exist() -> None:
    assert sorted(p.stem for p in CATALOGS.glob("*.json")) == sorted(LANGUAGES)


def test_the_app_offers_the_same_languages() -> None:
    source = (APP / "js" / "i18n.js").read_text(encoding="utf-8")
    offered = re.findall(r'\{ code: "([a-z]{2})", name: "[^"]+" \}', source)
    assert sorted(offered) == sorted(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_exactly_the_english_keys(language: str) -> None:
    english, catalog = load("en"), load(language)
    assert sorted(set(english) - set(catalog)) == [], "missing keys"
    assert sorted(set(catalog) - set(english)) == [], "extra keys"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_values_are_non_empty_strings_with_the_english_placeholders(
    language: str,
) -> None:
    english, catalog = load("en"), load(language)
    for key, value in catalog.items():
        assert isinstance(value, str), key
        assert value.strip(), f"{key} is empty"
        assert sorted(PLACEHOLDER.findall(value)) == sorted(PLACEHOLDER.findall(english[key])), key


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_written_in_its_own_script(language: str) -> None:
    """No English (or other) text left behind: only brand names may be in Latin letters."""
    own = WRITTEN_IN[language]
    for key, value in load(language).items():
        text = BRANDS.sub("", PLACEHOLDER.sub("", value)).replace("ФЗ", "").replace("FZ", "")
        for script, pattern in SCRIPT.items():
            if script != own:
                assert not pattern.search(text), f"{language}.{key}: {script} letters in {value!r}"


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_catalog_is_translated(language: str) -> None:
    english, catalog = load("en"), load(language)
    same = {
        key
        for key, value in catalog.items()
        if value.casefold() == english[key].casefold() and key not in SAME_AS_ENGLISH_OK
    }
    assert same == set(), f"left in English: {sorted(same)}"


def test_every_key_the_code_uses_exists() -> None:
    assert sorted(used_keys() - set(load("en"))) == []


def test_every_key_is_used_by_the_code() -> None:
    assert sorted(set(load("en")) - used_keys()) == []
