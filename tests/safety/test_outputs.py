"""Outputs never destroy: Briefing replaces only what it made, one build at a time, and cleans up."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing.site.output import (SITE_MARKER, UnsafeTarget, check_file_target, check_location, check_site_target,
                             locked, record_file)
from conftest import ROOT, fast_sample, run_build

FIXTURE_SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of the frozen fixture seeds."""
    return Path(shutil.copytree(FIXTURE_SEEDS, tmp_path / "seeds"))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_refused(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "refusing to write" in result.stderr and "nothing was changed" in result.stderr and "hint:" in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def test_build_refuses_an_unrelated_folder_and_leaves_it_as_it_was(seeds: Path, tmp_path: Path):
    out = tmp_path / "notes"
    (out / "sub").mkdir(parents=True)
    (out / "thesis.txt").write_text("years of work")
    (out / "sub" / "data.csv").write_text("1,2,3")
    before = snapshot(out)
    result = run_build("build", "--seeds", str(seeds), "--out", str(out))
    assert_refused(result, str(out), "not built by Briefing", SITE_MARKER)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes", "seeds"]


def test_build_refuses_a_file_as_output(seeds: Path, tmp_path: Path):
    out = tmp_path / "site"
    out.write_text("a file")
    assert_refused(run_build("build", "--seeds", str(seeds), "--out", str(out)), "is a file")
    assert out.read_text() == "a file"


@pytest.mark.parametrize("out", fast_sample([".", "seeds", "..", "", " ", "docs", "templates", ".git", "briefing",
                                             "seeds/articles", "docs/site", "templates/theme/x", ".git/site", "/", "~"],
                                            keep=3))
def test_build_refuses_the_project_its_sources_and_the_places_above_them(out: str):
    head = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True).stdout
    listing = sorted(p.name for p in ROOT.iterdir())
    result = run_build("build", "--out", out)
    assert_refused(result)
    assert sorted(p.name for p in ROOT.iterdir()) == listing
    assert subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True).stdout == head


def test_build_refuses_the_current_folder_wherever_it_is(seeds: Path, tmp_path: Path):
    here = tmp_path / "work"
    here.mkdir()
    (here / "keep.txt").write_text("mine")
    result = run_build("build", "--seeds", str(seeds), "--out", ".", cwd=here)
    assert_refused(result, "current folder")
    assert (here / "keep.txt").read_text() == "mine"


def test_build_refuses_a_folder_that_contains_the_seeds_given(seeds: Path, tmp_path: Path):
    result = run_build("build", "--seeds", str(seeds), "--out", str(tmp_path))
    assert_refused(result, "contains")
    assert (seeds / "topics.yml").is_file()


def test_refusals_come_before_any_work_even_with_broken_seeds(seeds: Path, tmp_path: Path):
    (seeds / "topics.yml").write_text("topics: [")
    result = run_build("build", "--seeds", str(seeds), "--out", str(seeds))
    assert_refused(result)


