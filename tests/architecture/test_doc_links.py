"""The repository's documentation is self-contained: every relative link in a Markdown file resolves to a file
inside the repository."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def broken_links(root: Path, files: list[Path]) -> list[str]:
    """'file: target' for each relative link that leaves the repository or names nothing."""
    broken = []
    for path in files:
        for target in LINK.findall(path.read_text(encoding="utf-8")):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # an absolute address (http:, mailto:) or an anchor in the same page
            resolved = (path.parent / target.split("#", 1)[0]).resolve()
            if not resolved.is_relative_to(root) or not resolved.exists():
                broken.append(f"{path.relative_to(root)}: {target}")
    return broken


def test_no_markdown_link_leaves_the_repository_or_dangles():
    """README, docs/ and every other tracked .md link only to files that exist in the repository."""
    tracked = subprocess.run(["git", "ls-files", "*.md"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert broken_links(ROOT, [ROOT / f for f in tracked if (ROOT / f).exists()]) == []


def test_a_link_outside_or_to_nothing_is_reported(tmp_path):
    """The check can fail: `../shared/docs/api.md` and a missing page are both reported, a good link is not."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "api.md").write_text("api", encoding="utf-8")
    page = tmp_path / "README.md"
    page.write_text("[a](../shared/docs/api.md) [b](docs/api.md) [c](docs/gone.md) [d](https://x.org/)",
                    encoding="utf-8")
    assert broken_links(tmp_path, [page]) == ["README.md: ../shared/docs/api.md", "README.md: docs/gone.md"]


def test_no_page_names_a_path_outside_the_repository():
    """No tracked Markdown file names `../shared` (not in a clone), as a link or as a path in the text."""
    tracked = subprocess.run(["git", "ls-files", "*.md"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    outside = [f for f in tracked if (ROOT / f).exists() and "../shared" in (ROOT / f).read_text(encoding="utf-8")]
    assert outside == []
