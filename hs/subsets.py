"""Copy the parts of the US and EU tariff nomenclatures the product uses.

``python -m hs.subsets SHARED_NOMENCLATURE_DIR`` writes, under
``hs/data/nomenclature/``:

- ``us_hts_2026r4/hts_2026r4_descriptions.csv``: every row of the US HTS
  2026 revision 4 export with its number, indent and description only
  (``hts_number, indent, description``); the duty columns are left out;
- ``eu_cn2026/cn2026_names_en_fr_es.csv``: every row of the EU Combined
  Nomenclature 2026 with its code, level, parent and names in English,
  French and Spanish (``code, level, parent, name_en, name_fr, name_es``);
  the ``path_*`` columns, which repeat the parents' names, are left out;

and copies each source's ``PROVENANCE.md`` unchanged beside them. Rows keep
their order, which carries the HTS's parent chain (an indent under the
nearest row above with a smaller one).
"""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

TARGET = Path(__file__).parent / "data" / "nomenclature"
HTS_DIR = "us_hts_2026r4"
HTS_FILE = "hts_2026r4_descriptions.csv"
CN_DIR = "eu_cn2026"
CN_FILE = "cn2026_names_en_fr_es.csv"
_CN_COLUMNS = ("code", "level", "parent", "name_en", "name_fr", "name_es")


def copy_subsets(shared: Path, target: Path = TARGET) -> None:
    for folder in (HTS_DIR, CN_DIR):
        (target / folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared / folder / "PROVENANCE.md", target / folder / "PROVENANCE.md")
    with (
        open(shared / HTS_DIR / "hts_2026_revision_4_csv.csv", encoding="utf-8-sig", newline="") as source,
        open(target / HTS_DIR / HTS_FILE, "w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["hts_number", "indent", "description"])
        for row in csv.DictReader(source):
            writer.writerow([row["HTS Number"], row["Indent"], row["Description"]])
    with (
        open(shared / CN_DIR / "cn2026_en_fr_es.csv", encoding="utf-8", newline="") as source,
        open(target / CN_DIR / CN_FILE, "w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(_CN_COLUMNS)
        for row in csv.DictReader(source):
            writer.writerow([row[column] for column in _CN_COLUMNS])


if __name__ == "__main__":
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        sys.exit("usage: python -m hs.subsets SHARED_NOMENCLATURE_DIR (the folder holding us_hts_2026r4/)")
    copy_subsets(Path(sys.argv[1]))
