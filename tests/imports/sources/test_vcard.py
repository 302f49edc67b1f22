from __future__ import annotations

import codecs
import io
from collections.abc import Iterator

import pytest

from imports.sources.records import Birthday, Person, RowError, Unreadable
from imports.sources.vcard import read_vcards
from tests.imports.sources.helpers import card, data, errors, kinds, people, read


def only(name: str, content: bytes | str) -> Person:
    [person] = people(name, content)
    return person


def test_it_decodes_quoted_printable_umlauts_of_a_21_card() -> None:
    person = only("v2_1_de.vcf", data("contactsio__v2_1_de.vcf"))
    assert (person.first_name, person.last_name) == ("Max", "Mustermann")
    assert (person.company, person.position) == ("Firma", "Position")
    assert person.emails == [
        "privat@folker-kinzel.de",
        "business@folker-kinzel.de",
        "andere@folker-kinzel.de",
    ]
    assert "Tel geschäftlich" in person.phones
    assert person.birthday == Birthday(day=31, month=1, year=1972)
    assert person.profiles == {"website": "http://www.privat.de"}
    assert person.how_met == ""


def test_it_joins_a_soft_break_that_falls_inside_one_utf8_character() -> None:
    # the note breaks `=C3=` / `=B6` (ö) and `=C3=` / `=BC` (ü) across lines
    person = only("v2_1_de.vcf", data("contactsio__v2_1_de.vcf"))
    line = "Kommentar ÄÄÄÄÄÄ ääääää ÖÖÖÖÖÖ öööööö ÜÜÜÜÜÜ üüüüüü ßßßßßß"
    assert person.notes.split("\n") == [line] * 6


def test_it_joins_soft_breaks_and_keeps_the_space_after_one() -> None:
    person = only("complicated.vcf", data("aosp__v21_complicated.vcf"))
    assert person.notes == (
        "The following note is the example from RFC 2045.\n"
        "Now's the time for all folk to come to the aid of their country."
    )
    assert (person.first_name, person.last_name, person.company) == ("Forrest", "Gump", "Gump Shrimp Co.")
    assert person.position == "Shrimp Man"


def test_it_reads_shift_jis_values_by_their_charset() -> None:
    person = only("japanese.vcf", data("aosp__v21_japanese_2.vcf"))
    assert (person.first_name, person.last_name, person.notes) == ("ロイド1", "安藤", "メモ")
    several = people("multiple.vcf", data("aosp__v21_multiple_entry.vcf"))
    assert [(p.last_name, p.line) for p in several] == [
        ("安藤ロイド3", 1),
        ("安藤ロイド4", 12),
        ("安藤ロイド5", 23),
    ]
    assert several[0].phones == ["9", "10", "11", "12"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ezvcard__rfc6350-example.vcf", Birthday(day=3, month=2)),
        ("sabre__bday_v4_no_year_extended.vcf", Birthday(day=7, month=4)),
        ("sabre__bday_apple_omit_year_1604.vcf", Birthday(day=7, month=4)),
        ("sabre__bday_invalid_text.vcf", None),
    ],
)
def test_it_reads_birthdays_without_a_year(name: str, expected: Birthday | None) -> None:
    person = only(name, data(name))
    assert person.birthday == expected
    assert person.has_a_name


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("BDAY:1980-01-25", Birthday(25, 1, 1980)),
        ("BDAY:19800125", Birthday(25, 1, 1980)),
        ("BDAY:--0125", Birthday(25, 1)),
        ("BDAY:--01-25", Birthday(25, 1)),
        ("BDAY:1980-01-25T10:30:00Z", Birthday(25, 1, 1980)),
        ("BDAY;VALUE=date-time:19800125T103000", Birthday(25, 1, 1980)),
        ("BDAY;X-APPLE-OMIT-YEAR=1604:1604-01-25", Birthday(25, 1)),
        ("BDAY:0000-01-25", Birthday(25, 1)),
        ("BDAY:1900-01-25", Birthday(25, 1)),
        # a year no contact's can be (the table refuses it): the day kept, the year dropped
        ("BDAY:1885-03-04", Birthday(4, 3)),
        ("BDAY:9999-12-31", Birthday(31, 12)),
        ("BDAY:2101-01-25", Birthday(25, 1)),
        ("BDAY:--0229", Birthday(29, 2)),
        ("BDAY:1604-02-29", Birthday(29, 2)),
        ("BDAY:2023-02-29", None),
        ("BDAY:19723101", None),
        ("BDAY;VALUE=text:circa 1800", None),
        ("BDAY:", None),
    ],
)
def test_it_reads_each_form_of_a_birthday(line: str, expected: Birthday | None) -> None:
    assert only("bday.vcf", card("N:Muster;Max", line)).birthday == expected


