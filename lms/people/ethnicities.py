"""The 54 ethnic groups of Vietnam, in their official spelling, and the other ways they are written."""
import re

from lms.vietnamese import fold

# Official order of the national list of ethnic groups.
ETHNICITIES = (
    "Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "Mông", "Dao", "Gia Rai",
    "Ê Đê", "Ba Na", "Sán Chay", "Chăm", "Cơ Ho", "Xơ Đăng", "Sán Dìu", "Hrê", "Ra Glai", "Mnông",
    "Thổ", "Xtiêng", "Khơ Mú", "Bru - Vân Kiều", "Cơ Tu", "Giáy", "Tà Ôi", "Mạ", "Giẻ Triêng", "Co",
    "Chơ Ro", "Xinh Mun", "Hà Nhì", "Chu Ru", "Lào", "La Chí", "Kháng", "Phù Lá", "La Hủ", "La Ha",
    "Pà Thẻn", "Lự", "Ngái", "Chứt", "Lô Lô", "Mảng", "Cơ Lao", "Bố Y", "Cống", "Si La",
    "Pu Péo", "Rơ Măm", "Brâu", "Ơ Đu",
)

# Other names and spellings in common use, each pointing to the official name.
_ALIASES = {
    "Việt": "Kinh", "Khơ Me": "Khmer", "H'Mông": "Mông", "Hmông": "Mông", "Jrai": "Gia Rai",
    "Jarai": "Gia Rai", "Rhade": "Ê Đê", "Bahnar": "Ba Na", "Cao Lan": "Sán Chay", "Sán Chỉ": "Sán Chay",
    "K'Ho": "Cơ Ho", "Koho": "Cơ Ho", "Sedang": "Xơ Đăng", "Stiêng": "Xtiêng", "Khmu": "Khơ Mú",
    "Bru": "Bru - Vân Kiều", "Vân Kiều": "Bru - Vân Kiều", "Katu": "Cơ Tu", "Pa Kô": "Tà Ôi",
    "Pà Hưng": "Pà Thẻn", "Brao": "Brâu",
}

_NOT_LETTERS = re.compile(r"[^a-z0-9]")


def _key(name: str) -> str:
    """One key for "Ê-đê", "Ê Đê" and "ede": no accents, case, spaces, hyphens or apostrophes."""
    return _NOT_LETTERS.sub("", fold(name))


_BY_KEY = {_key(name): name for name in ETHNICITIES} | {_key(alias): name for alias, name in _ALIASES.items()}


def canonical_ethnicity(text: str) -> str | None:
    """The official name of the ethnic group written as `text`, or None if there is no such group."""
    return _BY_KEY.get(_key(text or "")) if text else None
