"""What makes a staff password acceptable: long, and not one that is guessed first.

Length matters most (NCSC's password guidance), so at least 12 characters and no
rules about symbols. Attackers try the commonest passwords first, so those are
refused: COMMON_LONG_PASSWORDS below is every password of 12 or more characters
among the first 80,000 characters (about the 10,000 most used passwords) of the
NCSC's list of the 100,000 passwords most often found in breaches (drawn from
Have I Been Pwned, 2019), as kept in SecLists at
Passwords/Common-Credentials/100k-most-used-passwords-NCSC.txt, copied as
written. Shorter ones on that list are refused by the length rule already. A
password that is only the staff member's email address or the landlord's name,
give or take digits and symbols, is refused too: it is the second thing tried.
"""

from __future__ import annotations

from models.staff import PasswordRefused

SHORTEST_PASSWORD = 12
LONGEST_PASSWORD = 200

COMMON_LONG_PASSWORDS = frozenset(
    word.casefold()
    for word in (
        "q1w2e3r4t5y6",
        "1q2w3e4r5t6y",
        "qwerty123456",
        "megaparol12345",
        "startfinding",
        "Sojdlg123aljg",
        "PE#5GZ29PTZMSE",
        "123456654321",
        "123qweasdzxc",
        "123456qwerty",
        "N8ZGT5P0sHw=",
        "111222tianya",
        "PolniyPizdec0211",
        "Telechargement",
        "YfDbUfNjH10305070",
        "123456123456",
        "qazwsxedcrfv",
        "1q2w3e4r5t6y7u8i9o0p",
        "PolniyPizdec110211",
        "123456789123",
        "112233445566",
        "qwertyqwerty",
        "123456789987654321",
        "justinbieber",
        "MaprCheM56458",
        "qweasdzxc123",
        "123456789123456789",
        "5532361cnjqrf",
        "qwertyuiop[]",
        "motherfucker",
        "qazwsxedc123",
        "international",
        "professional",
        "qwertyuiop123",
        "qwerasdfzxcv",
        "1q2w3e4r5t6y7u",
        "leavemealone",
        "TempPassWord",
        "PolniyPizdec1102",
        "g13916055158",
        "123456789qwe",
        "asdfghjkl123",
        "123456789abc",
        "finalfantasy",
        "zxcasdqwe123",
        "123qwe123qwe",
        "ichliebedich",
        "sonyericsson",
        "jamesbond007",
        "1qazxsw23edc",
        "ihatethisgame",
        "projectsadminx",
        "Jundian2011xr",
        "administrator",
        "linkedin2011",
        "playstation3",
        "s8YLPe9jDPvYM",
        "1q2w3e4r5t6y7u8i",
        "123321123321",
        "123123123123",
        "111111111111",
        "010203040506",
        "john!20130605at1753",
        "qwegta13091990",
        "Doomsayer.2.7mords.V",
        "123456789asd",
        "seniseviyorum",
        "onedirection",
    )
)


def check_new_password(password: str, *, email: str, landlord: str) -> None:
    """Raise PasswordRefused with what to do instead, or return for a good password."""
    if not SHORTEST_PASSWORD <= len(password) <= LONGEST_PASSWORD:
        raise PasswordRefused(
            f"Use at least {SHORTEST_PASSWORD} characters (and at most {LONGEST_PASSWORD}). "
            "Three or four words you will remember make a good password."
        )
    if password.casefold() in COMMON_LONG_PASSWORDS:
        raise PasswordRefused("That password is one of the most used, so it is tried first.")
    letters = _letters(password)
    known = {_letters(email), _letters(email.partition("@")[0]), _letters(landlord)}
    if letters and letters in known:
        raise PasswordRefused("Do not use the email address or the landlord's name.")


def _letters(text: str) -> str:
    """Only the letters, lower case: 'FifeHousing2026!' is 'fifehousing'."""
    return "".join(ch for ch in text.casefold() if ch.isalpha())
