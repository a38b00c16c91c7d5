#!/usr/bin/env python3
"""Make the lean faces: Latin + Vietnamese + punctuation, no layout tables or hinting (faster subsetting)."""
import sys
from fontTools import subset
from fontTools.ttLib import TTFont
src, dst = sys.argv[1], sys.argv[2]
opts = subset.Options()
opts.layout_features = []
opts.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "hdmx", "VDMX", "LTSH", "FFTM", "DSIG", "gasp"]
opts.hinting = False
opts.notdef_outline = True
opts.recommended_glyphs = True
opts.name_IDs = ["*"]
opts.name_languages = ["*"]
opts.glyph_names = False
unicodes = [*range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x300, 0x370), *range(0x1E00, 0x1F00),
            *range(0x2000, 0x2070), 0x20AB, 0x20AC, 0x2116, 0x2122, *range(0x2190, 0x2194), 0x2212, 0x25CF]
font = TTFont(src)
sub = subset.Subsetter(opts)
sub.populate(unicodes=unicodes)
sub.subset(font)
font.save(dst)
print(dst, len(font.getGlyphOrder()))
