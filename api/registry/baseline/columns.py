"""The baseline file's columns: canonical names, the register's legacy names, value codes.

A baseline file has one row per member; the household's columns are repeated on each of
its members' rows (that is how SIKS-NG and the old BDT export families). The canonical
column names are the dtks_verval form's field names (``floor_material``) and the
pre-fill keys of its member records (``nik``, ``name``, ``sex``); the register's legacy
names (``nokk``, ``lantai``, ``bb_masak``…) are accepted too, and their BDT 2015 codes
are translated to the form's Regsosek 2022 codes. ``docs/baseline-import.md`` is the
human-readable version of this module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from survey_forms.loader import CompiledField, get_form

FORM_ID, FORM_VERSION = "dtks_verval", 1

# --- columns that are not form answers ------------------------------------------------

HOUSEHOLD_KEYS = ("no_kk", "region_code", "address", "rt", "rw", "latitude", "longitude", "decile")
MEMBER_KEYS = ("nik", "name", "sex", "birth_date", "relationship", "marital_status", "position")
REQUIRED = ("no_kk", "region_code", "nik", "name", "relationship")

# canonical key ← accepted header names (after normalisation), canonical name first
ALIASES: dict[str, tuple[str, ...]] = {
    "no_kk": ("no_kk", "nokk", "nomor_kk", "kk", "no_kartu_keluarga"),
    "region_code": ("region_code", "kode_wilayah", "kode_desa", "kd_wilayah", "kode_kemendagri"),
    "address": ("address", "alamat"),
    "rt": ("rt", "no_rt"),
    "rw": ("rw", "no_rw"),
    "latitude": ("latitude", "lat", "lintang"),
    "longitude": ("longitude", "lon", "lng", "long", "bujur"),
    "decile": ("decile", "desil", "desil_nasional"),
    "nik": ("nik", "no_nik"),
    "name": ("name", "nama", "nama_art", "nama_lengkap", "full_name"),
    "sex": ("sex", "jenis_kelamin", "jnskel", "jk"),
    "birth_date": ("birth_date", "tanggal_lahir", "tgl_lahir"),
    "relationship": ("relationship", "hubungan_keluarga", "hub_keluarga", "shdk", "hubungan"),
    "marital_status": ("marital_status", "status_kawin", "sta_kawin", "status_perkawinan"),
    "position": ("position", "no_urut", "no_art", "urutan"),
}


# --- legacy BDT 2015 columns and their codes → form field and Regsosek 2022 codes ---------


@dataclass(frozen=True)
class Legacy:
    field: str
    codes: Mapping[str, str | None] | None = None  # None: same codes; a None value: drop

    def translate(self, value: str) -> str | None:
        if self.codes is None:
            return value
        return self.codes.get(value, value)


_YES_NO = {"1": "1", "2": "2", "0": "2", "ya": "1", "y": "1", "tidak": "2", "t": "2"}
_HAS = {"0": "2"}  # BDT jenis_cacat / penyakit_kronis: 0 none, any other code some kind

LEGACY: dict[str, Legacy] = {
    # status penguasaan bangunan: 1 milik sendiri 2 kontrak/sewa 3 bebas sewa 4 dinas 5 lainnya
    "sta_bangunan": Legacy("house_ownership"),
    "luas_lantai": Legacy("floor_area"),
    # BDT lantai: 1 marmer/granit 2 keramik 3 parket/vinil/permadani 4 ubin/tegel/teraso
    # 5 kayu/papan kualitas tinggi 6 sementara/bata merah 7 bambu
    # 8 kayu/papan kualitas rendah 9 tanah 10 lainnya
    "lantai": Legacy(
        "floor_material",
        {
            "1": "1",
            "2": "2",
            "3": "3",
            "4": "4",
            "5": "5",
            "6": "6",
            "7": "7",
            "8": "5",
            "9": "8",
            "10": "9",
        },
    ),
    # BDT dinding: 1 tembok 2 plesteran anyaman bambu/kawat 3 kayu 4 anyaman bambu
    # 5 batang kayu 6 bambu 7 lainnya (the same codes as Regsosek 304)
    "dinding": Legacy("wall_material"),
    # BDT atap: 1 beton/genteng beton 2 genteng keramik 3 genteng metal
    # 4 genteng tanah liat 5 asbes 6 seng 7 sirap 8 bambu
    # 9 jerami/ijuk/daun-daunan/rumbia 10 lainnya
    "atap": Legacy(
        "roof_material",
        {
            "1": "1",
            "2": "2",
            "3": "2",
            "4": "2",
            "5": "4",
            "6": "3",
            "7": "6",
            "8": "5",
            "9": "7",
            "10": "8",
        },
    ),
    # BDT sumber_airminum: 1 kemasan bermerk 2 isi ulang 3 leding meteran 4 leding eceran
    # 5 sumur bor/pompa 6 sumur terlindung 7 sumur tak terlindung 8 mata air terlindung
    # 9 mata air tak terlindung 10 sungai/danau/waduk 11 air hujan 12 lainnya
    "sumber_airminum": Legacy(
        "drinking_water",
        {
            "1": "1",
            "2": "2",
            "3": "3",
            "4": "3",
            "5": "4",
            "6": "5",
            "7": "6",
            "8": "7",
            "9": "8",
            "10": "9",
            "11": "10",
            "12": "11",
        },
    ),
    # BDT sumber_penerangan: 1 listrik PLN 2 listrik non-PLN 3 bukan listrik
    "sumber_penerangan": Legacy("lighting", {"1": "1", "2": "3", "3": "4"}),
    # BDT daya: 1 450 W 2 900 W 3 1.300 W 4 2.200 W 5 > 2.200 W 6 tanpa meteran
    "daya": Legacy("electricity_power", {"6": None}),
    # BDT bb_masak: 1 listrik 2 gas > 3 kg 3 gas 3 kg 4 gas kota/biogas 5 minyak tanah
    # 6 briket 7 arang 8 kayu bakar 9 tidak memasak di rumah
    "bb_masak": Legacy(
        "cooking_fuel",
        {"1": "1", "2": "3", "3": "4", "4": "5", "5": "7", "6": "8", "7": "9", "8": "10", "9": "0"},
    ),
    # BDT fasbab: 1 sendiri 2 bersama 3 umum 4 tidak ada
    "fasbab": Legacy("toilet_facility", {"1": "1", "2": "2", "3": "4", "4": "6"}),
    # BDT kloset: 1 leher angsa 2 plengsengan 3 cemplung/cubluk 4 tidak pakai
    "kloset": Legacy("toilet_type", {"1": "1", "2": "2", "3": "4", "4": None}),
    # BDT buang_tinja: 1 tangki 2 SPAL 3 lubang tanah 4 kolam/sawah/sungai/danau/laut
    # 5 pantai/tanah lapang/kebun 6 lainnya
    "buang_tinja": Legacy(
        "sewage_disposal", {"1": "1", "2": "2", "3": "4", "4": "3", "5": "5", "6": "6"}
    ),
    # assets (BDT: 1 ya 2 tidak; some exports 0 for tidak)
    "ada_tabung_gas": Legacy("asset_gas_cylinder", _YES_NO),
    "ada_lemari_es": Legacy("asset_refrigerator", _YES_NO),
    "ada_ac": Legacy("asset_air_conditioner", _YES_NO),
    "ada_pemanas": Legacy("asset_water_heater", _YES_NO),
    "ada_tv": Legacy("asset_television", _YES_NO),
    "ada_emas": Legacy("asset_gold", _YES_NO),
    "ada_laptop": Legacy("asset_computer", _YES_NO),
    "ada_motor": Legacy("asset_motorcycle", _YES_NO),
    "ada_mobil": Legacy("asset_car", _YES_NO),
    "ada_perahu_motor": Legacy("asset_boat", _YES_NO),
    "jml_sapi": Legacy("livestock_cattle"),
    "jml_kerbau": Legacy("livestock_buffalo"),
    "jml_kuda": Legacy("livestock_horse"),
    "jml_babi": Legacy("livestock_pig"),
    "jml_kambing": Legacy("livestock_goat"),
    # members
    "jenis_cacat": Legacy("disability", _HAS),
    "penyakit_kronis": Legacy("chronic_illness", _HAS),
    "sta_bekerja": Legacy("working", _YES_NO),
}
# Legacy "some kind" codes (1…n) mean yes; see Legacy.translate for the unlisted codes.
_HAS_ANY = {"jenis_cacat", "penyakit_kronis"}

INTEGER_BOUNDS: dict[str, tuple[int, int]] = {"floor_area": (1, 2000)}
DEFAULT_INTEGER_BOUNDS = (0, 1000)


@dataclass(frozen=True)
class AnswerField:
    key: str  # the pre-fill key: baseline.<key> or member.<key>
    type: str
    codes: frozenset[str] | None


@dataclass(frozen=True)
class Columns:
    """Which header position feeds which canonical key, for one file."""

    positions: dict[str, int]  # canonical key → column index
    # form field → (column index, legacy column name or None)
    household_answers: dict[str, tuple[int, str | None]]
    member_answers: dict[str, tuple[int, str | None]]
    ignored: tuple[str, ...]  # header names that mean nothing here
    missing: tuple[str, ...]  # required canonical keys without a column


@cache
def answer_fields() -> tuple[dict[str, AnswerField], dict[str, AnswerField]]:
    """The form's pre-fill keys: (baseline.<key> fields, member.<key> fields)."""
    form = get_form(FORM_ID, FORM_VERSION)
    household: dict[str, AnswerField] = {}
    member: dict[str, AnswerField] = {}
    compiled: CompiledField
    for compiled in form.fields.values():
        prefill = compiled.field.prefill
        if not prefill or compiled.type == "repeat":
            continue
        scope, key = prefill.split(".", 1)
        target = household if scope == "baseline" else member
        target[key] = AnswerField(key, compiled.type, compiled.choice_codes)
    for key in MEMBER_KEYS:  # stored in their own columns
        member.pop(key, None)
    return household, member


