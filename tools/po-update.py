#!/usr/bin/env python3
"""Merge new message ids from i18n/kiosk.pot into i18n/<lang>.po.

Usage: python3 tools/po-update.py   (after `cmake --build build --target pot`)
Existing translations are kept, ids the code no longer uses are dropped; new ids get an empty msgstr for zh_CN (to be translated) and
the id itself for en_US (English ids are the English text). msgmerge does the merging;
this only fills en_US.
"""
import subprocess, sys, os
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pot = os.path.join(root, "i18n", "kiosk.pot")
for lang in ("zh_CN", "en_US"):
    po = os.path.join(root, "i18n", lang + ".po")
    subprocess.run(["msgmerge", "--quiet", "--update", "--backup=none", "--no-fuzzy-matching",
                    "--no-location", "--sort-output", po, pot], check=True)
    # messages the code no longer has are dropped, not kept as #~ comments
    subprocess.run(["msgattrib", "--no-obsolete", "--no-location", "--sort-output", "-o", po, po],
                   check=True)
    if lang == "en_US":
        subprocess.run(["msgen", "--no-location", "--sort-output", "-o", po, po], check=True)