@pytest.mark.slow
def test_a_site_briefing_built_is_replaced_and_marked(seeds: Path, tmp_path: Path):
    out = tmp_path / "site"
    assert run_build("build", "--seeds", str(seeds), "--out", str(out)).returncode == 0
    assert (out / SITE_MARKER).is_file() and (out / "index.html").is_file()
    (out / "stale.html").write_text("old")
    assert run_build("build", "--seeds", str(seeds), "--out", str(out)).returncode == 0
    assert not (out / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seeds", "site"]


def test_an_empty_folder_may_be_used_as_output(seeds: Path, tmp_path: Path):
    out = tmp_path / "empty"
    out.mkdir()
    assert run_build("build", "--seeds", str(seeds), "--out", str(out)).returncode == 0
    assert (out / "index.html").is_file()


@pytest.mark.slow
def test_bundle_and_pdf_refuse_a_file_of_the_same_name_they_did_not_write(seeds: Path, tmp_path: Path):
    dist = tmp_path / "dist"
    dist.mkdir()
    zipped = dist / "briefing-offline-2024-04-30.zip"
    zipped.write_bytes(b"someone else's zip")
    result = run_build("bundle", "--seeds", str(seeds), "--out", str(dist))
    assert_refused(result, zipped.name, "not a file Briefing wrote")
    assert zipped.read_bytes() == b"someone else's zip"
    zipped.unlink()
    assert run_build("bundle", "--seeds", str(seeds), "--out", str(dist)).returncode == 0
    first = zipped.read_bytes()
    assert run_build("bundle", "--seeds", str(seeds), "--out", str(dist)).returncode == 0  # its own: replaced
    assert zipped.read_bytes() == first
    zipped.write_bytes(first + b"edited")
    assert_refused(run_build("bundle", "--seeds", str(seeds), "--out", str(dist)), "changed since")
    pdf = dist / "briefing-2024-04-30.pdf"
    pdf.write_bytes(b"%PDF-1.4 a report of mine")
    assert_refused(run_build("pdf", "--seeds", str(seeds), "--out", str(dist)), pdf.name)
    assert pdf.read_bytes() == b"%PDF-1.4 a report of mine"


@pytest.mark.parametrize("command", ["bundle", "pdf", "preview"])
@pytest.mark.parametrize("out", fast_sample([".", "", "seeds", "docs/x", ".git"], keep=1))
def test_every_writing_command_refuses_unsafe_places(command: str, out: str):
    extra = ["--pr", "3", "--site-url", "https://example.org/pr-preview/pr-3/"] if command == "preview" else []
    assert_refused(run_build(command, *extra, "--out", out))


def test_check_location_names_each_reason(tmp_path: Path):
    project = tmp_path / "project"
    (project / "seeds").mkdir(parents=True)
    reasons = {}
    for raw in ["", str(project), str(project / "seeds"), str(project / "seeds" / "x"), str(tmp_path)]:
        with pytest.raises(UnsafeTarget) as caught:
            check_location(raw, project)
        reasons[raw] = caught.value.why
    assert "empty" in reasons[""]
    assert reasons[str(project)].startswith("it is the project")
    assert "lies inside the project's seeds/" in reasons[str(project / "seeds" / "x")]
    assert reasons[str(tmp_path)].startswith("it contains the project")
    assert check_location(str(project / "site"), project) == (project / "site").resolve()


def test_a_symbolic_link_to_the_project_is_refused(tmp_path: Path):
    link = tmp_path / "link"
    link.symlink_to(ROOT)
    with pytest.raises(UnsafeTarget):
        check_location(str(link), ROOT)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(UnsafeTarget, match="broken symbolic link"):
        check_site_target(dangling)


def test_a_recorded_file_is_replaceable_until_someone_changes_it(tmp_path: Path):
    target = tmp_path / "out.zip"
    check_file_target(target)  # absent: fine
    target.write_bytes(b"made by briefing")
    with pytest.raises(UnsafeTarget):
        check_file_target(target)
    record_file(target)
    check_file_target(target)
    target.write_bytes(b"changed by hand")
    with pytest.raises(UnsafeTarget, match="changed since"):
        check_file_target(target)


@pytest.mark.slow
def test_the_next_build_removes_what_killed_builds_left_behind(seeds: Path, tmp_path: Path):
    out = tmp_path / "site"
    for name in (".site-new-abc123", ".site-old-4242", ".site-old-x/site"):
        (tmp_path / name).mkdir(parents=True)
        (tmp_path / name / "index.html").write_text("half a site")
    (tmp_path / ".site-partial-1").write_text("x")
    (tmp_path / ".other-new-1").mkdir()  # not ours: another output's name
    assert run_build("build", "--seeds", str(seeds), "--out", str(out)).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other-new-1", "seeds", "site"]


@pytest.mark.slow
def test_a_killed_build_leaves_the_last_site_and_is_cleaned_up_next_time(seeds: Path, tmp_path: Path):
    out = tmp_path / "site"
    assert run_build("build", "--seeds", str(seeds), "--out", str(out)).returncode == 0
    before = snapshot(out)
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", "--seeds", str(seeds), "--out", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(tmp_path.glob(".site-new-*/*")):
        time.sleep(0.02)
    process.kill()
    process.wait()
    assert snapshot(out) == before
    assert run_build("build", "--seeds", str(seeds), "--out", str(out)).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seeds", "site"]


@pytest.mark.slow
def test_a_second_build_waits_for_the_first_and_says_so(seeds: Path, tmp_path: Path):
    out = tmp_path / "site"
    with locked(out.resolve()):
        process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", "--seeds", str(seeds),
                                    "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(4)
        assert process.poll() is None  # waiting for the lock
        assert not out.exists()
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert "Another build is writing" in stderr
    assert (out / "index.html").is_file()


@pytest.mark.slow
def test_concurrent_builds_into_one_output_all_succeed_and_leave_one_whole_site(seeds: Path, tmp_path: Path):
    out = tmp_path / "site"
    command = [sys.executable, str(ROOT / "build.py"), "build", "--seeds", str(seeds), "--out", str(out)]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in processes]
    for returncode, stderr in results:
        assert returncode == 0 and "Traceback" not in stderr, stderr
    assert (out / "index.html").is_file() and (out / SITE_MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seeds", "site"]


@pytest.mark.slow
def test_a_site_built_before_the_marker_existed_is_still_recognised(seeds: Path, tmp_path: Path):
    out = tmp_path / "site"
    assert run_build("build", "--seeds", str(seeds), "--out", str(out)).returncode == 0
    (out / SITE_MARKER).unlink()
    assert run_build("build", "--seeds", str(seeds), "--out", str(out)).returncode == 0


@pytest.mark.slow
def test_site_url_must_be_an_absolute_http_url(seeds: Path, tmp_path: Path):
    for bad in ['https://example.org/"><script>alert(1)</script>', "example.org", "javascript:alert(1)",
                "ftp://example.org/", "https://exa mple.org/", "https://"]:
        result = run_build("build", "--seeds", str(seeds), "--out", str(tmp_path / "site"), "--site-url", bad)
        assert result.returncode == 2 and "--site-url" in result.stderr and "Traceback" not in result.stderr, bad
        assert not (tmp_path / "site").exists()


def test_configured_values_are_escaped_in_every_page(seeds: Path, tmp_path: Path):
    out = tmp_path / "site"
    url = "https://example.org/a&b/"
    assert run_build("build", "--seeds", str(seeds), "--out", str(out), "--site-url", url).returncode == 0
    html = (out / "index.html").read_text()
    assert '<link rel="canonical" href="https://example.org/a&amp;b/">' in html


def test_an_os_error_is_a_clear_message_not_a_traceback(seeds: Path, tmp_path: Path):
    (tmp_path / "plain").write_text("a file where a folder should be")
    result = run_build("build", "--seeds", str(seeds), "--out", str(tmp_path / "plain" / "site"))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"error: {tmp_path / 'plain'}: ")
