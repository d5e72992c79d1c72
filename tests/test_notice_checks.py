from notices import checks


def test_no_warning_when_fonts_and_harfbuzz_are_present():
    # make test installs fonts-noto-cjk and libharfbuzz-subset0 on the machine that runs it.
    assert checks.check_pdf_fonts(None) == []
    assert any("Noto Serif CJK SC" in family for family in checks.cjk_fonts())


def test_warns_without_a_cjk_font_or_the_subsetter(monkeypatch):
    monkeypatch.setattr(checks, "cjk_fonts", lambda: [])
    monkeypatch.setattr(checks.ctypes.util, "find_library", lambda name: None)
    ids = [warning.id for warning in checks.check_pdf_fonts(None)]
    assert ids == ["notices.W001", "notices.W002"]
