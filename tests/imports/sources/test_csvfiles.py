from __future__ import annotations

import io
import tracemalloc
from datetime import date

import pytest

from imports.sources import read_upload
from imports.sources.csvfiles import FIELDS, suggest_mapping
from imports.sources.records import Birthday, NeedsMapping, Person, Unreadable
from tests.imports.sources.helpers import data, errors, kinds, people, read

LINKEDIN_PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing."\n'
    "\n"
)
LINKEDIN_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


def connections(rows: int) -> bytes:
    lines = [LINKEDIN_PREAMBLE, LINKEDIN_HEADER]
    lines += [
        f'Jürgen,Müller-{n},https://www.linkedin.com/in/jm-{n},jm{n}@example.com,"Bauer & Söhne, GmbH",Leitung,22 Dec 2025\n'
        for n in range(rows)
    ]
    return "".join(lines).encode()


def mapped(name: str, content: bytes | str) -> tuple[NeedsMapping, list[Person]]:
    """The one NeedsMapping of a file of no known layout, then its people with the suggestion."""
    [asked] = read(name, content)
    assert isinstance(asked, NeedsMapping)
    return asked, people(name, content, mappings={asked.headers: asked.suggested})


def test_it_reads_linkedin_connections_with_the_notes_preamble() -> None:
    [alex] = people("Connections.csv", data("linkedin__Connections.csv"))
    assert (alex.first_name, alex.last_name, alex.line) == ("Alex", "Rohrberg", 5)
    assert (alex.company, alex.position) == ("Schneider Electric", "Software Engineer")
    assert alex.profiles == {"linkedin": "https://www.linkedin.com/in/alexrohrberg"}
    assert (alex.connected_on, alex.how_met, alex.emails) == (date(2025, 12, 22), "linkedin", [])


def test_it_reads_the_2018_linkedin_form() -> None:
    content = (
        "First Name,Last Name,Email Address,Company,Position,Connected On\n"
        'Anna,Schmidt,anna@example.com,"Stadtwerke Graz",Referentin,"1/8/18, 6:14 PM"\n'
        "Bert,Klein,,,,12/31/17\n"
    )
    anna, bert = people("Connections.csv", content)
    assert (anna.connected_on, anna.emails, anna.how_met) == (
        date(2018, 1, 8),
        ["anna@example.com"],
        "linkedin",
    )
    assert (bert.connected_on, bert.line) == (date(2017, 12, 31), 3)


def test_it_reads_linkedin_with_a_bom_and_crlf() -> None:
    content = "\ufeff" + (LINKEDIN_PREAMBLE + LINKEDIN_HEADER).replace("\n", "\r\n")
    content += "Zoë,Łukasz,https://de.linkedin.com/in/zoe-l/de,,,,03 Jan 2024\r\n"
    [zoe] = people("Connections.csv", content.encode())
    assert (zoe.first_name, zoe.last_name, zoe.line) == ("Zoë", "Łukasz", 5)
    assert zoe.profiles == {"linkedin": "https://www.linkedin.com/in/zoe-l"}
    assert zoe.connected_on == date(2024, 1, 3)


def test_it_reads_google_legacy_german_values_and_multi_values() -> None:
    [max_] = people("google.csv", data("contactsio__google_legacy_de.csv"))
    assert (max_.first_name, max_.last_name) == ("Max", "Mustermann")
    assert max_.emails[:3] == ["ohnelabel@folker.de", "ohnelabel2@folker.de", "privat@folker-kinzel.de"]
    assert "business2@folker.de" in max_.emails
    assert "business 3@golker.de" not in max_.emails  # no address with a space
    assert max_.phones[:3] == ["Tel10", "Other Phone", "Tel9"]
    assert max_.notes == "Kommentar ÄÄÄÄÄÄ ääääää ÖÖÖÖÖÖ öööööö ÜÜÜÜÜÜ üüüüüü ßßßßßß"
    assert max_.labels == ["Importiert am 29.3."]  # not "* myContacts"
    assert (max_.company, max_.position) == ("Firma", "Position")
    assert max_.birthday == Birthday(day=31, month=1, year=1972)
    assert max_.profiles == {"website": "http://www.musterworks.de"}
    assert max_.how_met == ""


