"""Name agreement: spelling variants of one person agree, similar names of two do not."""

import pytest

from api.civil_registry.names import name_key, names_agree


@pytest.mark.parametrize(
    ("register", "civil"),
    [
        ("Muhammad Rizki", "MUHAMAD RIZKI"),
        ("Mohammad Yusuf", "Muhammad Yusuf"),
        ("Siti Nur", "Siti Nurhaliza"),  # shortened on the family card
        ("Slamet Yul", "Slamet Yuliana"),
        ("Soekarno", "Sukarno"),  # old spelling
        ("Djoko Widodo", "Joko Widodo"),
        ("Hj. Siti Aminah", "Siti Aminah"),  # a title
        ("Nurhayati", "Nurhayatti"),  # a typing slip
    ],
)
def test_one_person_spelt_two_ways_agrees(register: str, civil: str) -> None:
    assert names_agree(register, civil)


@pytest.mark.parametrize(
    ("register", "civil"),
    [
        ("Ahmad Fauzi", "Ahmad Fauzan"),
        ("Siti Nurhaliza", "Siti Nurjanah"),
        ("Budi Santoso", "Budi Susanto"),
        ("Nurhayati", "Nurhayani"),
        ("Siti", "Siti Aminah"),  # one word is too little to call it a shortened name
        ("Rina Hartono", ""),
    ],
)
def test_two_people_with_similar_names_do_not(register: str, civil: str) -> None:
    assert not names_agree(register, civil)


def test_the_key_is_what_sql_compares() -> None:
    assert name_key("Muhammad  Rizki,") == name_key("MUHAMAD RIZKI") == "muhamad rizki"
