"""Make `llm_ssd/data/isd_places.csv`: where the surveyed places of the International Soundscape
Database (ISD) sit on the circumplex, for the app to compare a clip with.

For each ISD location: the mean and standard deviation of ISO Pleasantness and Eventfulness over
its respondents, and how many they were. Computed with soundscapy's own functions: the ISD as
soundscapy ships it (`isd.load`), its validation step (`isd.validate`, which drops answers with
missing or out-of-range ratings), and its projection of the 8 ratings to ISO coordinates
(`surveys.add_iso_coords`). soundscapy is a development dependency (requirements-dev.txt); the
app reads only the small table this writes.

    python scripts/make_places.py            # rewrite the table
    python scripts/make_places.py --check    # exit 1 if the committed table differs
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "llm_ssd" / "data" / "isd_places.csv"
SOUNDSCAPY_VERSION = "0.8.5"
"""The version the committed table was made with (pinned in requirements-dev.txt)."""
COLUMNS = (
    "location_id",
    "place",
    "city",
    "isop_mean",
    "isop_sd",
    "isoe_mean",
    "isoe_sd",
    "respondents",
)
DECIMALS = 4
STATS = ("mean", "std")
"""Per axis, in the column order."""
ISOP, ISOE = "ISOPleasant", "ISOEventful"
LOCATIONS: dict[str, tuple[str, str]] = {
    "CamdenTown": ("Camden Town", "London"),
    "CampoPrincipe": ("Campo del Príncipe", "Granada"),
    "CarloV": ("Palace of Charles V", "Granada"),
    "DadongSquare": ("Dadong Square", "China"),
    "EustonTap": ("Euston Tap", "London"),
    "LianhuashanParkEntrance": ("Lianhuashan Park entrance", "Shenzhen"),
    "LianhuashanParkForest": ("Lianhuashan Park forest", "Shenzhen"),
    "MarchmontGarden": ("Marchmont Garden", "London"),
    "MiradorSanNicolas": ("Mirador de San Nicolás", "Granada"),
    "MonumentoGaribaldi": ("Monumento a Garibaldi", "Venice"),
    "Noorderplantsoen": ("Noorderplantsoen", "Groningen"),
    "OlympicSquare": ("Olympic Square", "China"),
    "PancrasLock": ("St Pancras Lock", "London"),
    "PingshanPark": ("Pingshan Park", "Shenzhen"),
    "PingshanStreet": ("Pingshan street", "Shenzhen"),
    "PlazaBibRambla": ("Plaza Bib-Rambla", "Granada"),
    "RegentsParkFields": ("Regent's Park fields", "London"),
    "RegentsParkJapan": ("Regent's Park Japanese Garden", "London"),
    "RussellSq": ("Russell Square", "London"),
    "SanMarco": ("Piazza San Marco", "Venice"),
    "StPaulsCross": ("St Paul's Cross", "London"),
    "StPaulsRow": ("St Paul's Row", "London"),
    "TateModern": ("Tate Modern", "London"),
    "TorringtonSq": ("Torrington Square", "London"),
    "ZhongshanPark": ("Zhongshan Park", "China"),
    "ZhongshanSquare": ("Zhongshan Square", "China"),
}
"""The ISD's LocationID codes as plain place names and cities: the one place they are spelled.
The ISD gives no city column; llm_ssd/data/README.md says how each city was read."""


def location_stats():
    """Per LocationID: mean, SD (pandas' default, n - 1) and count of ISOPleasant/ISOEventful,
    from soundscapy's validated ISD."""
    from loguru import logger
    from soundscapy.databases import isd
    from soundscapy.surveys.processing import add_iso_coords

    logger.disable("soundscapy")
    valid, _excluded = isd.validate(isd.load())
    scored = add_iso_coords(valid, names=(ISOP, ISOE))
    return scored.groupby("LocationID")[[ISOP, ISOE]].agg(["mean", "std", "count"])


def table_text() -> str:
    """The table as CSV text, one row per ISD location, sorted by LocationID."""
    stats = location_stats()
    unknown = set(stats.index) - set(LOCATIONS)
    if unknown:
        raise SystemExit(f"ISD locations without a display name in LOCATIONS: {sorted(unknown)}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for location_id, row in stats.sort_index().iterrows():
        place, city = LOCATIONS[location_id]
        writer.writerow(
            [
                location_id,
                place,
                city,
                *(f"{row[(axis, stat)]:.{DECIMALS}f}" for axis in (ISOP, ISOE) for stat in STATS),
                int(row[(ISOP, "count")]),
            ]
        )
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    text = table_text()
    if args.check:
        same = TABLE.exists() and TABLE.read_text(encoding="utf-8") == text
        print(f"{TABLE.relative_to(ROOT)}: {'up to date' if same else 'DIFFERS'}")
        return 0 if same else 1
    TABLE.write_text(text, encoding="utf-8")
    print(f"wrote {TABLE.relative_to(ROOT)} ({text.count(chr(10)) - 1} places)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