def test_it_reads_the_current_google_header() -> None:
    content = (
        "First Name,Middle Name,Last Name,Nickname,Birthday,Notes,Labels,E-mail 1 - Label,E-mail 1 - Value,"
        "Phone 1 - Label,Phone 1 - Value,Organization Name,Organization Title,Website 1 - Label,Website 1 - Value\n"
        "Lena,,Becker,,--03-15,Vom Stammtisch,* myContacts ::: Kunden ::: * starred,Work,"
        "Lena@Becker.example ::: lena.b@privat.example,Mobile,+49 170 1111111,SAP SE,Beraterin,"
        "Profile,https://www.xing.com/profile/Lena_Becker\n"
    )
    [lena] = people("contacts.csv", content)
    assert lena.emails == ["lena@becker.example", "lena.b@privat.example"]
    assert (lena.labels, lena.birthday) == (["Kunden"], Birthday(day=15, month=3))
    assert (lena.company, lena.position, lena.phones) == ("SAP SE", "Beraterin", ["+49 170 1111111"])
    assert lena.profiles == {"xing": "https://www.xing.com/profile/Lena_Becker"}


def test_it_reads_a_german_outlook_export_in_cp1252() -> None:
    content = (
        '"Anrede","Vorname","Weitere Vornamen","Nachname","Firma","Position","Telefon geschäftlich",'
        '"Mobiltelefon","E-Mail-Adresse","E-Mail 2: Adresse","Geburtstag","Kategorien","Notizen","Webseite"\r\n'
        '"Herr","Jürgen","","Weiß","Bäckerei Weiß","Geschäftsführer","+49 30 1234","","j.weiss@example.de",'
        '"","25.1.1980","Kunden;Nachbarn","Mag Brötchen","www.baeckerei-weiss.de"\r\n'
        '"Frau","Özlem","","Yılmaz","","","","","","","00.00.0000","","",""\r\n'
    )
    jurgen, ozlem = people("outlook.csv", content.replace("ı", "i").encode("cp1252"))
    assert (jurgen.first_name, jurgen.last_name, jurgen.company) == ("Jürgen", "Weiß", "Bäckerei Weiß")
    assert (jurgen.position, jurgen.notes) == ("Geschäftsführer", "Mag Brötchen")
    assert jurgen.birthday == Birthday(day=25, month=1, year=1980)
    assert jurgen.labels == ["Kunden", "Nachbarn"]
    assert jurgen.profiles == {"website": "https://www.baeckerei-weiss.de"}
    assert (ozlem.first_name, ozlem.birthday) == ("Özlem", None)


def test_it_reads_english_outlook_dates_and_its_empty_birthdays() -> None:
    header = "First Name,Last Name,Company,Job Title,E-mail Address,E-mail 2 Address,Mobile Phone,Birthday,Categories\n"
    content = (
        header
        + "Anna,Lee,Contoso,CEO,anna@contoso.com,a.lee@home.example,555-1,1/25/1980,VIP\nBo,Li,,,,,,0/0/00,\n"
    )
    anna, bo = people("outlook.csv", content)
    assert anna.birthday == Birthday(day=25, month=1, year=1980)
    assert (anna.emails, anna.labels, anna.position) == (
        ["anna@contoso.com", "a.lee@home.example"],
        ["VIP"],
        "CEO",
    )
    assert bo.birthday is None


def test_it_reads_microsofts_outlook_sample() -> None:
    found = people("outlook365.csv", data("contactsio__outlook365_desktop.csv"))
    assert [p.first_name for p in found] == ["Anita", "Anne-Mette", "Dorena", "Kemal", "Shiori", "Max"]
    assert found[0].birthday == Birthday(day=20, month=1, year=1981)
    assert (found[5].company, found[5].position) == ("Google", "Chef")


def test_it_asks_for_the_columns_of_windows_live_mail_and_reads_them_once_mapped() -> None:
    asked, [max_] = mapped("wlm.csv", data("contactsio__windows_live_mail_de_semicolon.csv"))
    suggested = dict(zip(asked.headers, asked.suggested, strict=True))
    assert suggested["Vorname"] == "first_name"
    assert suggested["E-Mail-Adresse"] == "email"
    assert (suggested["Mobiltelefon"], suggested["Fax (privat)"]) == ("phone", "")
    assert (max_.first_name, max_.last_name, max_.company) == ("Max", "Mustermann", "Firma")
    assert (max_.emails, max_.notes) == (["privat@folker-kinzel.de"], "Kommentar Äöü")


