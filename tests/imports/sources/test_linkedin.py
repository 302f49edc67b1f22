from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from imports.sources.linkedin import account_holder, read_messages, sent
from imports.sources.records import Message, Person, RowError
from tests.imports.sources.helpers import errors, read, zipped

ME = "https://www.linkedin.com/in/ich"
ANNA = "https://www.linkedin.com/in/anna-eins"
BERT = "https://www.linkedin.com/in/bert-zwei"
STRANGER = "https://www.linkedin.com/in/recruiter-x"
HEADER = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER\n"
MESSAGES = HEADER + (
    # around midnight UTC, and across the night Europe/Berlin moves its clocks (26 March 2023, 01:00 UTC)
    f'c1,,Ich Selbst,{ME},Anna Eins,{ANNA},2023-03-25 23:59:59 UTC,,"Hallo Anna, bis morgen?",INBOX\n'
    f"c1,,Anna Eins,https://de.linkedin.com/in/anna-eins/,Ich Selbst,{ME},2023-03-26 00:00:01 UTC,,Gern!,INBOX\n"
    f"c1,,Anna Eins,{ANNA},Ich Selbst,{ME},2023-03-26 01:30:00 UTC,,Schon wach?,INBOX\n"
    # a group message: two recipients
    f'c2,Stammtisch,Ich Selbst,{ME},Anna Eins;Bert Zwei,"{ANNA};{BERT}",2023-06-11 15:33:58 UTC,,Freitag?,SENT\n'
    # someone not among the connections
    f"c3,,Recruiter X,{STRANGER},Ich Selbst,{ME},2023-07-01 08:00:00 UTC,Job,Interesse?,INBOX\n"
)
CONNECTIONS = (
    'Notes:\n"When exporting your connection data, you may notice ..."\n\n'
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    f"Anna,Eins,{ANNA},,,,01 Feb 2020\n"
    f"Bert,Zwei,{BERT},,,,02 Feb 2020\n"
)


def messages(content: str) -> list[Message]:
    found = list(read_messages("messages.csv", io.BytesIO(content.encode())))
    assert all(isinstance(message, Message) for message in found), found
    return [message for message in found if isinstance(message, Message)]


def test_it_reads_messages_with_their_utc_instants() -> None:
    first, second, third, *_rest = messages(MESSAGES)
    assert first.sent_at == datetime(2023, 3, 25, 23, 59, 59, tzinfo=UTC)
    assert second.sent_at == datetime(2023, 3, 26, 0, 0, 1, tzinfo=UTC)
    berlin = ZoneInfo("Europe/Berlin")
    assert first.sent_at.astimezone(berlin).date() == second.sent_at.astimezone(berlin).date()
    assert third.sent_at.astimezone(berlin).hour == 3  # 01:30 UTC is 03:30 summer time
    assert (first.content, first.line, third.line) == ("Hallo Anna, bis morgen?", 2, 4)
    assert (second.sender_url, second.sender_name) == (ANNA, "Anna Eins")


def test_it_reads_a_group_message() -> None:
    group = messages(MESSAGES)[3]
    assert (group.conversation, group.sender_url) == ("c2", ME)
    assert group.recipient_urls == (ANNA, BERT)
    assert group.recipient_names == ("Anna Eins", "Bert Zwei")


def test_it_reads_the_commas_of_older_exports() -> None:
    row = f'c9,,Ich Selbst,{ME},"Anna Eins, Bert Zwei","{ANNA},{BERT}",2019-01-02T03:04:05Z,,Hi,SENT\n'
    [message] = messages(HEADER + row)
    assert message.recipient_urls == (ANNA, BERT)
    assert message.recipient_names == ("Anna Eins", "Bert Zwei")
    assert message.sent_at == datetime(2019, 1, 2, 3, 4, 5, tzinfo=UTC)
    row = f'c9,,Ich Selbst,{ME},"Müller, Hans",{ANNA},2019-01-02 03:04:05 UTC,,Hi,SENT\n'
    assert messages(HEADER + row)[0].recipient_names == ("Müller, Hans",)