def test_it_ignores_an_impossible_birthday_and_keeps_the_person() -> None:
    gerda, max_ = people("v4.vcf", data("contactsio__v4_invalid_bday.vcf"))
    assert (gerda.last_name, gerda.company) == ("Möhrke", "KiTa Öhrdingen")
    assert (max_.first_name, max_.birthday, max_.position) == ("Max", None, "Gröfaz")
    assert max_.line == 15


def test_it_skips_stray_comment_lines() -> None:
    person = only("comment.vcf", data("aosp__v21_invalid_comment_line.vcf"))
    assert person.first_name == "Conference Call"
    assert person.notes == "This is an (sharp ->#<- sharp) example. This message must NOT be ignored."


def test_it_drops_a_broken_photo() -> None:
    assert only("photo.vcf", data("aosp__v21_malformed_photo.vcf")).last_name == "name"


def test_it_reads_the_parent_of_a_nested_21_card_and_leaves_out_the_nested() -> None:
    person = only("nest.vcf", data("aosp__v21_nest.vcf"))
    assert (person.last_name, person.phones) == ("parent", ["1"])


def test_it_keeps_a_bare_carriage_return_in_a_value_from_breaking_the_card() -> None:
    one, two = people("export.vcf", data("thunderbird__export_v4.vcf"))
    assert (one.first_name, one.last_name) == ("contact", "one")
    assert (two.notes, two.position) == ("here's some unicode text…", '"worker"')


def test_it_names_cards_with_only_an_email_after_the_address() -> None:
    records = read("android.vcf", data("ezvcard__John_Doe_ANDROID.vcf"))
    assert errors(records) == []
    found = [r for r in records if isinstance(r, Person)]
    names = [(p.first_name, p.last_name) for p in found]
    assert names[:3] == [("John", "Doe"), ("Jane", "Doe"), ("", "Ñ Ñ Ñ Ñ")]
    assert found[4].emails == ["bob@company.com"]  # the QP e-mail without an @ is dropped
    assert found[4].company == "ÑÑÑÑÑÑÑÑÑÑÑÑ"


@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_it_reads_utf16(codec: str, bom: bool) -> None:
    text = card("N:Müller;Jürgen", "EMAIL:J.Mueller@Example.com")
    prefix = (codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE) if bom else b""
    person = only("utf16.vcf", prefix + text.encode(codec))
    assert (person.first_name, person.last_name, person.emails) == (
        "Jürgen",
        "Müller",
        ["j.mueller@example.com"],
    )


def test_it_reads_utf8_with_bom_and_cp1252_without_a_charset() -> None:
    assert only("bom.vcf", b"\xef\xbb\xbf" + card("N:M\u00fcller;Max").encode()).last_name == "Müller"
    assert only("ansi.vcf", card("N:M\u00fcller;Max", version="2.1").encode("cp1252")).last_name == "Müller"
    latin = card("N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen", version="2.1")
    assert only("latin.vcf", latin).first_name == "Jürgen"


def test_it_reads_the_complete_cards_of_a_file_cut_off_in_its_last() -> None:
    text = card("N:Eins;Anna") + card("N:Zwei;Bert") + "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Drei;Cem\r\n"
    records = read("cut.vcf", text)
    assert [r.first_name for r in records if isinstance(r, Person)] == ["Anna", "Bert"]
    assert [(e.line, e.code) for e in errors(records)] == [(9, "card_unclosed")]


def test_it_reads_a_card_that_lacks_its_end_and_the_next() -> None:
    text = card("N:Eins;Anna").replace("END:VCARD\r\n", "") + card("N:Zwei;Bert")
    records = read("missing-end.vcf", text)
    assert kinds(records) == [("Person", 1), ("Person", 4)]


@pytest.mark.parametrize("after", [1, 3, 5])
def test_a_21_card_without_its_end_swallows_none_of_the_cards_after_it(after: int) -> None:
    """Its BEGINs could be nested cards (an AGENT) until the file ends, or more come than one
    card holds: each is a card of its own then, the first one read too."""
    names = ["Karl", "Gina", "Dora", "Vera", "Emil", "Otto"][: after + 1]
    text = card(f"N:Kaputt;{names[0]}", "TEL;CELL:0171 1111111", version="2.1").replace("END:VCARD\r\n", "")
    text += "".join(card(f"N:Gut;{name}", version="2.1") for name in names[1:])
    records = read("android.vcf", text)
    assert [r.first_name for r in records if isinstance(r, Person)] == names
    assert people("android.vcf", text)[0].phones == ["0171 1111111"]