def test_it_reads_a_german_excel_list_with_semicolons() -> None:
    content = (
        "Name;Firma;Funktion;E-Mail;Telefon;Geburtstag;Bemerkung;Gruppen;LinkedIn\r\n"
        "Mustermann, Max;Kanzlei Weiß;Partner;max@kanzlei.example;+49 89 123;29.02.;=SUMME(A1:A3);Kunden;"
        "linkedin.com/in/max-m\r\n"
        ';;;;;;;;\r\n"von der Leyen, Ursula";;;;-12;;@home;;\r\n'
    )
    asked, [max_, ursula] = mapped("liste.csv", content.encode("cp1252"))
    assert asked.suggested == (
        "full_name",
        "company",
        "position",
        "email",
        "phone",
        "birthday",
        "notes",
        "labels",
        "linkedin",
    )
    assert (max_.first_name, max_.last_name, max_.company, max_.position) == (
        "Max",
        "Mustermann",
        "Kanzlei Weiß",
        "Partner",
    )
    assert (max_.birthday, max_.notes, max_.phones) == (
        Birthday(day=29, month=2),
        "=SUMME(A1:A3)",
        ["+49 89 123"],
    )
    assert max_.profiles == {"linkedin": "https://www.linkedin.com/in/max-m"}
    assert (ursula.last_name, ursula.phones, ursula.notes, ursula.line) == (
        "von der Leyen",
        ["-12"],
        "@home",
        4,
    )


def test_it_reads_utf16_and_shift_jis() -> None:
    [john] = people("utf16.csv", data("thunderbird__utf16le_bom.csv"))
    assert (john.first_name, john.last_name, john.emails) == ("John", "Doe", ["johndoe@host.invalid"])
    [nanashi] = people("sjis.csv", data("thunderbird__shiftjis.csv"))
    assert (nanashi.first_name, nanashi.last_name) == ("権兵衛", "名無し")


def test_it_keeps_line_breaks_in_quoted_cells_and_counts_physical_lines() -> None:
    one, two = people("export.csv", data("thunderbird__export.csv"))
    assert (one.line, two.line) == (2, 3)
    assert two.notes == "here's some unicode text…"
    content = 'Vorname,Nachname,Notizen\n"Anna","Eins","Zeile 1\r\nZeile 2\nZeile 3"\nBert,Zwei,\n'
    _asked, [anna, bert] = mapped("notes.csv", content)
    assert (anna.notes, anna.line, bert.line) == ("Zeile 1\nZeile 2\nZeile 3", 2, 5)  # one kind of break


def test_it_reads_thunderbirds_birth_year_month_and_day_in_latin1() -> None:
    [max_] = people("tb.csv", data("contactsio__thunderbird_de_latin1.csv"))
    assert max_.birthday == Birthday(day=31, month=1, year=1972)
    assert (max_.notes, max_.phones[0]) == ("Kommentar für Maxl", "Tel geschäftlich")


def test_it_reads_month_and_day_without_a_year() -> None:
    content = "First Name,Last Name,Birth Year,Birth Month,Birth Day\nAnna,Eins,,2,29\nBert,Zwei,1980,13,1\n"
    _asked, [anna, bert] = mapped("tb.csv", content)
    assert (anna.birthday, bert.birthday) == (Birthday(day=29, month=2), None)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("1,1,1,1,1@host.invalid\n2\t2\t2\n", "no_header"),
        ("\n\n\n", "empty"),
        ("Ein Satz ohne Trennzeichen\nund noch einer\n", "no_header"),
        ("First Name,Last Name\n", "no_rows"),
        ("Vorname;Nachname\n;\n", "no_rows"),
        ('Vorname,Nachname\n"Anna,Eins\n' + "x" * 200_000 + "\n", "broken_csv"),
    ],
)
def test_it_refuses_a_csv_without_a_header_or_rows(content: str, code: str) -> None:
    with pytest.raises(Unreadable) as refused:
        read("list.csv", content)
    assert refused.value.code == code


