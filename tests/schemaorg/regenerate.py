"""Extract the schema.org terms healthsite's JSON-LD may use into terms.json: `python tests/schemaorg/regenerate.py`.

Reads a release's schemaorg-current-https.jsonld (the first argument, default ../shared/data/schemaorg/, version
30.0) and keeps every class with its parents, and the properties whose domain includes one of TYPES or an ancestor.
Tests read only the small terms.json committed beside this script; add a type to TYPES before emitting it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parents[2] / "shared" / "data" / "schemaorg" / "schemaorg-current-https.jsonld"
TYPES = ("MedicalWebPage", "CollectionPage", "WebPage", "WebSite", "BreadcrumbList", "ListItem", "Organization",
         "Person", "CreativeWork", "Thing", "ProfilePage", "EducationalOccupationalCredential")


def _ids(value: object) -> list[str]:
    """Return the schema.org names a node field points to, as a sorted list."""
    items = value if isinstance(value, list) else [value] if value else []
    return sorted(i["@id"].removeprefix("schema:") for i in items if i["@id"].startswith("schema:"))


def _ancestors(name: str, classes: dict[str, list[str]]) -> set[str]:
    found, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(classes.get(current, ()))
    return found


def extract(vocabulary: dict) -> dict:
    """Keep every class with its parents, and each property usable on TYPES with its domains and ranges."""
    classes, properties = {}, {}
    for node in vocabulary["@graph"]:
        if not node["@id"].startswith("schema:"):
            continue
        name = node["@id"].removeprefix("schema:")
        types = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
        if "rdfs:Class" in types:
            classes[name] = _ids(node.get("rdfs:subClassOf"))
        if "rdf:Property" in types and "schema:supersededBy" not in node:
            properties[name] = {"domains": _ids(node.get("schema:domainIncludes")),
                                "ranges": _ids(node.get("schema:rangeIncludes"))}
    usable = set().union(*(_ancestors(t, classes) for t in TYPES))
    kept = {name: p for name, p in properties.items() if usable & set(p["domains"])}
    return {"classes": dict(sorted(classes.items())), "properties": dict(sorted(kept.items()))}


def _one_term_a_line(terms: dict) -> str:
    """Write the JSON with one term per line, so a new release reviews as a readable diff."""
    parts = []
    for key, value in terms.items():
        if isinstance(value, dict):
            rows = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in value.items())
            parts.append(f"{json.dumps(key)}: {{\n{rows}\n}}")
        else:
            parts.append(f"{json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT
    terms = {"version": "30.0", "types": list(TYPES), **extract(json.loads(source.read_text(encoding="utf-8")))}
    (HERE / "terms.json").write_text(_one_term_a_line(terms), encoding="utf-8")
    print(f"Wrote {len(terms['classes'])} classes and {len(terms['properties'])} properties to tests/schemaorg/terms.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