def normalise_header(name: object) -> str:
    text = str(name or "").strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def map_columns(headers: list[str]) -> Columns:
    normalised = [normalise_header(h) for h in headers]
    index_of: dict[str, int] = {}
    for i, name in enumerate(normalised):
        index_of.setdefault(name, i)
    household_fields, member_fields = answer_fields()
    positions: dict[str, int] = {}
    used: set[int] = set()
    for key, names in ALIASES.items():
        for name in names:  # canonical first, then the legacy names
            if name in index_of:
                positions[key] = index_of[name]
                used.add(index_of[name])
                break
    household_answers: dict[str, tuple[int, str | None]] = {}
    member_answers: dict[str, tuple[int, str | None]] = {}
    for key in [*household_fields, *member_fields]:
        target = household_answers if key in household_fields else member_answers
        if key in index_of:
            target[key] = (index_of[key], None)
            used.add(index_of[key])
    for name, legacy in LEGACY.items():
        if name in index_of:
            target = household_answers if legacy.field in household_fields else member_answers
            if legacy.field not in target:  # a canonical column wins over a legacy one
                target[legacy.field] = (index_of[name], name)
                used.add(index_of[name])
    ignored = tuple(headers[i] for i in range(len(headers)) if i not in used and headers[i])
    missing = tuple(key for key in REQUIRED if key not in positions)
    return Columns(positions, household_answers, member_answers, ignored, missing)


