"""A report table: the one shape every dashboard section, export, yearly report and API summary is
built from, so a number reads the same wherever it is shown."""
from dataclasses import dataclass, field

TEXT, INT, PERCENT, DATE = "text", "int", "percent", "date"


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # Vietnamese, through gettext where built
    kind: str = TEXT  # TEXT | INT | PERCENT (a float 0–100, or None) | DATE (a datetime.date)


@dataclass
class Table:
    key: str  # stable, URL-safe: the export file name and the API field
    title: str
    columns: list[Column]
    rows: list[tuple] = field(default_factory=list)  # values in column order
    # The unit each row stands for, when a row can be drilled into (None where it cannot).
    row_units: list[int | None] = field(default_factory=list)
    note: str = ""  # how the figures are counted, shown under the table

    def column(self, key: str) -> int:
        return next(i for i, column in enumerate(self.columns) if column.key == key)

    def values(self, key: str) -> list:
        index = self.column(key)
        return [row[index] for row in self.rows]