def test_a_21_card_whose_nested_card_is_last_keeps_its_own_lines() -> None:
    nested = card("N:Assistent;Anna", version="2.1")
    text = card("N:Chef;Carl", "TEL:1", "AGENT:", nested.rstrip("\r\n"), version="2.1")
    [person] = people("agent.vcf", text)
    assert (person.first_name, person.phones) == ("Carl", ["1"])


@pytest.mark.parametrize(
    "line",
    [
        "TEL;X-CUSTOM(CHARSET=UTF-8,ENCODING=QUOTED-PRINTABLE,Gesch=C3=A4ftlich):+49 30 1111",  # Android
        "TEL;X-B\u00fcro:+49 30 1111",
        "TEL;X-Mobil Privat:+49 30 1111",
        "TEL; CELL:+49 30 1111",
    ],
)
def test_a_parameter_vobject_cannot_read_is_dropped_and_the_card_kept(line: str) -> None:
    person = only(
        "android.vcf", card("N:Eins;Erika", line, "EMAIL;X-CUSTOM(Dienst):e@example.org", version="2.1")
    )
    assert (person.first_name, person.phones, person.emails) == ("Erika", ["+49 30 1111"], ["e@example.org"])


def test_it_makes_a_card_it_cannot_read_one_error_and_reads_the_others() -> None:
    # a quote never closed leaves the name unreadable (vobject itself no longer meets a
    # parameter it cannot parse: those are dropped, see below)
    text = card("N:Eins;Anna") + card('N;X-A=":Zwei;Bert') + card("N:Drei;Cem")
    records = read("bad.vcf", text)
    assert kinds(records) == [("Person", 1), ("RowError", 5), ("Person", 9)]
    assert errors(records)[0].code == "no_name"


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        ("Mustermann, Max", ("Max", "Mustermann")),
        ("Max Mustermann", ("Max", "Mustermann")),
        ("Dr. Ursula von der Leyen", ("Ursula", "von der Leyen")),
        ("Dr. med. Eva Schulz-Ott", ("Eva", "Schulz-Ott")),
        ("Prof. Dr. Hans von Berg", ("Hans", "von Berg")),
        ("Mag. Lisa Gruber", ("Lisa", "Gruber")),
        ("Maxl", ("Maxl", "")),
        ("max@example.com", ("", "max@example.com")),
    ],
)
def test_it_splits_the_formatted_name_when_n_is_empty(fn: str, expected: tuple[str, str]) -> None:
    records = read("fn.vcf", card(f"FN:{fn}", "N:;;;;", "EMAIL:max@example.com"))
    [person] = records
    assert isinstance(person, Person)
    assert (person.first_name, person.last_name) == expected


def test_it_reads_profiles_from_urls_and_social_properties() -> None:
    person = only(
        "social.vcf",
        card(
            "N:Muster;Max",
            "item1.URL:https://de.linkedin.com/in/max-muster/de",
            "URL;TYPE=home:http\\://www.muster.de/",
            "X-SOCIALPROFILE;type=twitter;x-user=MaxM:x-apple:MaxM",
            "X-SOCIALPROFILE;TYPE=facebook:https://www.facebook.com/max.muster",
            "X-XING:https://www.xing.com/profile/Max_Muster",
        ),
    )
    assert person.profiles == {
        "linkedin": "https://www.linkedin.com/in/max-muster",
        "website": "http://www.muster.de",
        "x": "https://x.com/maxm",
        "facebook": "https://www.facebook.com/max.muster",
        "xing": "https://www.xing.com/profile/Max_Muster",
    }
    assert person.how_met == "xing"


def test_it_knows_a_card_of_a_xing_export() -> None:
    assert only("xing.vcf", card("N:Muster;Max", "X-XING-ID:12345")).how_met == "xing"
    assert only("other.vcf", card("N:Muster;Max", "PRODID:-//Apple Inc.//iOS 17//EN")).how_met == ""


