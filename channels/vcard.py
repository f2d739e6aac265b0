"""Reading a contact card (a vCard, RFC 6350) that came as a file, by MMS.

Only what staff are shown is read: the name and the first phone number. Lines folded
onto the next (a space or tab first) are joined; ``item1.TEL`` is a TEL; an escaped
comma or semicolon is read as itself.
"""

from __future__ import annotations

from bot.messages import ContactCard

LONGEST_NAME, LONGEST_PHONE = 120, 40


def read_card(content: bytes) -> ContactCard | None:
    """The card's name and number, or None when it has neither."""
    name = phone = ""
    structured = ""
    for line in _unfolded(content.decode("utf-8", errors="replace")):
        field, _, value = line.partition(":")
        prop = field.split(";", 1)[0].rsplit(".", 1)[-1].strip().upper()
        if prop == "FN" and not name:
            name = _unescaped(value)
        elif prop == "N" and not structured:
            family, _, rest = value.partition(";")
            given = rest.split(";", 1)[0]
            structured = " ".join(filter(None, (_unescaped(given), _unescaped(family))))
        elif prop == "TEL" and not phone:
            phone = _unescaped(value).removeprefix("tel:")
    name = name or structured
    if not (name or phone):
        return None
    return ContactCard(name=name[:LONGEST_NAME], phone=phone[:LONGEST_PHONE])


def _unfolded(text: str) -> list[str]:
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line[:1] in (" ", "\t") and lines:
            lines[-1] += line[1:]
        elif line.strip():
            lines.append(line)
    return lines


def _unescaped(value: str) -> str:
    return value.replace("\\,", ",").replace("\\;", ";").replace("\\n", " ").strip()
