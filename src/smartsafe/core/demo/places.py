# ruff: noqa: E501  (text material: one sentence per line reads better than wrapped strings)
"""Population of Serbian cities and municipalities (2022 census, rounded) to weight where contacts come from.

Keys are folded names (``core.text.fold``: Latin, lower case, no diacritics). The demo matches
them against the municipalities in the taxonomy by name or code; municipalities not listed here
count as small (``DEFAULT_POPULATION``). Both the City of Belgrade as one unit and its city
municipalities are listed, so either way of loading municipalities gets realistic weights.
"""

from __future__ import annotations

DEFAULT_POPULATION = 12_000

POPULATION: dict[str, int] = {
    # Cities (whole)
    "beograd": 1_681_000, "novi sad": 368_000, "nis": 250_000, "kragujevac": 172_000, "subotica": 123_000,
    "leskovac": 124_000, "pancevo": 116_000, "cacak": 106_000, "novi pazar": 107_000, "kraljevo": 110_000,
    "smederevo": 97_000, "zrenjanin": 105_000, "krusevac": 112_000, "valjevo": 82_000, "vranje": 76_000,
    "sabac": 105_000, "uzice": 70_000, "sombor": 78_000, "pozarevac": 71_000, "pirot": 49_000, "zajecar": 49_000,
    "kikinda": 52_000, "sremska mitrovica": 73_000, "jagodina": 65_000, "vrsac": 48_000, "bor": 42_000,
    "prokuplje": 38_000, "loznica": 71_000, "smederevska palanka": 45_000, "paracin": 48_000, "ruma": 49_000,
    "indjija": 45_000, "stara pazova": 63_000, "backa palanka": 50_000, "vrbas": 37_000, "becej": 33_000,
    "apatin": 24_000, "kula": 37_000, "temerin": 28_000, "aleksinac": 42_000, "gornji milanovac": 40_000,
    "arandjelovac": 41_000, "cuprija": 27_000, "trstenik": 37_000, "vrnjacka banja": 26_000, "sjenica": 25_000,
    "tutin": 31_000, "prijepolje": 33_000, "priboj": 23_000, "cajetina": 14_000, "ivanjica": 27_000,
    "negotin": 32_000, "knjazevac": 26_000, "svilajnac": 20_000, "obrenovac": 72_000, "lazarevac": 58_000,
    "mladenovac": 53_000, "senta": 20_000, "kanjiza": 22_000, "ada": 14_000, "backa topola": 29_000,
    "novi becej": 21_000, "odzaci": 26_000, "sid": 31_000, "irig": 10_000, "pecinci": 18_000, "kovin": 30_000,
    "bela crkva": 15_000, "alibunar": 17_000, "opovo": 9_000, "kovacica": 22_000, "secanj": 11_000,
    "zitiste": 14_000, "novi knezevac": 10_000, "coka": 9_000, "mali idjos": 10_000, "bac": 12_000,
    "bujanovac": 41_000, "presevo": 3_000, "medvedja": 6_000, "lebane": 19_000, "vladicin han": 18_000,
    "surdulica": 18_000, "bosilegrad": 6_000, "trgoviste": 4_000, "dimitrovgrad": 8_000, "babusnica": 10_000,
    "bela palanka": 10_000, "svrljig": 11_000, "doljevac": 15_000, "merosina": 12_000, "raska": 21_000,
    "kursumlija": 16_000, "blace": 10_000, "brus": 13_000, "aleksandrovac": 22_000, "varvarin": 15_000,
    "cicevac": 8_000, "krupanj": 14_000, "ljubovija": 12_000, "mali zvornik": 11_000, "bogatic": 25_000,
    "vladimirci": 14_000, "koceljeva": 11_000, "ub": 26_000, "lajkovac": 14_000, "mionica": 12_000, "ljig": 10_000,
    "osecina": 10_000, "kosjeric": 10_000, "pozega": 26_000, "arilje": 17_000, "lucani": 17_000, "bajina basta": 23_000,
    "nova varos": 14_000, "topola": 20_000, "raca": 10_000, "batocina": 10_000, "knic": 12_000, "lapovo": 7_000,
    "despotovac": 18_000, "rekovac": 9_000, "velika plana": 35_000, "zabari": 9_000, "petrovac na mlavi": 25_000,
    "kucevo": 12_000, "golubac": 7_000, "veliko gradiste": 15_000, "majdanpek": 15_000, "kladovo": 17_000,
    "boljevac": 10_000, "sokobanja": 14_000, "zagubica": 10_000, "malo crnice": 9_000, "zitoradja": 14_000,
    "gadzin han": 6_000, "crna trava": 1_000, "vlasotince": 27_000, "bojnik": 9_000,
    # City municipalities of Belgrade
    "novi beograd": 210_000, "cukarica": 175_000, "palilula": 182_000, "zvezdara": 172_000, "zemun": 177_000,
    "vozdovac": 174_000, "rakovica": 108_000, "savski venac": 37_000, "stari grad": 44_000, "vracar": 55_000,
    "grocka": 82_000, "surcin": 45_000, "barajevo": 26_000, "sopot": 19_000,
    # City municipalities of Niš and Novi Sad's Petrovaradin
    "medijana": 82_000, "pantelej": 55_000, "crveni krst": 33_000, "niska banja": 14_000, "petrovaradin": 34_000,
    "kostolac": 13_000, "pozarevac - kostolac": 13_000, "vranjska banja": 9_000, "sevojno": 9_000,
}