def test_it_refuses_the_malformed_mixed_delimiters() -> None:
    with pytest.raises(Unreadable) as refused:
        read("mixed.csv", data("thunderbird__tab_comma_mixed.csv"))
    assert (refused.value.code, refused.value.line) == ("no_header", 1)


def test_it_reports_rows_without_a_name_and_skips_empty_rows() -> None:
    content = (
        LINKEDIN_HEADER
        + ",,,max.mustermann@example.com,,,\n,,,,,,\n,,,,,Leitung,\nAnna,,,,,,\n,,,,SAP SE,,\n"
    )
    records = read("Connections.csv", content)
    assert [(e.line, e.code) for e in errors(records)] == [(4, "no_name")]
    assert errors(records)[0].reason == "This row has no name, no e-mail address and no company."
    people = [(r.first_name, r.last_name) for r in records if isinstance(r, Person)]
    # the name of an address, or of a company alone: not lost
    assert people == [("Max", "Mustermann"), ("Anna", ""), ("", "SAP SE")]


def test_it_uses_the_users_mapping_however_the_header_is_spaced() -> None:
    content = "Wer;Wo\nAnna Eins;SAP\n"
    chosen = {(" wer ", "WO"): ("full_name", "company", "surplus")}
    [anna] = people("x.csv", content, mappings=chosen)
    assert (anna.first_name, anna.last_name, anna.company) == ("Anna", "Eins", "SAP")
    [bert] = people("x.csv", "Wer;Wo\nBert;Bonn\n", mappings={("Wer", "Wo"): ("first_name", "no such field")})
    assert (bert.first_name, bert.company) == ("Bert", "")


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Vorname", "first_name"), ("Nachname", "last_name"), ("Name", "full_name"), ("Anzeigename", "full_name"),
        ("Firma", "company"), ("Unternehmen", "company"), ("Organisation", "company"), ("Position", "position"),
        ("Funktion", "position"), ("Titel", ""), ("E-Mail", "email"), ("Mail", "email"), ("Telefon", "phone"),
        ("Mobil", "phone"), ("Handy", "phone"), ("Geburtstag", "birthday"), ("Notizen", "notes"),
        ("Geb.", "birthday"), ("Geb.-Datum", "birthday"), ("Gebäude", ""),
        ("Bemerkung", "notes"), ("Kategorien", "labels"), ("Gruppen", "labels"), ("Webseite", "website"),
        ("Primary Email", "email"), ("Secondary Email", "email"), ("Work Phone", "phone"),
        ("Mobile Number", "phone"), ("Birth Year", "birthday"), ("Birth Month", "birthday"), ("Birth Day", "birthday"),
        ("Fax Number", ""), ("E-mail 1 - Type", ""), ("XING", "xing"), ("LinkedIn-Profil", "linkedin"),
        ("Connected On", "connected_on"), ("Straße (privat)", "address"), ("Job Title", "position"), ("Title", ""),
        ("Home City", "address"), ("Postleitzahl (geschäftlich)", "address"), ("Privat: Land", "address"),
        ("Address 1 - Formatted", "address"), ("Address 1 - Type", ""), ("E-Mail-Adresse", "email"),
        ("IMAddress", ""), ("Location", ""), ("Bundesland (privat)", "address"), ("Middle Name", "middle_name"),
        ("2. Vorname", "middle_name"), ("Spitzname", "nickname"), ("Nickname", "nickname"),
        ("Abteilung", "department"), ("Department", "department"),
    ],
)  # fmt: skip
def test_it_suggests_fields_from_german_and_english_headers(header: str, field: str) -> None:
    assert suggest_mapping([header]) == (field,)
    assert field in FIELDS


def test_it_reads_10000_linkedin_rows() -> None:
    # its time is the bench's (import_linkedin_10k_parse_s), not a test's: CI machines are noisy
    content = connections(10_000)
    count = sum(1 for _record in read("Connections.csv", content))
    assert count == 10_000


