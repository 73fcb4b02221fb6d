"""The Dans ma rue taxonomy shipped with Lutetia (``data/taxonomy.json``) and how names map to it.

The file lists Paris's families and sub-types (the TYPE DECLARATION / SOUS TYPE DECLARATION
values of the open "dans-ma-rue" dataset) with French and English names, Open311 codes,
target times, a few Open311 attributes, the demo department of each family, each one's share
of reports (the generator's weights) and the other spellings found in the dataset (the
importer's aliases). ``actions.load_taxonomy`` writes it into the database.
"""

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

TAXONOMY_FILE = Path(__file__).parent / "data" / "taxonomy.json"


@dataclass(frozen=True)
class AttributeSpec:
    code: str
    datatype: str
    description: str
    required: bool = False
    datatype_description: str = ""
    values: tuple[dict, ...] = ()


@dataclass(frozen=True)
class CategorySpec:
    """A family (with ``children``) or a sub-type, as written in the file."""

    code: str
    name_fr: str
    name_en: str
    share: int
    department: str = ""
    target_days: int | None = None
    keywords: str = ""
    import_names: tuple[str, ...] = ()
    attributes: tuple[AttributeSpec, ...] = ()
    children: tuple["CategorySpec", ...] = field(default=())


def read_taxonomy(path: Path = TAXONOMY_FILE) -> list[CategorySpec]:
    """The families of the file, in order, each with its sub-types."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [_spec(family) for family in data["families"]]


def _spec(item: dict) -> CategorySpec:
    return CategorySpec(
        code=item["code"],
        name_fr=item["name_fr"],
        name_en=item["name_en"],
        share=item["share"],
        department=item.get("department", ""),
        target_days=item.get("target_days"),
        keywords=item.get("keywords", ""),
        import_names=tuple(item.get("import_names", ())),
        attributes=tuple(
            AttributeSpec(**{**attribute, "values": tuple(attribute.get("values", ()))})
            for attribute in item.get("attributes", ())
        ),
        children=tuple(_spec(child) for child in item.get("children", ())),
    )


def subtype_weights(families: list[CategorySpec]) -> dict[str, float]:
    """Each sub-type's share of all reports (summing to 1): its family's share split by
    the sub-types' relative weights."""
    total = sum(family.share for family in families)
    weights = {}
    for family in families:
        children_total = sum(child.share for child in family.children)
        for child in family.children:
            weights[child.code] = family.share / total * child.share / children_total
    return weights


def normalized(name: str) -> str:
    """A name compared without case, accents, punctuation spacing or ellipses."""
    text = unicodedata.normalize("NFKD", name.replace("…", "...")).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").rstrip(". ")
    return " ".join(text.split())


def name_index(families: list[CategorySpec]) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """How the dataset's names find categories: ``family name -> family code`` and
    ``(family code, sub-type name) -> sub-type code``, names normalised."""
    family_codes: dict[str, str] = {}
    subtype_codes: dict[tuple[str, str], str] = {}
    for family in families:
        for name in (family.name_fr, family.name_en, *family.import_names):
            family_codes[normalized(name)] = family.code
        for child in family.children:
            for name in (child.name_fr, child.name_en, child.code, *child.import_names):
                subtype_codes[(family.code, normalized(name))] = child.code
    return family_codes, subtype_codes
