"""The raw material of the demo touches: German notes, gut feelings, gives, asks and promises."""

from __future__ import annotations

from touchpoints.kinds import Kind

NOTES: dict[str, tuple[str, ...]] = {
    Kind.CALL: (
        "Kurz telefoniert, wie es mit dem neuen Projekt läuft.",
        "Angerufen wegen der Ausschreibung, sie meldet sich nächste Woche.",
        "Langes Telefonat über den Wechsel in die Geschäftsführung.",
        "Hat zurückgerufen, Urlaub in Südtirol war großartig.",
        "Telefonat zur Lage in der Branche, Stimmung eher vorsichtig.",
        "Kurz durchgeklingelt, Glückwunsch zum neuen Auftrag.",
    ),
    Kind.VIDEO_CALL: (
        "Teams-Call zum Stand der Ausschreibung.",
        "Zoom: Erfahrungsaustausch zu hybrider Führung.",
        "Videocall, gemeinsames Webinar im Frühjahr besprochen.",
        "Kurzer Teams-Call, Folien gemeinsam durchgesehen.",
    ),
    Kind.MEETING: (
        "Kaffee in der Kantine, über die Messe gesprochen.",
        "Mittagessen beim Italiener, Pläne für das nächste Jahr.",
        "Im Büro besucht, das neue Team kennengelernt.",
        "Frühstück vor dem Termin beim Kunden, viel gelacht.",
        "Spaziergang an der Alster, offen über die Reorganisation geredet.",
        "Abendessen in der Altstadt, sehr persönliches Gespräch.",
        "Auf einen Kaffee am Bahnhof getroffen, nur zwanzig Minuten, aber gut.",
    ),
    Kind.EVENT: (
        "Beim Netzwerkabend wiedergesehen, kurz über die Keynote gesprochen.",
        "Auf der Messe am Stand getroffen.",
        "Beim Stammtisch lange unterhalten.",
        "Sommerfest: zusammen am Grill gestanden.",
        "Bei der Podiumsdiskussion nebeneinander gesessen.",
    ),
    Kind.CARD: (
        "Handgeschriebene Karte zum Firmenjubiläum geschickt.",
        "Dankeskarte nach dem Abendessen.",
        "Karte mit Glückwünschen zur Beförderung.",
        "Weihnachtskarte, mit ein paar persönlichen Zeilen.",
    ),
    Kind.LETTER: (
        "Brief mit dem Zeitungsartikel über ihr Unternehmen.",
        "Persönlicher Brief nach dem Trauerfall in der Familie.",
        "Brief mit dem versprochenen Sonderdruck.",
    ),
    Kind.GIFT: (
        "Flasche Riesling als Dankeschön für die Empfehlung.",
        "Buch über Verhandlungsführung geschickt, passend zum letzten Gespräch.",
        "Karten für das Jazzkonzert geschenkt.",
    ),
    Kind.BIRTHDAY_GIFT: (
        "Zum Geburtstag: Pralinen aus der Confiserie.",
        "Geburtstagsgeschenk: Bildband über die Alpen.",
        "Zum Geburtstag eine Flasche Grüner Veltliner.",
    ),
    Kind.EMAIL: (
        "Link zur Studie über den Mittelstand geschickt.",
        "Termin für das Mittagessen abgestimmt.",
        "Glückwunsch zur Beförderung per Mail.",
        "Nachgefragt, wie der Umzug gelaufen ist.",
        "Unterlagen zum Workshop geschickt.",
    ),
    Kind.MESSAGE: (
        "WhatsApp: Grüße vom Flughafen.",
        "LinkedIn-Nachricht zum neuen Job.",
        "Kurze Nachricht: Danke für den Tipp!",
        "SMS, Termin um eine Woche verschoben.",
        "Signal: Foto vom Stand auf der Messe geschickt.",
    ),
    Kind.SOCIAL: (
        "Beitrag über das Firmenjubiläum kommentiert.",
        "Auf XING zum Jobwechsel gratuliert.",
        "LinkedIn-Artikel geteilt und kommentiert.",
        "Unter ihrem Vortragsvideo kommentiert.",
    ),
    Kind.REACTION: ("Beitrag geliked.", "Daumen hoch für den Post zur Messe.", ""),
}
BIRTHDAY_NOTES: dict[str, tuple[str, ...]] = {
    Kind.CALL: ("Zum Geburtstag angerufen, hat sich sehr gefreut.", "Geburtstagsanruf am Morgen."),
    Kind.CARD: ("Geburtstagskarte von Hand geschrieben.", "Karte zum Geburtstag, rechtzeitig angekommen."),
    Kind.BIRTHDAY_GIFT: NOTES[Kind.BIRTHDAY_GIFT],
}
FIRST_NOTES: dict[str, tuple[str, ...]] = {
    # the first touch of a contact met online: the connection itself
    Kind.MESSAGE: (
        "Vernetzungsanfrage angenommen, kurze Nachricht geschrieben.",
        "Nachricht nach der Vernetzung: gemeinsame Kontakte im Maschinenbau.",
    ),
    Kind.EMAIL: ("Erste Mail nach der Empfehlung, Vorstellung in drei Sätzen.",),
    Kind.SOCIAL: ("Auf ihren Beitrag geantwortet, daraus wurde ein Austausch.",),
}
NEWSLETTERS = (
    # days ago, note: the same mailing reaches many contacts on the same day
    (9, "Newsletter: Jahresrückblick und Termine"),
    (100, "Newsletter: Einladung zum Herbst-Webinar"),
    (191, "Newsletter: Sommerausgabe"),
    (282, "Mailing: neue Preisliste"),
    (373, "Newsletter: Jahresrückblick und Termine"),
    (464, "Newsletter: Einladung zum Herbst-Webinar"),
)
GUT_FEELINGS = (
    "Sehr offen, sofort auf einer Wellenlänge.",
    "Sympathisch, aber noch etwas zurückhaltend.",
    "Gutes Bauchgefühl: will sich wirklich austauschen, nicht nur verkaufen.",
    "Eher distanziert, abwarten.",
    "Herzlich und hilfsbereit, hat gleich zwei Kontakte angeboten.",
    "Angenehmes Gespräch, gemeinsame Interessen (Segeln, Jazz).",
    "Wirkt verlässlich, sagt nur zu, was sie hält.",
    "Viel Energie, etwas sprunghaft.",
    "Ruhig und genau, Vertrauen braucht hier Zeit.",
    "Humorvoll, hat mir sofort das Du angeboten.",
)
GIVE_LABELS = (
    "Vorstellung bei einem möglichen Kunden",
    "Vorstellung bei der Gründerin eines Start-ups",
    "Kontakt zur Personalleiterin vermittelt",
    "Empfehlung für einen Auftrag",
    "Empfehlung auf XING geschrieben",
    "Empfehlung an einen Headhunter",
    "Hilfe bei der Vorbereitung der Präsentation",
    "Hilfe bei der Suche nach einer Werkstudentin",
    "Hilfe: Feedback zum Businessplan",
)
GIFT_LABELS = ("Geschenk: Buch", "Geschenk: Wein", "Geschenk: Konzertkarten")
BIRTHDAY_GIFT_LABELS = ("Geburtstagsgeschenk",)
ASK_LABELS = (
    "Gefallen: Vorstellung beim Vorstand",
    "Gefallen: Referenz für ein Angebot",
    "Gefallen: Feedback zu unserem Angebot",
    "Gefallen: Empfehlung für eine Ausschreibung",
    "Gefallen: Kontakt zur Personalabteilung",
)
PROMISES = (
    "Artikel zur Messe schicken",
    "Kontakt zu Frau Berger herstellen",
    "Angebot für den Workshop schicken",
    "Buchtipp per Mail schicken",
    "Folien vom Vortrag schicken",
    "Termin für ein Mittagessen vorschlagen",
    "Einladung zum Sommerfest schicken",
    "Zwei Namen für die offene Stelle nennen",
    "Rückmeldung zum Konzept geben",
    "Kontakt zum Steuerberater vermitteln",
)
