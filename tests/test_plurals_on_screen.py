"""Counts on screen use Dutch singulars: '1 dag', '1 lijn', '1 blokkerend punt'."""

from __future__ import annotations

from elo_tui.screens.presentation import PresentationScreen


def test_presentation_countdown_says_1_dag():
    assert PresentationScreen._days_text(1) == "nog 1 dag"
    assert PresentationScreen._days_text(-1) == "1 dag voorbij"
    assert PresentationScreen._days_text(1202) == "nog 1.202 dagen"
    assert PresentationScreen._days_text(0) == "nog 0 dagen"


def test_table_summary_in_the_import_wizard_says_1_kolom_and_1_rij(tmp_path):
    from elo_tui.io.tabular import read_table

    path = tmp_path / "een.csv"
    path.write_text("Productnaam\nEen\n", encoding="utf-8")
    text = read_table(path).describe()
    assert "1 kolom, 1 rij," in text
