"""The command line: import-template, import-members (its last line, its exit code) and export-members."""
from __future__ import annotations

from openpyxl import load_workbook

from tests.imports.support import counts, member, persons, workbook
from workflows.imports.layout import MEMBER_HEADERS, ORGANISATION_HEADERS


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_the_template_has_headers_an_example_row_and_drop_down_lists(app, tmp_path):
    """import-template writes both sheets with their headers, example rows, and list validations of the choices."""
    path = tmp_path / "mau.xlsx"
    result = invoke(app, "import-template", str(path))
    assert result.exit_code == 0, result.output
    book = load_workbook(path)
    orgs, members = book["To chuc"], book["Dang vien"]
    assert [c.value for c in orgs[1]] == list(ORGANISATION_HEADERS)
    assert [c.value for c in members[1]] == list(MEMBER_HEADERS)
    assert members["B2"].value == "Nguyễn Thị Lan" and members["G2"].value == "Chính thức"
    lists = {str(v.sqref): v.formula1 for v in members.data_validations.dataValidation}
    assert lists["G2:G100000"] == "'Danh muc'!$C$2:$C$5"  # Trạng thái
    choices = [book["Danh muc"].cell(row=r, column=4).value for r in range(2, 6)]
    assert choices == ["Tiểu học", "THCS", "THPT", "Cao đẳng, đại học"]
    assert {str(v.sqref) for v in orgs.data_validations.dataValidation} == {"C2:C100000", "E2:E100000"}
    cases = book["Ho so dang giai quyet"]
    assert [c.value for c in cases[1]][:3] == ["Mã hồ sơ", "Quy trình", "Số thẻ đảng viên"]
    assert {str(v.sqref) for v in cases.data_validations.dataValidation} == {"B2:B100000"}  # the procedures


def test_the_template_imports_as_it_is(app, world, tmp_path):
    """The template's example rows are themselves a valid import (a dry run counts them)."""
    path = tmp_path / "mau.xlsx"
    invoke(app, "import-template", str(path))
    result = invoke(app, "import-members", str(path), "--dry-run")
    assert result.exit_code == 0, result.output + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "created=4 updated=0 unchanged=0 errors=0"


def test_import_members_ends_with_the_counts_and_exits_1_on_an_error(app, runtime, world, tmp_path):
    """A good file: counts as the last line, exit 0; a bad one: its errors, the counts line, exit 1, nothing written."""
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(workbook(world.orgs["province"], [member(1), member(2)]))
    result = invoke(app, "import-members", str(good))
    assert result.exit_code == 0 and result.stdout.splitlines()[-1] == "created=5 updated=0 unchanged=0 errors=0"
    assert invoke(app, "import-members", str(good)).stdout.splitlines()[-1] == "created=0 updated=0 unchanged=5 errors=0"
    bad.write_bytes(workbook(world.orgs["province"], [member(3, **{"Số CCCD": "123"})]))
    before = counts(runtime)
    result = invoke(app, "import-members", str(bad))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Dang vien dòng 2 cột E: [invalid_identity_number]")
    assert lines[-1] == "created=0 updated=0 unchanged=0 errors=1"  # rejected: nothing counted as done
    assert counts(runtime) == before


def test_import_members_refuses_a_large_file_by_its_size(app, world, tmp_path):
    """A 50 MB file is refused from its size on disk, with the limit in the message."""
    path = tmp_path / "big.xlsx"
    with open(path, "wb") as f:
        f.truncate(50 * 1024 * 1024)
    result = invoke(app, "import-members", str(path))
    assert result.exit_code == 1 and "tối đa 20 MB" in result.stdout
    assert result.stdout.splitlines()[-1] == "created=0 updated=0 unchanged=0 errors=1"


def test_export_members_writes_a_subtree_that_imports_unchanged(app, runtime, world, tmp_path):
    """export-members of the commune writes its cells and members; importing that file changes nothing."""
    path = tmp_path / "xa.xlsx"
    result = invoke(app, "export-members", str(path), "--organisation", f"TC-{world.orgs['commune']}")
    assert result.exit_code == 0, result.output
    assert "3 organisations, 10 members" in result.stdout
    book = load_workbook(path)
    assert book["To chuc"]["D2"].value == f"TC-{world.orgs['province']}"  # the subtree's parent, by its code
    assert book["Dang vien"]["N2"].value.startswith("NG-")  # no card, no CCCD: the person's code
    result = invoke(app, "import-members", str(path))
    assert result.stdout.splitlines()[-1] == "created=0 updated=0 unchanged=13 errors=0"
    assert persons(runtime) == {}


def test_a_long_import_shows_a_progress_bar_on_stderr(app, world, tmp_path, monkeypatch):
    """Past one second the command line shows «Đang nhập» with a bar on standard error; stdout stays the report."""
    import itertools

    import web.cli.imports as cli

    ticks = itertools.count(0, 2.0)  # every look at the clock is two seconds later
    monkeypatch.setattr(cli, "_clock", lambda: next(ticks))
    path = tmp_path / "many.xlsx"
    path.write_bytes(workbook(world.orgs["province"], [member(n) for n in range(1, 4500)]))
    result = invoke(app, "import-members", str(path))
    assert result.exit_code == 0
    assert "Đang nhập" in result.stderr and "Đang nhập" not in result.stdout
    assert result.stdout.splitlines()[-1] == "created=4502 updated=0 unchanged=0 errors=0"