def test_it_makes_a_message_without_a_date_one_error() -> None:
    records = list(
        read_messages(
            "messages.csv", io.BytesIO((HEADER + f"c1,,Ich,{ME},Anna,{ANNA},gestern,,x,INBOX\n").encode())
        )
    )
    assert [(type(r), r.line) for r in records] == [(RowError, 2)]


def test_it_reads_no_messages_from_a_file_of_other_columns() -> None:
    assert list(read_messages("messages.csv", io.BytesIO(b"a,b\n1,2\n"))) == []
    assert list(read_messages("messages.csv", io.BytesIO(b""))) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-06-11 15:33:58 UTC", datetime(2023, 6, 11, 15, 33, 58, tzinfo=UTC)),
        ("2023-06-11 15:33:58", datetime(2023, 6, 11, 15, 33, 58, tzinfo=UTC)),
        ("2023-06-11T17:33:58+02:00", datetime(2023, 6, 11, 15, 33, 58, tzinfo=UTC)),
        ("11.06.2023", None),
        ("", None),
    ],
)
def test_it_reads_dates_as_utc(text: str, expected: datetime | None) -> None:
    assert sent(text) == expected


def test_it_finds_the_account_holder_in_every_conversation() -> None:
    assert account_holder(messages(MESSAGES)) == ME
    assert account_holder([]) is None


def test_it_breaks_a_tie_by_the_number_of_conversations() -> None:
    rows = HEADER + (
        f"c1,,Anna,{ANNA},Ich,{ME},2023-01-01 10:00:00 UTC,,a,INBOX\n"
        f"c2,,Bert,{BERT},Ich,{ME},2023-01-02 10:00:00 UTC,,b,INBOX\n"
        f"c3,,Bert,{BERT},Anna,{ANNA},2023-01-03 10:00:00 UTC,,c,INBOX\n"  # not the holder's: a stray
        f"c4,,Ich,{ME},Bert,{BERT},2023-01-04 10:00:00 UTC,,d,INBOX\n"
    )
    assert account_holder(messages(rows)) == ME


def test_it_reads_a_linkedin_data_zip() -> None:
    archive = zipped(
        ("Basic_LinkedInDataExport_06-12-2023/Connections.csv", CONNECTIONS),
        ("Basic_LinkedInDataExport_06-12-2023/messages.csv", MESSAGES),
        ("Basic_LinkedInDataExport_06-12-2023/Profile.csv", "First Name,Last Name\nIch,Selbst\n"),
        ("Basic_LinkedInDataExport_06-12-2023/Invitations.csv", "From,To\nx,y\n"),
        ("__MACOSX/Basic_LinkedInDataExport_06-12-2023/._Connections.csv", b"\x00\x05\x16\x07"),
    )
    records = read("Basic_LinkedInDataExport_06-12-2023.zip", archive)
    found = [r for r in records if isinstance(r, Person)]
    assert [(p.first_name, p.how_met, p.line) for p in found] == [
        ("Anna", "linkedin", 5),
        ("Bert", "linkedin", 6),
    ]
    assert (
        found[0].file
        == "Basic_LinkedInDataExport_06-12-2023.zip/Basic_LinkedInDataExport_06-12-2023/Connections.csv"
    )
    sent_ = [r for r in records if isinstance(r, Message)]
    assert len(sent_) == 5
    assert STRANGER in {m.sender_url for m in sent_}  # imports.reading skips non-connections
    assert account_holder(sent_) == ME


def test_it_reads_the_connections_of_a_zip_whose_messages_are_broken() -> None:
    broken = HEADER + 'c1,,"' + "x" * 200_000 + "\n"
    records = read("export.zip", zipped(("Connections.csv", CONNECTIONS), ("messages.csv", broken)))
    assert [type(r) for r in records] == [Person, Person, RowError]
    [error] = errors(records)
    assert (error.code, error.file, error.line) == ("broken_csv", "export.zip/messages.csv", 2)