def test_it_reads_without_holding_the_file_or_its_rows() -> None:
    def peak(rows: int) -> int:
        content = connections(rows)
        tracemalloc.start()
        for _record in read_upload("Connections.csv", io.BytesIO(content)):
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    small, large = peak(2_000), peak(20_000)
    assert large < 1_000_000  # the 20,000-row file alone is 2.3 MB
    assert large < small * 2


def test_it_reports_a_row_with_only_unmapped_cells() -> None:
    content = "Vorname;Nachname;Straße\n;;Hauptstraße 1\nAnna;;\n"
    records = read(
        "x.csv", content, mappings={("Vorname", "Nachname", "Straße"): ("first_name", "last_name", "")}
    )
    assert kinds(records) == [("RowError", 2), ("Person", 3)]


def test_a_quote_never_closed_refuses_the_file_at_its_row_rather_than_swallow_the_rest() -> None:
    content = 'Vorname,Nachname,E-Mail\nAnna,Eins,a@x.de\n"Ina,Kern,ina@kern.example\nOla,Nord,o@x.de\n'
    [asked] = read("list.csv", content)
    assert isinstance(asked, NeedsMapping)
    with pytest.raises(Unreadable) as refused:
        read("list.csv", content, mappings={asked.headers: asked.suggested})
    assert (refused.value.code, refused.value.line) == ("broken_csv", 3)


@pytest.mark.parametrize("end", ["", "\n", "\r\n"])
def test_a_last_row_whose_quoted_note_spans_lines_is_read(end: str) -> None:
    content = f'Vorname,Nachname,Notizen\nAnna,Eins,"Kennt sie ""vom"" Verein\r\nund 5"" Zoll"{end}'
    [person] = mapped("list.csv", content)[1]
    assert person.notes == 'Kennt sie "vom" Verein\nund 5" Zoll'


def test_a_quote_inside_a_cell_that_does_not_start_with_one_is_text() -> None:
    [person] = mapped("list.csv", 'Vorname,Nachname,Notizen\nAnna,Eins,Monitor 27" gekauft\n')[1]
    assert person.notes == 'Monitor 27" gekauft'


@pytest.mark.parametrize("above", ["sep=;\n", '"sep=;"\n', "Meine Kontakte;;;\n\n", "Export\nStand 2026;\n"])
def test_a_title_or_excels_separator_line_above_the_header_is_passed_over(above: str) -> None:
    content = above + "Vorname;Nachname;E-Mail\nAnna;Eins;a@x.de\n"
    [person] = mapped("liste.csv", content)[1]
    assert (person.first_name, person.last_name, person.emails) == ("Anna", "Eins", ["a@x.de"])


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('"jm@example.de, juergen@privat.example"', ["jm@example.de", "juergen@privat.example"]),
        ("a@x.de; b@y.de", ["a@x.de", "b@y.de"]),
        ("<a@b.de>", ["a@b.de"]),
        ("'a@b.de'", ["a@b.de"]),
        ('"Max Muster <Max@Muster.de>"', ["max@muster.de"]),
        ("mailto:a@b.de.", ["a@b.de"]),
        ("keine Adresse", []),
    ],
)
def test_it_reads_each_address_of_a_cell_without_what_surrounds_it(cell: str, expected: list[str]) -> None:
    [person] = mapped("liste.csv", f"Vorname,Nachname,E-Mail\nAnna,Eins,{cell}\n")[1]
    assert person.emails == expected


def test_a_name_column_headed_last_name_comma_first_is_read_as_the_full_name() -> None:
    content = '"Name, Vorname";E-Mail;Telefon\n"Müller, Jürgen";jm@example.de;0171 1234567\n'
    asked, [person] = mapped("liste.csv", content)
    assert asked.suggested == ("full_name", "email", "phone")
    assert (person.first_name, person.last_name, person.emails) == ("Jürgen", "Müller", ["jm@example.de"])


def test_a_title_before_a_first_name_is_no_part_of_it() -> None:
    [person] = mapped("liste.csv", "Vorname;Nachname\nDr. Annika;Berg\n")[1]
    assert (person.first_name, person.last_name) == ("Annika", "Berg")


