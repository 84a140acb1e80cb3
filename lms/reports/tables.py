"""A report table: the one shape every dashboard section, export, yearly report and API summary is
built from, so a number reads the same wherever it is shown."""
from dataclasses import dataclass, field, replace

TEXT, INT, PERCENT, DATE, CODE = "text", "int", "percent", "date", "code"


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # Vietnamese, through gettext where built
    # TEXT | INT | PERCENT (a float 0–100, or None) | DATE (a datetime.date) | CODE (a stable English code for
    # programs, beside the column people read: the API gives it, files for people leave it out)
    kind: str = TEXT


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

    def for_people(self) -> "Table":
        """The table without its CODE columns: what a spreadsheet or a printed report shows."""
        kept = [index for index, column in enumerate(self.columns) if column.kind != CODE]
        if len(kept) == len(self.columns):
            return self
        return replace(self, columns=[self.columns[index] for index in kept],
                       rows=[tuple(row[index] for index in kept) for row in self.rows])
