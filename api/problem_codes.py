"""One catalogue of the problem codes the API answers with: status and words in Indonesian
and English for each. Published in the OpenAPI (``Problem.code`` is this enumeration), so the
PWA's generated ``schema.d.ts`` types it; tests/api/test_problem_codes.py checks that every
code raised in the source is here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class ProblemWords:
    status: int
    id: str
    en: str


class ProblemCode(StrEnum):
    # Requests the API cannot read
    INVALID_REQUEST = "invalid_request"
    JSON_TOO_DEEP = "json_too_deep"
    NUL_CHARACTER = "nul_character"
    VALUE_OUT_OF_RANGE = "value_out_of_range"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_FOUND = "not_found"
    VALIDATION_FAILED = "validation_failed"
    BAD_REQUEST = "bad_request"
    INVALID_CURSOR = "invalid_cursor"
    # Signing in
    NOT_AUTHENTICATED = "not_authenticated"
    INVALID_CREDENTIALS = "invalid_credentials"
    INVALID_REFRESH_TOKEN = "invalid_refresh_token"
    REFRESH_TOKEN_REUSED = "refresh_token_reused"
    SESSION_ENDED = "session_ended"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    TOO_MANY_REQUESTS = "too_many_requests"
    WRONG_PASSWORD = "wrong_password"
    WEAK_PASSWORD = "weak_password"
    USERNAME_TAKEN = "username_taken"
    NOT_ENUMERATOR = "not_enumerator"
    # Permissions and regions
    FORBIDDEN = "forbidden"
    ROLE_FORBIDDEN = "role_forbidden"
    IDENTITY_FORBIDDEN = "identity_forbidden"
    SCOPE_REQUIRED = "scope_required"
    BAD_SIGNATURE = "bad_signature"
    BAD_REGION = "bad_region"
    REGION_NOT_FOUND = "region_not_found"
    REGION_UNKNOWN = "region_unknown"
    REGION_OUTSIDE_SCOPE = "region_outside_scope"
    VILLAGE_NOT_FOUND = "village_not_found"
    HOUSEHOLD_NOT_FOUND = "household_not_found"
    # Forms
    FORM_NOT_FOUND = "form_not_found"
    FORM_VERSION_IMMUTABLE = "form_version_immutable"
    INVALID_FORM_DEFINITION = "invalid_form_definition"
    UNKNOWN_FORM_VERSION = "unknown_form_version"
    # Rounds and assignments
    ROUND_NOT_FOUND = "round_not_found"
    ROUND_DATES = "round_dates"
    ROUND_STATE = "round_state"
    ROUND_FORM_INVALID = "round_form_invalid"
    ROUND_OUTSIDE_SCOPE = "round_outside_scope"
    ROUND_OUTSIDE_REGION = "round_outside_region"
    ROUND_NOT_OPEN = "round_not_open"
    ROUND_CLOSED = "round_closed"
    INVALID_LEVEL = "invalid_level"
    ASSIGNMENT_NOT_FOUND = "assignment_not_found"
    ASSIGNMENT_LOCKED = "assignment_locked"
    ASSIGNMENT_CLOSED = "assignment_closed"
    ENUMERATOR_NOT_FOUND = "enumerator_not_found"
    ENUMERATOR_INACTIVE = "enumerator_inactive"
    OUTSIDE_ENUMERATOR_SCOPE = "outside_enumerator_scope"
    SELECTION_TOO_LARGE = "selection_too_large"
    # Visits and photos
    NOT_ASSIGNED = "not_assigned"
    INVALID_VISIT = "invalid_visit"
    INVALID_VISIT_TARGET = "invalid_visit_target"
    INVALID_PROPOSAL = "invalid_proposal"
    INVALID_REVISIT = "invalid_revisit"
    WRONG_FORM_VERSION = "wrong_form_version"
    VISIT_CONFLICT = "visit_conflict"
    VISIT_ID_TAKEN = "visit_id_taken"
    VISIT_NOT_FOUND = "visit_not_found"
    PHOTO_ID_TAKEN = "photo_id_taken"
    PHOTO_NOT_DECLARED = "photo_not_declared"
    PHOTO_SIZE_MISMATCH = "photo_size_mismatch"
    PHOTO_HASH_MISMATCH = "photo_hash_mismatch"
    # Review
    COMMENT_REQUIRED = "comment_required"
    INVALID_TRANSITION = "invalid_transition"
    STATE_CHANGED = "state_changed"
    NOT_A_PROPOSAL = "not_a_proposal"
    PROPOSAL_IN_REGISTER = "proposal_in_register"
    # The server
    CONFLICT = "conflict"
    INTERNAL_ERROR = "internal_error"
    SERVICE_UNAVAILABLE = "service_unavailable"
    DATABASE_UNAVAILABLE = "database_unavailable"
    OBJECT_STORE_UNAVAILABLE = "object_store_unavailable"
    # Civil registry, village process, photo repeats (issues 14, 15, 18)
    CREDENTIAL_NOT_FOUND = "credential_not_found"
    IMPORT_NOT_FOUND = "import_not_found"
    ROLE_NOT_A_USER = "role_not_a_user"
    VILLAGE_SCOPE_REQUIRED = "village_scope_required"
    PROPOSAL_NIK_REPEATED = "proposal_nik_repeated"
    ANSWERS_REQUIRED = "answers_required"
    PROPOSAL_NOT_FOUND = "proposal_not_found"
    REMOVAL_INCOMPLETE = "removal_incomplete"
    EVIDENCE_ID_TAKEN = "evidence_id_taken"
    PHOTO_EMPTY = "photo_empty"
    PHOTO_ALREADY_STORED = "photo_already_stored"
    DELIBERATION_NOT_FOUND = "deliberation_not_found"
    DELIBERATION_EXISTS = "deliberation_exists"
    DELIBERATION_FINAL = "deliberation_final"
    DELIBERATION_NOT_FINAL = "deliberation_not_final"
    DELIBERATION_UNDECIDED = "deliberation_undecided"
    AGENDA_ITEM_NOT_FOUND = "agenda_item_not_found"
    DECISION_REASON_REQUIRED = "decision_reason_required"
    AMENDMENT_REASON_REQUIRED = "amendment_reason_required"
    REVIEW_NOT_FOUND = "review_not_found"
    REVIEW_EXISTS = "review_exists"
    REVIEW_RATIFIED = "review_ratified"
    REVIEW_NOT_RATIFIED = "review_not_ratified"
    REVIEW_WINDOW_OPEN = "review_window_open"
    OBJECTIONS_OPEN = "objections_open"
    ENTRY_NOT_FOUND = "entry_not_found"
    OBJECTION_NOT_FOUND = "objection_not_found"
    OBJECTION_RESOLVED = "objection_resolved"
    RESOLUTION_REASON_REQUIRED = "resolution_reason_required"
    ENUMERATOR_REQUIRED = "enumerator_required"
    OBJECTION_LIMIT = "objection_limit"
    OBJECTION_LIMIT_CLIENT = "objection_limit_client"
    OBJECTION_LIMIT_VILLAGE = "objection_limit_village"


_ = ProblemWords
CATALOGUE: dict[ProblemCode, ProblemWords] = {
    ProblemCode.INVALID_REQUEST: _(400, "Permintaan tidak sah.", "The request is not valid."),
    ProblemCode.JSON_TOO_DEEP: _(
        400, "Isian JSON bersarang terlalu dalam.", "The JSON is nested too deep."
    ),
    ProblemCode.NUL_CHARACTER: _(422, "Teks berisi karakter NUL.", "A text holds a NUL character."),
    ProblemCode.VALUE_OUT_OF_RANGE: _(400, "Angka di luar batas.", "A number is out of range."),
    ProblemCode.PAYLOAD_TOO_LARGE: _(413, "Kiriman terlalu besar.", "The upload is too large."),
    ProblemCode.UNSUPPORTED_MEDIA_TYPE: _(
        415, "Jenis isi tidak didukung.", "That content type is not accepted."
    ),
    ProblemCode.METHOD_NOT_ALLOWED: _(405, "Metode tidak diizinkan.", "Method not allowed."),
    ProblemCode.NOT_FOUND: _(404, "Tidak ditemukan.", "Not found."),
    ProblemCode.VALIDATION_FAILED: _(
        422, "Isian tidak memenuhi aturan.", "The content breaks a rule."
    ),
    ProblemCode.BAD_REQUEST: _(400, "Permintaan tidak sah.", "Bad request."),
    ProblemCode.INVALID_CURSOR: _(400, "Penanda halaman tidak sah.", "The cursor is not valid."),
    ProblemCode.NOT_AUTHENTICATED: _(401, "Silakan masuk terlebih dahulu.", "Sign in first."),
    ProblemCode.INVALID_CREDENTIALS: _(
        401, "Nama pengguna atau kata sandi salah.", "Username or password is wrong."
    ),
    ProblemCode.INVALID_REFRESH_TOKEN: _(
        401, "Sesi tidak sah; masuk lagi.", "The session is not valid; sign in again."
    ),
    ProblemCode.REFRESH_TOKEN_REUSED: _(
        401, "Sesi dipakai dua kali dan diakhiri.", "The session was reused and has been ended."
    ),
    ProblemCode.SESSION_ENDED: _(401, "Sesi sudah berakhir.", "The session has ended."),
    ProblemCode.TOO_MANY_ATTEMPTS: _(
        429, "Terlalu banyak percobaan; tunggu sebentar.", "Too many attempts; wait a while."
    ),
    ProblemCode.TOO_MANY_REQUESTS: _(429, "Terlalu banyak permintaan.", "Too many requests."),
    ProblemCode.WRONG_PASSWORD: _(403, "Kata sandi lama salah.", "The current password is wrong."),
    ProblemCode.WEAK_PASSWORD: _(422, "Kata sandi terlalu lemah.", "The password is too weak."),
    ProblemCode.USERNAME_TAKEN: _(409, "Nama pengguna sudah dipakai.", "That username is taken."),
    ProblemCode.NOT_ENUMERATOR: _(
        422, "Pengguna ini bukan pencacah.", "That user is not an enumerator."
    ),
    ProblemCode.FORBIDDEN: _(403, "Tidak diizinkan.", "Not allowed."),
    ProblemCode.ROLE_FORBIDDEN: _(
        403, "Peran Anda tidak mengizinkan ini.", "Your role does not allow this."
    ),
    ProblemCode.IDENTITY_FORBIDDEN: _(
        403,
        "Nomor identitas lengkap tidak untuk peran Anda.",
        "Full identity numbers are not for your role.",
    ),
    ProblemCode.SCOPE_REQUIRED: _(
        422, "Sebutkan wilayah atau rumah tangga.", "Name a region or a household."
    ),
    ProblemCode.BAD_SIGNATURE: _(
        403, "Tautan tidak sah atau kedaluwarsa.", "The link is invalid or has expired."
    ),
    ProblemCode.BAD_REGION: _(422, "Kode wilayah tidak sah.", "The region code is not valid."),
    ProblemCode.REGION_NOT_FOUND: _(404, "Wilayah tidak ditemukan.", "Region not found."),
    ProblemCode.REGION_UNKNOWN: _(422, "Wilayah tidak dikenal.", "Unknown region."),
    ProblemCode.REGION_OUTSIDE_SCOPE: _(
        403, "Wilayah di luar cakupan Anda.", "The region is outside your scope."
    ),
    ProblemCode.VILLAGE_NOT_FOUND: _(404, "Desa tidak ditemukan.", "Village not found."),
    ProblemCode.HOUSEHOLD_NOT_FOUND: _(
        404, "Rumah tangga tidak ditemukan.", "Household not found."
    ),
    ProblemCode.FORM_NOT_FOUND: _(404, "Formulir tidak ditemukan.", "Form not found."),
    ProblemCode.FORM_VERSION_IMMUTABLE: _(
        409,
        "Versi formulir yang terbit tidak dapat diubah.",
        "A published form version cannot change.",
    ),
    ProblemCode.INVALID_FORM_DEFINITION: _(
        422, "Definisi formulir tidak sah.", "The form definition is not valid."
    ),
    ProblemCode.UNKNOWN_FORM_VERSION: _(
        422, "Versi formulir tidak dikenal.", "Unknown form version."
    ),
    ProblemCode.ROUND_NOT_FOUND: _(404, "Putaran tidak ditemukan.", "Round not found."),
    ProblemCode.ROUND_DATES: _(
        422, "Tanggal putaran tidak sah.", "The round's dates are not valid."
    ),
    ProblemCode.ROUND_STATE: _(
        409, "Status putaran tidak mengizinkan ini.", "The round's state does not allow this."
    ),
    ProblemCode.ROUND_FORM_INVALID: _(
        422, "Formulir putaran tidak sah.", "The round's form is not valid."
    ),
    ProblemCode.ROUND_OUTSIDE_SCOPE: _(
        403, "Putaran di luar cakupan Anda.", "The round is outside your scope."
    ),
    ProblemCode.ROUND_OUTSIDE_REGION: _(
        422, "Wilayah di luar putaran.", "The region is outside the round."
    ),
    ProblemCode.ROUND_NOT_OPEN: _(409, "Putaran tidak sedang dibuka.", "The round is not open."),
    ProblemCode.ROUND_CLOSED: _(409, "Putaran sudah ditutup.", "The round is closed."),
    ProblemCode.INVALID_LEVEL: _(
        422, "Tingkat wilayah tidak sah.", "The region level is not valid."
    ),
    ProblemCode.ASSIGNMENT_NOT_FOUND: _(404, "Penugasan tidak ditemukan.", "Assignment not found."),
    ProblemCode.ASSIGNMENT_LOCKED: _(
        409, "Penugasan sudah dikunjungi.", "The assignment was already visited."
    ),
    ProblemCode.ASSIGNMENT_CLOSED: _(409, "Penugasan sudah ditutup.", "The assignment is closed."),
    ProblemCode.ENUMERATOR_NOT_FOUND: _(404, "Pencacah tidak ditemukan.", "Enumerator not found."),
    ProblemCode.ENUMERATOR_INACTIVE: _(422, "Pencacah tidak aktif.", "The enumerator is inactive."),
    ProblemCode.OUTSIDE_ENUMERATOR_SCOPE: _(
        422, "Di luar wilayah pencacah.", "Outside the enumerator's regions."
    ),
    ProblemCode.SELECTION_TOO_LARGE: _(
        422, "Pilihan terlalu banyak.", "The selection is too large."
    ),
    ProblemCode.NOT_ASSIGNED: _(
        404,
        "Rumah tangga ini tidak ditugaskan kepada Anda.",
        "That household is not assigned to you.",
    ),
    ProblemCode.INVALID_VISIT: _(
        422, "Kunjungan tidak lengkap atau tidak sah.", "The visit is incomplete or not valid."
    ),
    ProblemCode.INVALID_VISIT_TARGET: _(
        422, "Sasaran kunjungan tidak sah.", "The visit's target is not valid."
    ),
    ProblemCode.INVALID_PROPOSAL: _(422, "Usulan tidak sah.", "The proposal is not valid."),
    ProblemCode.INVALID_REVISIT: _(422, "Kunjungan ulang tidak sah.", "The revisit is not valid."),
    ProblemCode.WRONG_FORM_VERSION: _(
        409, "Versi formulir bukan versi putaran.", "Not the round's form version."
    ),
    ProblemCode.VISIT_CONFLICT: _(
        409,
        "Kunjungan lain sudah tersimpan dengan id ini.",
        "Another visit is stored under this id.",
    ),
    ProblemCode.VISIT_ID_TAKEN: _(409, "Id kunjungan sudah dipakai.", "That visit id is taken."),
    ProblemCode.VISIT_NOT_FOUND: _(404, "Kunjungan tidak ditemukan.", "Visit not found."),
    ProblemCode.PHOTO_ID_TAKEN: _(409, "Id foto sudah dipakai.", "That photo id is taken."),
    ProblemCode.PHOTO_NOT_DECLARED: _(
        404, "Foto tidak tercantum di kunjungan.", "The photo is not declared in the visit."
    ),
    ProblemCode.PHOTO_SIZE_MISMATCH: _(
        422, "Ukuran foto tidak sesuai.", "The photo's size does not match."
    ),
    ProblemCode.PHOTO_HASH_MISMATCH: _(
        422, "Sidik foto tidak sesuai.", "The photo's hash does not match."
    ),
    ProblemCode.COMMENT_REQUIRED: _(
        422, "Pengembalian perlu komentar.", "A return needs a comment."
    ),
    ProblemCode.INVALID_TRANSITION: _(
        409,
        "Keputusan tidak berlaku untuk status ini.",
        "That decision does not apply to this state.",
    ),
    ProblemCode.STATE_CHANGED: _(
        409, "Status sudah berubah; muat ulang.", "The state has changed; reload."
    ),
    ProblemCode.NOT_A_PROPOSAL: _(
        409, "Bukan usulan rumah tangga baru.", "Not a new-household proposal."
    ),
    ProblemCode.PROPOSAL_IN_REGISTER: _(
        409,
        "Rumah tangga usulan sudah ada di data.",
        "The proposed household is already in the register.",
    ),
    ProblemCode.CONFLICT: _(
        409, "Bertentangan dengan data yang ada.", "Conflicts with what is stored."
    ),
    ProblemCode.INTERNAL_ERROR: _(
        500, "Terjadi kesalahan di server.", "Something went wrong on the server."
    ),
    ProblemCode.SERVICE_UNAVAILABLE: _(
        503, "Layanan sedang tidak tersedia.", "The service is unavailable."
    ),
    ProblemCode.DATABASE_UNAVAILABLE: _(
        503,
        "Basis data tidak terjangkau; coba lagi nanti.",
        "The database is not reachable; try later.",
    ),
    ProblemCode.OBJECT_STORE_UNAVAILABLE: _(
        503,
        "Penyimpanan bukti tidak terjangkau; coba lagi nanti.",
        "The evidence store is not reachable; try later.",
    ),
    ProblemCode.CREDENTIAL_NOT_FOUND: _(
        404,
        "Kunci API tidak ditemukan.",
        "No such API key.",
    ),
    ProblemCode.IMPORT_NOT_FOUND: _(
        404,
        "Impor data Dukcapil tidak ditemukan.",
        "No such civil-registry import.",
    ),
    ProblemCode.ROLE_NOT_A_USER: _(
        422,
        "Peran ini bukan akun pengguna (memakai kunci API).",
        "This role is not a user account (it uses an API key).",
    ),
    ProblemCode.VILLAGE_SCOPE_REQUIRED: _(
        422,
        "Operator desa harus diberi wilayah desa/kelurahan.",
        "A village operator's scopes must be villages.",
    ),
    ProblemCode.PROPOSAL_NIK_REPEATED: _(
        409,
        "Satu NIK tercatat dua kali dalam usulan ini.",
        "One NIK appears twice in this proposal.",
    ),
    ProblemCode.ANSWERS_REQUIRED: _(
        422,
        "Jawaban usulan belum diisi.",
        "The proposal's answers are missing.",
    ),
    ProblemCode.PROPOSAL_NOT_FOUND: _(
        404,
        "Usulan tidak ditemukan.",
        "No such proposal.",
    ),
    ProblemCode.REMOVAL_INCOMPLETE: _(
        422,
        "Usulan penghapusan perlu rumah tangga dan alasannya.",
        "A removal needs its household and reason.",
    ),
    ProblemCode.EVIDENCE_ID_TAKEN: _(
        409,
        "Id bukti ini sudah dipakai.",
        "This evidence id is already used.",
    ),
    ProblemCode.PHOTO_EMPTY: _(
        422,
        "Foto kosong.",
        "The photo is empty.",
    ),
    ProblemCode.PHOTO_ALREADY_STORED: _(
        409,
        "Foto ini sudah tersimpan dengan isi lain.",
        "This photo is already stored with other bytes.",
    ),
    ProblemCode.DELIBERATION_NOT_FOUND: _(
        404,
        "Musyawarah tidak ditemukan.",
        "No such deliberation.",
    ),
    ProblemCode.DELIBERATION_EXISTS: _(
        409,
        "Musyawarah desa ini untuk putaran ini sudah dicatat.",
        "This village's deliberation for the round is already recorded.",
    ),
    ProblemCode.DELIBERATION_FINAL: _(
        409,
        "Berita acara sudah ditandatangani: keputusan final.",
        "The signed minutes are attached: the decisions are final.",
    ),
    ProblemCode.DELIBERATION_NOT_FINAL: _(
        409,
        "Berita acara musyawarah belum ditandatangani.",
        "The deliberation's minutes are not signed yet.",
    ),
    ProblemCode.DELIBERATION_UNDECIDED: _(
        409,
        "Masih ada agenda tanpa keputusan.",
        "Some agenda items have no decision yet.",
    ),
    ProblemCode.AGENDA_ITEM_NOT_FOUND: _(
        404,
        "Agenda tidak ditemukan.",
        "No such agenda item.",
    ),
    ProblemCode.DECISION_REASON_REQUIRED: _(
        422,
        "Keputusan ini perlu alasan.",
        "This decision needs its reason.",
    ),
    ProblemCode.AMENDMENT_REASON_REQUIRED: _(
        422,
        "Perubahan keputusan perlu alasan.",
        "Changing a decision needs its reason.",
    ),
    ProblemCode.REVIEW_NOT_FOUND: _(
        404,
        "Uji publik tidak ditemukan.",
        "No such public review.",
    ),
    ProblemCode.REVIEW_EXISTS: _(
        409,
        "Desa ini sudah diumumkan untuk uji publik.",
        "This village is already published for public review.",
    ),
    ProblemCode.REVIEW_RATIFIED: _(
        409,
        "Hasil uji publik sudah disahkan.",
        "The public review is already ratified.",
    ),
    ProblemCode.REVIEW_NOT_RATIFIED: _(
        409,
        "Hasil uji publik belum disahkan.",
        "The public review is not ratified yet.",
    ),
    ProblemCode.REVIEW_WINDOW_OPEN: _(
        409,
        "Masa uji publik belum berakhir.",
        "The public review window is still open.",
    ),
    ProblemCode.OBJECTIONS_OPEN: _(
        409,
        "Masih ada sanggahan yang belum diselesaikan.",
        "Some objections are still open.",
    ),
    ProblemCode.ENTRY_NOT_FOUND: _(
        404,
        "Entri tidak ditemukan dalam daftar.",
        "No such entry in the list.",
    ),
    ProblemCode.OBJECTION_NOT_FOUND: _(
        404,
        "Sanggahan tidak ditemukan.",
        "No such objection.",
    ),
    ProblemCode.OBJECTION_RESOLVED: _(
        409,
        "Sanggahan ini sudah diselesaikan.",
        "This objection is already resolved.",
    ),
    ProblemCode.RESOLUTION_REASON_REQUIRED: _(
        422,
        "Penolakan sanggahan perlu alasan.",
        "Rejecting an objection needs its reason.",
    ),
    ProblemCode.ENUMERATOR_REQUIRED: _(
        422,
        "Pilih pencacah untuk kunjungan ulang.",
        "Choose the enumerator for the revisit.",
    ),
    ProblemCode.OBJECTION_LIMIT: _(
        429,
        "Terlalu banyak sanggahan; coba lagi besok.",
        "Too many objections; try again tomorrow.",
    ),
    ProblemCode.OBJECTION_LIMIT_CLIENT: _(
        429,
        "Terlalu banyak sanggahan dari alamat ini hari ini.",
        "Too many objections from this address today.",
    ),
    ProblemCode.OBJECTION_LIMIT_VILLAGE: _(
        429,
        "Batas sanggahan desa ini hari ini sudah tercapai.",
        "This village's objection limit for today is reached.",
    ),
}