def test_it_reads_emails_phones_company_position_notes_and_labels() -> None:
    person = only(
        "full.vcf",
        card(
            "N:Muster;Max;;Dr.;",
            "ORG:Bauer & Söhne GmbH;Vertrieb",
            "ROLE:Leitung",
            "EMAIL;TYPE=work:Max@Bauer.example",
            "EMAIL;TYPE=home:max@bauer.example",
            "EMAIL:privat@muster.example",
            "TEL;TYPE=cell:+49 170 1234567",
            "TEL;VALUE=uri:tel:+49-30-123",
            "NOTE:Kennt Anna\\, vom Stammtisch\\nRuft gern an",
            "CATEGORIES:Kunden,Stammtisch,My Contacts",
        ),
    )
    assert (person.company, person.position) == ("Bauer & Söhne GmbH", "Leitung")
    assert person.emails == ["max@bauer.example", "privat@muster.example"]
    assert person.phones == ["+49 170 1234567", "+49-30-123"]
    assert person.notes == "Kennt Anna, vom Stammtisch\nRuft gern an"
    assert person.labels == ["Kunden", "Stammtisch"]


def test_it_yields_card_by_card() -> None:
    text = card("N:Eins;Anna") + "garbage that is no card\r\n" * 3 + card("N:Zwei;Bert")
    reader = read_vcards("stream.vcf", io.BytesIO(text.encode()))
    assert isinstance(reader, Iterator)
    first = next(reader)
    assert isinstance(first, Person)
    assert first.first_name == "Anna"
    second = next(reader)
    assert isinstance(second, Person)
    assert second.line == 8


def test_it_refuses_a_file_without_a_card() -> None:
    with pytest.raises(Unreadable) as refused:
        read("empty.vcf", "N:Muster;Max\r\nno card here\r\n")
    assert refused.value.code == "no_cards"
    assert refused.value.reason.startswith("The file holds no vCard")


def test_it_reads_only_what_is_kept_and_a_row_error_is_frozen() -> None:
    records = read("x.vcf", card("PHOTO;ENCODING=b:" + "A" * 10_000, "N:Muster;Max"))
    assert [type(r) for r in records] == [Person]
    with pytest.raises(AttributeError):
        RowError(file="f", line=1, reason="r").line = 2  # type: ignore[misc]


def test_it_keeps_the_commas_exporters_leave_unescaped() -> None:
    # vobject would keep "Bauer" of "Bauer, Söhne & Co." and "Mustermann" of the name
    person = only(
        "commas.vcf",
        card("FN:Mustermann, Max", "ORG:Bauer, Söhne & Co.;Vertrieb", "NOTE:Anna, Bert, Cem", version="2.1"),
    )
    assert (person.first_name, person.last_name) == ("Max", "Mustermann")
    assert (person.company, person.notes) == ("Bauer, Söhne & Co.", "Anna, Bert, Cem")


def test_it_cuts_a_giant_value_and_refuses_a_giant_card() -> None:
    # vobject takes some 170 bytes of memory per byte of a value it parses
    person = only("long.vcf", card("N:Muster;Max", "NOTE:" + "x" * 50_000))
    assert person.notes == "x" * 10_000
    records = read("huge.vcf", card("N:Muster;Max", *["NOTE:" + "x" * 9_000] * 12) + card("N:Zwei;Bert"))
    assert [(type(r).__name__, getattr(r, "code", "")) for r in records] == [
        ("RowError", "card_too_large"),
        ("Person", ""),
    ]


@pytest.mark.parametrize(
    ("raw", "expected"), [(b"Gr\xe4\xdfle", "Gräßle"), (b"\xc4\xdfler", "Äßler"), (b"Gr\xfc\xdfe", "Grüße")]
)
def test_german_cp1252_pairs_without_a_charset_are_not_read_as_shift_jis(raw: bytes, expected: str) -> None:
    content = b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:" + raw + b";Anna\r\nEND:VCARD\r\n"
    assert only("nokia.vcf", content).last_name == expected


def test_japanese_without_a_charset_is_still_read_as_shift_jis() -> None:
    content = "BEGIN:VCARD\r\nVERSION:2.1\r\nN:山田;太郎\r\nNOTE:東京の会議で\r\nEND:VCARD\r\n".encode(
        "shift_jis"
    )
    person = only("docomo.vcf", content)
    assert (person.first_name, person.last_name, person.notes) == ("太郎", "山田", "東京の会議で")


def test_a_charset_named_wrongly_falls_back_to_what_the_bytes_are() -> None:
    content = b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8:M\xfcller;J\xfcrgen\r\nEND:VCARD\r\n"
    person = only("wrong.vcf", content)
    assert (person.first_name, person.last_name) == ("Jürgen", "Müller")


def test_apples_company_card_is_named_by_the_company_whole() -> None:
    text = card("N:;;;;", "FN:Stadtwerke München GmbH", "ORG:Stadtwerke München GmbH;", "X-ABShowAs:COMPANY")
    person = only("apple.vcf", text)
    assert (person.first_name, person.last_name, person.company) == (
        "",
        "Stadtwerke München GmbH",
        "Stadtwerke München GmbH",
    )