def test_japanese_next_to_latin_letters_is_still_shift_jis() -> None:
    content = "Vorname,Nachname,Firma\nTaro,Yamada,NTTドコモ\nHanako,Suzuki,KDDI株式会社\n".encode(
        "shift_jis"
    )
    taro, hanako = mapped("japan.csv", content)[1]
    assert (taro.company, hanako.company) == ("NTTドコモ", "KDDI株式会社")


def test_titles_go_in_the_last_name_first_form_too_and_titles_alone_stay() -> None:
    from imports.sources.values import split_full_name, without_titles

    assert split_full_name("Müller, Prof. Dr. Hans") == ("Hans", "Müller")
    assert without_titles("Dr. med.") == "Dr. med."
    assert without_titles("Dr. med. Eva") == "Eva"


def test_it_keeps_addresses_nicknames_departments_and_middle_names_as_details() -> None:
    [max_] = people("tb.csv", data("contactsio__thunderbird_de_latin1.csv"))
    assert max_.details == [
        ("nickname", "Maxl"),
        ("department", "Department"),
        ("address_home", "Privatstr. 88, 2. Zeile, 06779 Wohnort, Sachsen-Anhalt, BRD"),
        ("address_work", "Straße Work, Str. Work 2. Zeile, PLZ Ort, Bundesland, BRD"),
    ]
    [anna] = people(
        "outlook.csv",
        "First Name,Middle Name,Last Name,E-mail Address,Job Title,Department,Business Street,Business City,"
        "Business Postal Code,Business Country/Region,Home Street,Home City\n"
        "Anna,Maria Luise,Berg,,,Einkauf,Hauptstr. 5,Wien,1010,Österreich,,Berlin\n",
    )
    assert anna.first_name == "Anna"
    assert anna.details == [
        ("middle_name", "Maria Luise"),
        ("department", "Einkauf"),
        ("address_work", "Hauptstr. 5, 1010 Wien, Österreich"),
        ("address_home", "Berlin"),
    ]


def test_googles_formatted_address_stands_for_its_parts_and_its_type_says_whose() -> None:
    [max_] = people("google.csv", data("contactsio__google_legacy_de.csv"))
    assert max_.details == [
        ("middle_name", "Middle Name"),
        ("nickname", "Maxl"),
        ("department", "Abteilung"),  # "Organization 1 - Department"
        ("address_work", "Eisenbahnstraße, Postfach, 84 04315 Leipzig, DE"),
        ("address_home", "Straße 42, Postfach, PLZ Ort, DE"),
        ("address", "Prinzenstr. 2, Postfach privat, 4567 Berlin, DE"),
        ("unread_email", "business 3@golker.de"),  # kept as written, not made "3@golker.de"
    ]
    assert "3@golker.de" not in max_.emails
    # Outlook's `Home Address` (several lines, from Google) beside its own parts: said once
    [eva] = people(
        "outlook.csv",
        "First Name,Last Name,E-mail Address,Job Title,Home Address,Home Street,Home City,Home Postal Code\n"
        'Eva,Roth,,,"Ringstr. 1\n80331 München",Ringstr. 1,München,80331\n',
    )
    assert eva.details == [("address_home", "Ringstr. 1, 80331 München")]


def test_googles_2024_header_says_the_department_and_whose_address_by_its_label() -> None:
    [lena] = people(
        "contacts.csv",
        "First Name,Last Name,Organization Name,Organization Department,E-mail 1 - Value,"
        "Address 1 - Label,Address 1 - Formatted,Address 2 - Label,Address 2 - Formatted\n"
        'Lena,Brandt,Stadtwerke,Entwicklung,lena@example.de,Home,"Kastanienallee 12\n10435 Berlin",'
        'Work,"Torstraße 1\n10119 Berlin"\n',
    )
    assert lena.details == [
        ("department", "Entwicklung"),
        ("address_home", "Kastanienallee 12, 10435 Berlin"),
        ("address_work", "Torstraße 1, 10119 Berlin"),
    ]


def test_a_country_alone_or_a_country_code_is_no_address() -> None:
    [max_] = people(
        "outlook.csv",
        "First Name,Last Name,E-mail Address,Job Title,Country Code,Business Country/Region,Home Street,Home City\n"
        "Max,Muster,max@example.de,,49,Deutschland,Weg 1,Ulm\n",
    )
    assert max_.details == [("address_home", "Weg 1, Ulm")]
