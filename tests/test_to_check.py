"""The "te controleren" lines: shortened values, and the field each line is about."""

from elo_tui.domain.to_check import (
    MAX_QUOTED,
    field_of,
    problem_line,
    shorten,
    without_fields,
)


def test_shorten_keeps_short_values_and_cuts_long_ones_with_an_ellipsis():
    assert shorten("Groeisubsidie") == "Groeisubsidie"
    assert shorten("a  b\n c") == "a b c"
    long = shorten("x" * 150_000_000)
    assert len(long) == MAX_QUOTED and long.endswith("…")
    assert shorten(2**70).endswith("…") is False and shorten(2**300).endswith("…")


def test_a_line_names_row_column_and_value_and_knows_its_field():
    line = problem_line("yearly_volume", 7, "Aantal", "x" * 500, "geen getal")
    assert line.startswith("Jaarvolume — rij 7, kolom 'Aantal', waarde 'xxx")
    assert line.endswith("…': geen getal.") and len(line) < 120
    assert field_of(line) == "yearly_volume"
    assert field_of("een vrije notitie") is None
    other = problem_line("ipdc_type", 7, "Soort", "Lening", "niet herkend")
    assert without_fields([line, other, "vrij"], ["yearly_volume"]) == [other, "vrij"]