# --- value parsing ------------------------------------------------------------------------


def text_of(value: object) -> str:
    """A cell as text: Excel numbers without '.0', dates as ISO, None as ''."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


_DECIMAL_ZERO = re.compile(r"\d+\.0+")


def code_of(value: object) -> str:
    """A code cell: '01' → '1', '3.0' → '3', ' Ya ' → 'ya'."""
    text = text_of(value).lower()
    if text.isdigit():
        return text if text[0] != "0" or len(text) == 1 else str(int(text))
    if _DECIMAL_ZERO.fullmatch(text):
        return str(int(float(text)))
    return text


_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y")


def parse_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = text_of(value)
    if not text:
        return None
    text = text.split(" ")[0].split("T")[0]
    if len(text) == 10 and text[4] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


SEX_CODES = {
    "1": "1", "l": "1", "lk": "1", "laki_laki": "1", "laki-laki": "1", "pria": "1", "m": "1",
    "2": "2", "p": "2", "pr": "2", "perempuan": "2", "wanita": "2", "f": "2",
}  # fmt: skip


def answer_value(
    raw: object, field: AnswerField, legacy_name: str | None = None
) -> tuple[str | int | list[str] | None, bool]:
    """(value for the form, valid?). An empty cell is (None, True)."""
    if raw is None or text_of(raw) == "":
        return None, True
    if field.type == "integer":
        code = code_of(raw)
        if not code.isdigit():
            return None, False
        number = int(code)
        low, high = INTEGER_BOUNDS.get(field.key, DEFAULT_INTEGER_BOUNDS)
        return (number, True) if low <= number <= high else (None, False)
    if field.type == "select_multiple":
        parts = [code_of(p) for p in re.split(r"[\s,;]+", text_of(raw)) if p]
        ok = field.codes is not None and all(p in field.codes for p in parts)
        return (sorted(set(parts), key=lambda c: (len(c), c)), True) if ok else (None, False)
    code = code_of(raw)
    legacy = LEGACY[legacy_name] if legacy_name else None
    if legacy is not None:
        if legacy_name in _HAS_ANY and code.isdigit() and code != "0":
            code = "1"
        translated = legacy.translate(code)
        if translated is None:
            return None, True  # a legacy code with no counterpart (e.g. daya 6): left blank
        code = translated
    if field.codes is not None and code not in field.codes:
        return None, False
    return code, True
