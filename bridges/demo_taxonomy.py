"""A small curated taxonomy for the demo: the occupations the programme places, with skills.

This module owns the demo's occupations and skills (German and English labels, with a
few alternative labels each), their ISCO-08 groups, and which skills are essential or
optional for which occupation. Related occupations share skills on purpose, because
matching finds "related occupations" through shared skills.

Entries carry an ESCO URI only where it is certain; the others are programme entries
(uri None), found again by their German preferred label, so loading is idempotent.
A later full ESCO import (manage.py import_esco) adds the ESCO concepts beside them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from bridges.models import IscoGroup, Occupation, OccupationLabel, OccupationSkill, Skill, SkillLabel

KNOWLEDGE = Skill.SkillType.KNOWLEDGE
SKILL = Skill.SkillType.SKILL
OTHER = Skill.SkillType.OTHER


@dataclass(frozen=True)
class DemoSkill:
    de: tuple[str, ...]  # preferred label first, then alternative labels
    en: tuple[str, ...]
    skill_type: str = SKILL
    uri: str | None = None
    reuse_level: str = "sector-specific"  # ESCO's reuse level; matching ignores the two generic ones for relevance


# ESCO reuse levels: skills used in every kind of work, and skills used across several sectors. Neither shows
# that a person comes from the same line of work (matching/README.md, "Relevance").
TRANSVERSAL = "transversal"
CROSS_SECTOR = "cross-sector"


@dataclass(frozen=True)
class DemoOccupation:
    de: tuple[str, ...]
    en: tuple[str, ...]
    isco_group: str
    essential: tuple[str, ...]
    optional: tuple[str, ...] = ()
    uri: str | None = None


# ISCO-08 unit groups used below; ESCO's URIs for ISCO groups follow one fixed pattern.
ISCO_GROUPS: dict[str, tuple[str, str]] = {
    "2643": ("Philologen, Übersetzer und Dolmetscher", "Translators, interpreters and other linguists"),
    "3512": (
        "Techniker für die Anwenderbetreuung in der Informations- und Kommunikationstechnologie",
        "Information and communications technology user support technicians",
    ),
    "4110": ("Allgemeine Büroangestellte", "General office clerks"),
    "5120": ("Köche", "Cooks"),
    "5141": ("Friseure", "Hairdressers"),
    "5311": ("Kinderbetreuer", "Child care workers"),
    "5321": ("Pflegehelfer", "Health care assistants"),
    "7212": ("Schweißer und Brennschneider", "Welders and flamecutters"),
    "7411": ("Bauelektriker und verwandte Elektriker", "Building and related electricians"),
    "7412": ("Elektromechaniker und -monteure", "Electrical mechanics and fitters"),
    "8331": ("Bus- und Straßenbahnfahrer", "Bus and tram drivers"),
    "8332": ("Fahrer schwerer Lastkraftwagen", "Heavy truck and lorry drivers"),
    "9213": ("Hilfsarbeiter in der gemischten Landwirtschaft", "Mixed crop and livestock farm labourers"),
    "9313": ("Hilfsarbeiter im Hochbau", "Building construction labourers"),
    "9333": ("Transport- und Lagerarbeiter", "Freight handlers"),
    "9412": ("Küchenhilfen", "Kitchen helpers"),
}
ISCO_URI = "http://data.europa.eu/esco/isco/C{code}"

SKILLS: dict[str, DemoSkill] = {
    "welding": DemoSkill(
        ("Schweißtechniken", "Schweißverfahren"), ("welding techniques", "welding methods"), KNOWLEDGE
    ),
    "welding_equipment": DemoSkill(
        ("Schweißgeräte bedienen", "Schweißanlagen bedienen"), ("operate welding equipment", "use welding equipment")
    ),
    "drawings": DemoSkill(
        ("Technische Zeichnungen lesen", "Baupläne lesen", "Zeichnungen lesen"),
        ("read technical drawings", "read blueprints"),
        reuse_level=CROSS_SECTOR,
    ),
    "metalwork": DemoSkill(("Metall bearbeiten", "Metallbearbeitung"), ("manipulate metal", "metalworking")),
    "safety": DemoSkill(
        ("Arbeitsschutzvorschriften einhalten", "Arbeitssicherheit beachten"),
        ("follow health and safety procedures", "apply occupational safety rules"),
        reuse_level=CROSS_SECTOR,
    ),
    "ppe": DemoSkill(
        ("Persönliche Schutzausrüstung tragen", "Schutzkleidung tragen"),
        ("wear appropriate protective gear", "wear personal protective equipment"),
        reuse_level=CROSS_SECTOR,
    ),
    "wiring": DemoSkill(
        ("Elektrische Leitungen verlegen", "Kabel verlegen"), ("install electrical wiring", "lay cables")
    ),
    "electrical_testing": DemoSkill(
        ("Elektrische Anlagen prüfen", "Elektroprüfung"),
        ("test electrical equipment", "inspect electrical installations"),
    ),
    "electrical_safety": DemoSkill(
        ("Elektrische Sicherheitsvorschriften", "VDE-Vorschriften"),
        ("electrical safety regulations", "electrical codes"),
        KNOWLEDGE,
    ),
    "heights": DemoSkill(
        ("Sicher in der Höhe arbeiten", "Arbeiten auf Gerüsten"), ("work safely at heights", "work on scaffolding")
    ),
    "basic_care": DemoSkill(
        ("Grundpflege durchführen", "Bei der Körperpflege unterstützen"),
        ("provide basic care", "assist with personal hygiene"),
    ),
    "mobility": DemoSkill(
        ("Bei der Mobilität unterstützen", "Lagern und Mobilisieren"),
        ("assist patients with mobility", "help patients move"),
    ),
    "hygiene": DemoSkill(
        ("Hygienevorschriften einhalten", "Hygienestandards beachten"),
        ("apply hygiene standards", "follow hygiene rules"),
        reuse_level=CROSS_SECTOR,
    ),
    "care_documentation": DemoSkill(
        ("Pflegedokumentation führen", "Pflege dokumentieren"), ("document care activities", "keep care records")
    ),
    "empathy": DemoSkill(
        ("Einfühlsam kommunizieren", "Empathie zeigen"),
        ("communicate with empathy", "show empathy"),
        reuse_level=TRANSVERSAL,
    ),
    "forklift": DemoSkill(
        ("Staplerschein", "Gabelstaplerschein", "Flurförderzeugschein"),
        ("forklift licence", "forklift license", "forklift truck licence"),
        OTHER,
    ),
    "picking": DemoSkill(("Kommissionieren", "Waren kommissionieren"), ("pick orders", "order picking")),
    "stock": DemoSkill(
        ("Lagerbestand erfassen", "Inventur durchführen"),
        ("keep stock records", "take inventory"),
        reuse_level=CROSS_SECTOR,
    ),
    "loading": DemoSkill(("Waren be- und entladen", "Ladung umschlagen"), ("load and unload goods", "handle cargo")),
    "cooking": DemoSkill(("Speisen zubereiten", "Gerichte kochen"), ("prepare dishes", "cook meals")),
    "haccp": DemoSkill(
        ("Lebensmittelhygiene (HACCP)", "HACCP-Konzept"), ("food safety and hygiene (HACCP)", "HACCP"), KNOWLEDGE
    ),
    "kitchen_cleaning": DemoSkill(
        ("Küche und Geräte reinigen", "Geschirr spülen"), ("clean kitchen equipment", "wash dishes")
    ),
    "truck": DemoSkill(("Lkw fahren", "Lastkraftwagen führen"), ("drive heavy goods vehicles", "drive a lorry")),
    "licence_ce": DemoSkill(
        ("Führerschein Klasse CE", "Führerschein CE", "Lkw-Führerschein"),
        ("driving licence class CE", "HGV licence"),
        OTHER,
    ),
    "licence_d": DemoSkill(
        ("Führerschein Klasse D", "Busführerschein"), ("driving licence class D", "bus driving licence"), OTHER
    ),
    "traffic_law": DemoSkill(
        ("Straßenverkehrsrecht", "Straßenverkehrsordnung (StVO)"),
        ("road traffic laws", "traffic regulations"),
        KNOWLEDGE,
    ),
    "cargo": DemoSkill(("Ladung sichern", "Ladungssicherung"), ("secure cargo", "load securing")),
    "passengers": DemoSkill(
        ("Fahrgäste sicher befördern", "Personenbeförderung"), ("transport passengers safely", "carry passengers")
    ),
    "customer_service": DemoSkill(
        ("Kundinnen und Kunden beraten", "Kundenservice"),
        ("provide customer service", "advise customers"),
        reuse_level=CROSS_SECTOR,
    ),
    "it_troubleshooting": DemoSkill(
        ("IT-Störungen beheben", "IT-Fehler analysieren"), ("troubleshoot ICT problems", "resolve IT incidents")
    ),
    "it_setup": DemoSkill(
        ("Computer und Software einrichten", "Arbeitsplatzrechner installieren"),
        ("set up computer systems", "install software"),
    ),
    "office_software": DemoSkill(
        ("Büroprogramme anwenden", "MS Office"),
        ("use office software", "Microsoft Office"),
        reuse_level=CROSS_SECTOR,
    ),
    "german_at_work": DemoSkill(
        ("Berufsbezogenes Deutsch", "Deutsch im Beruf"),
        ("job-related German", "German for work"),
        OTHER,
        reuse_level=TRANSVERSAL,
    ),
    "concrete": DemoSkill(("Beton mischen und verarbeiten", "Betonieren"), ("mix and pour concrete", "concreting")),
    "construction_machinery": DemoSkill(
        ("Baumaschinen bedienen", "Baugeräte bedienen"),
        ("operate construction equipment", "use construction machinery"),
    ),
    "harvest": DemoSkill(("Ernten", "Erntearbeiten"), ("harvest crops", "harvesting")),
    "farm_machinery": DemoSkill(
        ("Landmaschinen bedienen", "Traktor fahren"), ("operate agricultural machinery", "drive a tractor")
    ),
    "animals": DemoSkill(("Tiere versorgen", "Nutztiere füttern"), ("care for farm animals", "feed livestock")),
    "interpreting": DemoSkill(
        ("Konsekutiv dolmetschen", "Gespräche dolmetschen"),
        ("perform consecutive interpreting", "interpret conversations"),
    ),
    "translating": DemoSkill(("Texte übersetzen", "Schriftliches Übersetzen"), ("translate texts", "translation")),
    "intercultural": DemoSkill(
        ("Interkulturelle Kompetenz", "Kultursensibilität"),
        ("intercultural awareness", "cultural sensitivity"),
        reuse_level=TRANSVERSAL,
    ),
    "maintenance": DemoSkill(
        ("Maschinen und Anlagen warten", "Instandhaltung"), ("maintain machinery", "perform maintenance")
    ),
    "plc": DemoSkill(
        ("SPS programmieren", "Speicherprogrammierbare Steuerungen programmieren"),
        ("program PLCs", "programmable logic controllers"),
    ),
    "mechatronic_assembly": DemoSkill(
        ("Mechatronische Baugruppen montieren", "Baugruppen montieren"),
        ("assemble mechatronic units", "assemble components"),
    ),
    "documents": DemoSkill(
        ("Dokumente ablegen und verwalten", "Ablage organisieren"),
        ("manage documents", "file documents"),
        reuse_level=CROSS_SECTOR,
    ),
    "correspondence": DemoSkill(
        ("Geschäftskorrespondenz erledigen", "Schriftverkehr"),
        ("handle business correspondence", "write business letters"),
    ),
    "phone": DemoSkill(
        ("Telefonate führen", "Anrufe entgegennehmen"),
        ("answer incoming calls", "handle phone calls"),
        reuse_level=CROSS_SECTOR,
    ),
    "haircut": DemoSkill(("Haare schneiden", "Haarschnitt"), ("cut hair", "haircutting")),
    "hair_colour": DemoSkill(("Haare färben", "Colorieren"), ("colour hair", "dye hair")),
    "supervise_children": DemoSkill(
        ("Kinder beaufsichtigen", "Aufsichtspflicht wahrnehmen"), ("supervise children", "look after children")
    ),
    "child_development": DemoSkill(
        ("Kinder in ihrer Entwicklung fördern", "Frühkindliche Förderung"),
        ("support children's development", "early childhood development"),
    ),
    "photovoltaics": DemoSkill(
        ("Photovoltaikmodule montieren", "PV-Anlagen installieren", "Solarmodule montieren"),
        ("install photovoltaic systems", "install solar panels"),
    ),
    "teamwork": DemoSkill(
        ("Im Team arbeiten", "Teamfähigkeit"),
        ("work in a team", "teamwork"),
        reuse_level=TRANSVERSAL,
    ),
    "first_aid": DemoSkill(
        ("Erste Hilfe leisten", "Ersthelfer/in"),
        ("provide first aid", "first aider"),
        reuse_level=TRANSVERSAL,
    ),
}

OCCUPATIONS: list[DemoOccupation] = [
    DemoOccupation(
        ("Schweißer/in", "Schweißer", "Schweißerin", "Metallschweißer/in"),
        ("welder", "welding operator", "metal welder"),
        "7212",
        essential=("welding", "welding_equipment", "drawings", "metalwork", "ppe"),
        optional=("safety", "forklift", "teamwork"),
    ),
    DemoOccupation(
        ("Elektriker/in", "Elektriker", "Elektrikerin", "Elektroinstallateur/in"),
        ("electrician", "building electrician", "electrical installer"),
        "7411",
        essential=("wiring", "electrical_testing", "electrical_safety", "drawings", "safety"),
        optional=("heights", "customer_service", "photovoltaics"),
    ),
    DemoOccupation(
        ("Pflegehelfer/in", "Pflegehelfer", "Pflegehelferin", "Pflegeassistent/in"),
        ("nursing assistant", "care assistant", "healthcare assistant"),
        "5321",
        essential=("basic_care", "mobility", "hygiene", "care_documentation", "empathy"),
        optional=("first_aid", "intercultural", "german_at_work"),
    ),
    DemoOccupation(
        ("Lagerhelfer/in", "Lagerhelfer", "Lagerhelferin", "Lagerarbeiter/in"),
        ("warehouse worker", "warehouse operative", "warehouse assistant"),
        "9333",
        essential=("picking", "loading", "stock", "safety"),
        optional=("forklift", "ppe", "cargo", "teamwork"),
    ),
    DemoOccupation(
        ("Koch/Köchin", "Koch", "Köchin"),
        ("cook", "chef", "line cook"),
        "5120",
        essential=("cooking", "haccp", "hygiene", "kitchen_cleaning"),
        optional=("stock", "teamwork"),
    ),
    DemoOccupation(
        ("Berufskraftfahrer/in", "Lkw-Fahrer/in", "Lkw-Fahrer", "Lkw-Fahrerin"),
        ("truck driver", "lorry driver", "HGV driver"),
        "8332",
        essential=("truck", "licence_ce", "traffic_law", "cargo", "loading"),
        optional=("forklift", "customer_service"),
    ),
    DemoOccupation(
        ("IT-Support-Techniker/in", "IT-Supporter/in", "IT-Servicetechniker/in"),
        ("IT support technician", "IT helpdesk technician", "ICT help desk agent"),
        "3512",
        essential=("it_troubleshooting", "it_setup", "customer_service", "office_software"),
        optional=("phone", "documents", "teamwork"),
    ),
    DemoOccupation(
        ("Bauhelfer/in", "Bauhelfer", "Bauarbeiter/in", "Bauarbeiter"),
        ("construction worker", "construction labourer", "building labourer"),
        "9313",
        essential=("concrete", "construction_machinery", "ppe", "safety", "heights"),
        optional=("drawings", "forklift", "teamwork"),
    ),
    DemoOccupation(
        ("Landwirtschaftliche Hilfskraft", "Erntehelfer/in", "Helfer/in in der Landwirtschaft"),
        ("agricultural worker", "farm worker", "farm hand"),
        "9213",
        essential=("harvest", "farm_machinery", "animals", "ppe"),
        optional=("forklift", "maintenance", "teamwork"),
    ),
    DemoOccupation(
        ("Dolmetscher/in", "Dolmetscher", "Dolmetscherin", "Sprachmittler/in"),
        ("interpreter", "community interpreter", "language mediator"),
        "2643",
        essential=("interpreting", "translating", "intercultural", "empathy"),
        optional=("office_software", "documents"),
    ),
    DemoOccupation(
        ("Mechatroniker/in", "Mechatroniker", "Mechatronikerin"),
        ("mechatronics technician", "mechatronic technician", "mechatronics fitter"),
        "7412",
        essential=("mechatronic_assembly", "plc", "maintenance", "electrical_testing", "drawings"),
        optional=("electrical_safety", "it_troubleshooting", "metalwork"),
    ),
    DemoOccupation(
        ("Kaufmann/Kauffrau für Büromanagement", "Bürokaufmann", "Bürokauffrau", "Bürokraft"),
        ("office clerk", "office administrator", "administrative assistant"),
        "4110",
        essential=("office_software", "documents", "correspondence", "phone"),
        optional=("customer_service", "stock", "german_at_work"),
    ),
    DemoOccupation(
        ("Friseur/in", "Friseur", "Friseurin"),
        ("hairdresser", "hair stylist"),
        "5141",
        essential=("haircut", "hair_colour", "customer_service", "hygiene"),
        optional=("empathy", "stock"),
    ),
    DemoOccupation(
        ("Küchenhilfe", "Küchenhelfer/in", "Spülkraft"),
        ("kitchen assistant", "kitchen porter", "kitchen helper"),
        "9412",
        essential=("kitchen_cleaning", "hygiene", "haccp"),
        optional=("cooking", "stock", "teamwork"),
    ),
    DemoOccupation(
        ("Busfahrer/in", "Busfahrer", "Busfahrerin", "Omnibusfahrer/in"),
        ("bus driver", "coach driver"),
        "8331",
        essential=("licence_d", "passengers", "traffic_law", "customer_service"),
        optional=("first_aid", "german_at_work"),
    ),
    DemoOccupation(
        ("Helfer/in in der Kinderbetreuung", "Kinderbetreuer/in", "Betreuungshelfer/in in der Kita"),
        ("early-childhood educator assistant", "childcare assistant", "nursery assistant"),
        "5311",
        essential=("supervise_children", "child_development", "hygiene", "empathy"),
        optional=("first_aid", "intercultural", "german_at_work"),
    ),
    DemoOccupation(
        ("Solarteur/in", "Solarmonteur/in", "PV-Monteur/in"),
        ("solar panel installer", "solar installer", "photovoltaic installer"),
        "7411",
        essential=("photovoltaics", "heights", "wiring", "ppe", "electrical_safety"),
        optional=("drawings", "customer_service", "teamwork"),
    ),
]


def _wanted_labels(de: tuple[str, ...], en: tuple[str, ...]) -> dict[str, set[tuple[str, bool]]]:
    return {
        language: {(labels[0], True), *((label, False) for label in labels[1:])}
        for language, labels in (("de", de), ("en", en))
    }


def _concept_upsert(
    *,
    model: type[Occupation] | type[Skill],
    label_model: type[OccupationLabel] | type[SkillLabel],
    label_fk: str,
    uri: str | None,
    de: tuple[str, ...],
    en: tuple[str, ...],
    values: dict[str, str],
    counts: Counter,
    labels_written: Counter,
) -> Occupation | Skill:
    """Create or update one concept and its de/en labels; count created, updated or unchanged."""
    lookup = {"uri": uri} if uri else {"uri": None, "labels__de": de[0]}
    concept = model.objects.filter(**lookup).order_by("pk").first()
    status = "unchanged"
    if concept is None:
        concept = model.objects.create(uri=uri, labels={"de": de[0], "en": en[0]}, **values)
        status = "created"
    else:
        labels = {**concept.labels, "de": de[0], "en": en[0]}
        if labels != concept.labels or any(getattr(concept, name) != value for name, value in values.items()):
            concept.labels = labels
            for name, value in values.items():
                setattr(concept, name, value)
            concept.save()
            status = "updated"
    for language, wanted in _wanted_labels(de, en).items():
        rows = label_model.objects.filter(**{label_fk: concept.pk}, language=language)
        if set(rows.values_list("text", "preferred")) != wanted:
            rows.delete()
            label_model.objects.bulk_create(
                label_model(**{label_fk: concept.pk}, language=language, text=text, preferred=preferred)
                for text, preferred in wanted
            )
            labels_written["written"] += len(wanted)
            status = "updated" if status == "unchanged" else status
    counts[status] += 1
    return concept


@transaction.atomic
def demo_taxonomy_load() -> dict[str, dict[str, int]]:
    """Create or update the demo occupations, skills and their relations; idempotent.

    Returns counts per kind, e.g. {"occupations": {"created": 17, "updated": 0, "unchanged": 0}, ...,
    "labels": {"written": 412}}.
    """
    counts: dict[str, Counter] = {kind: Counter() for kind in ("isco_groups", "skills", "occupations", "relations")}
    labels_written: Counter = Counter()
    for code, (de, en) in ISCO_GROUPS.items():
        # Existing groups (e.g. from a full ESCO import) keep their official labels.
        _, created = IscoGroup.objects.get_or_create(
            code=code, defaults={"uri": ISCO_URI.format(code=code), "labels": {"de": de, "en": en}}
        )
        counts["isco_groups"]["created" if created else "unchanged"] += 1

    skills = {
        key: _concept_upsert(
            model=Skill,
            label_model=SkillLabel,
            label_fk="skill_id",
            uri=spec.uri,
            de=spec.de,
            en=spec.en,
            values={"skill_type": spec.skill_type, "reuse_level": spec.reuse_level},
            counts=counts["skills"],
            labels_written=labels_written,
        )
        for key, spec in SKILLS.items()
    }
    for spec in OCCUPATIONS:
        occupation = _concept_upsert(
            model=Occupation,
            label_model=OccupationLabel,
            label_fk="occupation_id",
            uri=spec.uri,
            de=spec.de,
            en=spec.en,
            values={"isco_group": spec.isco_group},
            counts=counts["occupations"],
            labels_written=labels_written,
        )
        relations = [(key, OccupationSkill.Relation.ESSENTIAL) for key in spec.essential] + [
            (key, OccupationSkill.Relation.OPTIONAL) for key in spec.optional
        ]
        existing = dict(occupation.skill_relations.values_list("skill_id", "relation_type"))
        for key, relation in relations:
            skill = skills[key]
            if existing.get(skill.pk) == relation:
                counts["relations"]["unchanged"] += 1
                continue
            _, created = OccupationSkill.objects.update_or_create(
                occupation=occupation, skill=skill, defaults={"relation_type": relation}
            )
            counts["relations"]["created" if created else "updated"] += 1
    result = {
        kind: {status: counter[status] for status in ("created", "updated", "unchanged")}
        for kind, counter in counts.items()
    }
    result["labels"] = {"written": labels_written["written"]}
    return result