def test_a_card_of_a_company_alone_keeps_its_phone() -> None:
    person = only("android.vcf", card("ORG:Bäckerei Huber", "TEL;WORK:089 1234567", version="2.1"))
    assert (person.last_name, person.company, person.phones) == (
        "Bäckerei Huber",
        "Bäckerei Huber",
        ["089 1234567"],
    )


def test_a_21_fold_keeps_its_space_and_a_30_fold_drops_it() -> None:
    v21 = card("N:Eins;Anna", "NOTE:Kennt ihn vom", "\tFußball", version="2.1")
    v30 = card("N:Eins;Anna", "NOTE:Kennt ihn vom Fu", " ßball")
    assert only("v21.vcf", v21).notes == "Kennt ihn vom\tFußball"
    assert only("v30.vcf", v30).notes == "Kennt ihn vom Fußball"


@pytest.mark.parametrize(
    "lines",
    [
        ("EMAIL;TYPE=WORK:work@x.de", "EMAIL;TYPE=HOME,PREF:home@x.de", "TEL:1", "TEL;TYPE=CELL;TYPE=PREF:2"),
        ("EMAIL;TYPE=work:work@x.de", "EMAIL;PREF=1:home@x.de", "TEL:1", "TEL;PREF=1:2"),
        ("EMAIL;WORK:work@x.de", "EMAIL;HOME;PREF:home@x.de", "TEL:1", "TEL;CELL;PREF:2"),
    ],
)
def test_the_preferred_address_and_number_come_first(lines: tuple[str, ...]) -> None:
    person = only("pref.vcf", card("N:Eins;Anna", *lines))
    assert (person.emails, person.phones) == (["home@x.de", "work@x.de"], ["2", "1"])


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_a_file_whose_cards_all_lack_their_end_keeps_every_card(version: str) -> None:
    """An exporter leaving out every END: each card is read, the last one (cut off by the file's
    end, as far as anyone can tell) one error."""
    names = ["Anna", "Bert", "Cem", "Dora", "Emil"]
    text = "".join(card(f"N:Eins;{name}", version=version).replace("END:VCARD\r\n", "") for name in names)
    records = read("ohne-ende.vcf", text)
    assert [r.first_name for r in records if isinstance(r, Person)] == names[:-1]
    assert [e.code for e in errors(records)] == ["card_unclosed"]


def test_it_keeps_addresses_nicknames_departments_and_middle_names_as_details() -> None:
    person = only("v2_1_de.vcf", data("contactsio__v2_1_de.vcf"))  # 2.1: `ADR;WORK;…`, quoted-printable
    assert person.details == [
        ("middle_name", "Middle Name"),
        ("nickname", "Maxl"),
        ("department", "Führungsetage"),
        ("address_work", "Firmenstraße, 1, PLZFirma Ort Firma, Bundesland Firma, Land Firma"),
        ("address_home", "Straße, PLZ Ort, Bundesland, Land"),
    ]
    john = only(
        "gmail.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;Richter\\, James;Mr.;\r\nNICKNAME:Johny,JayJay\r\n"
        "ADR;TYPE=home,pref:;;Ringstr. 1\\nHinterhaus;München;;80331;Deutschland\r\n"
        "ADR:;;Am Markt 2;Graz;Steiermark;8010;Österreich\r\nEND:VCARD\r\n",
    )
    assert (john.first_name, john.last_name) == ("John", "Doe")
    assert john.details == [
        ("middle_name", "Richter James"),
        ("nickname", "Johny, JayJay"),
        ("address_home", "Ringstr. 1, Hinterhaus, 80331 München, Deutschland"),
        ("address", "Am Markt 2, 8010 Graz, Steiermark, Österreich"),
    ]


def test_a_label_stands_for_an_address_of_its_kind_that_no_adr_gives() -> None:
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Vogel;Ina;;;\r\n"
        "ADR;TYPE=HOME:;;Hauptstr. 1;Berlin;;10115;Germany\r\nADR;TYPE=WORK:;;;;;;\r\n"
        "LABEL;TYPE=HOME:Hauptstr. 1\\n10115 Berlin\r\nLABEL;TYPE=WORK:Firmenweg 2\\n80331 München\r\n"
        "END:VCARD\r\n"
    )
    assert only("ina.vcf", card).details == [
        ("address_home", "Hauptstr. 1, 10115 Berlin, Germany"),
        ("address_work", "Firmenweg 2, 80331 München"),
    ]
