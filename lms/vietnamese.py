"""Vietnamese text rules: name comparison, alphabetical order and accent-free search keys.

Vietnamese writes the same name in several byte sequences: precomposed or decomposed
Unicode, and the tone mark on either vowel ("Hòa" / "Hoà"). Every comparison of names goes
through `name_key`, every ordering through `sort_key`.
"""
import re
import unicodedata

# Combining marks that carry the tone; the others (breve, circumflex, horn) make new letters.
_TONE_MARKS = {
    "\u0300": 1,  # huyền
    "\u0301": 2,  # sắc
    "\u0309": 3,  # hỏi
    "\u0303": 4,  # ngã
    "\u0323": 5,  # nặng
}
_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m",
    "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]
_LETTER_RANK = {letter: f"{index + 10:02d}" for index, letter in enumerate(_ALPHABET)}
_WORD_GAP = "00"
_SPACES = re.compile(r"\s+")


def clean_spaces(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


def _split_syllable(word: str) -> tuple[str, int]:
    """A lower-case syllable without its tone mark (NFC), and the tone's number (0 = none)."""
    tone = 0
    letters = []
    for char in unicodedata.normalize("NFD", word.casefold()):
        if char in _TONE_MARKS:
            tone = _TONE_MARKS[char]
        else:
            letters.append(char)
    return unicodedata.normalize("NFC", "".join(letters)), tone


def name_key(name: str) -> str:
    """Equal for every spelling of the same name: composition, tone placement, case, spaces."""
    parts = []
    for word in clean_spaces(name).split(" "):
        if word:
            base, tone = _split_syllable(word)
            parts.append(f"{base}{tone}")
    return " ".join(parts)


def _primary(word: str) -> str:
    base, _tone = _split_syllable(word)
    return "".join(_LETTER_RANK.get(char, "99") for char in base if char.isalnum())


def sort_key(full_name: str) -> str:
    """Digits-only key ordering names the Vietnamese way: by given name, then the full name.

    Letters compare in the Vietnamese alphabet (a < ă < â < b … d < đ), tones only break ties.
    Being digits only, the key sorts the same under any database collation.
    """
    words = clean_spaces(full_name).split(" ")
    if not words or not words[0]:
        return ""
    ordered = [words[-1], *words[:-1]]
    primary = _WORD_GAP.join(_primary(word) for word in ordered)
    tones = "".join(str(_split_syllable(word)[1]) for word in ordered)
    return f"{primary}{_WORD_GAP}{_WORD_GAP}{tones}"


def fold(text: str) -> str:
    """Lower-case text without any diacritics, for search: "Điều phối" -> "dieu phoi"."""
    decomposed = unicodedata.normalize("NFD", clean_spaces(text).casefold().replace("đ", "d"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))
