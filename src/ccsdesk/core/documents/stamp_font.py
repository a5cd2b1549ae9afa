"""Make the signature stamp's font: Noto Sans cut down to Latin, without OpenType layout.

The stamp only needs Latin letters (French and the Bambara ɛ ɔ ɲ ŋ, precomposed), digits and
punctuation, unshaped. When pyHanko laid the stamp out, it subset the font with fontTools at
every signature, parsing the whole layout tables (GSUB/GPOS) of full Noto Sans (about 0.35 s
of the signature's 0.5 s): hence this cut. Since the stamp is drawn by ReportLab
(``exchange/stamp_appearance.py``) the cut still keeps that drawing cheap: a 0.14 MB file to
parse instead of 0.5 MB.

The result is a Modified Version under the SIL Open Font License (``resources/fonts/OFL.txt``)
and is renamed "CCS Desk Stamp Sans", since "Noto" is a trademark of Google LLC. Regenerate it
with ``python -m ccsdesk.core.documents.stamp_font`` (needs fontTools, which pyHanko's
``opentype`` extra brings).
"""

from __future__ import annotations

import sys
from pathlib import Path

from ccsdesk.core.resources import resource_path

FAMILY = "CCS Desk Stamp Sans"
POSTSCRIPT = "CCSDeskStampSans-Regular"
FILE_NAME = "CCSDeskStampSans-Regular.ttf"
# Basic Latin, Latin-1, Latin Extended-A/B, IPA (ɛ ɔ ɲ ŋ), spacing modifiers, combining
# diacritics, Latin Extended Additional, general punctuation (– ’ « » …), €, №, ™, −.
RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E), (0x00A0, 0x024F), (0x0250, 0x02AF), (0x02B0, 0x036F),
    (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x20AC, 0x20AC), (0x2116, 0x2116),
    (0x2122, 0x2122), (0x2212, 0x2212),
)


def stamp_font_path() -> Path:
    return resource_path("fonts", FILE_NAME)


def make(source: Path, target: Path) -> None:
    """Write the cut-down, renamed copy of ``source`` (Noto Sans Regular) to ``target``."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "DSIG"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    font = TTFont(str(source))
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for low, high in RANGES for c in range(low, high + 1)])
    subsetter.subset(font)
    names = font["name"]
    full = f"{FAMILY} Regular"
    for record in list(names.names):
        if record.nameID in (1, 16):
            names.setName(FAMILY, record.nameID, record.platformID, record.platEncID,
                          record.langID)
        elif record.nameID == 4:
            names.setName(full, 4, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 6:
            names.setName(POSTSCRIPT, 6, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 3:
            names.setName(f"{POSTSCRIPT} (from Noto Sans)", 3, record.platformID,
                          record.platEncID, record.langID)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(target))


if __name__ == "__main__":
    make(resource_path("fonts", "NotoSans-Regular.ttf"),
         Path(sys.argv[1]) if len(sys.argv) > 1 else stamp_font_path())
