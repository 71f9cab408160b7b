"""healthsite as a publisher installs it: the wheel carries the bundled theme, and `init` starts a site that passes."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from conftest import BUILD_EPOCH, ROOT, run_healthsite
from site_files import files_below

THEME_FOLDERS = ("templates", "static", "strings")
STARTER_FILES = ["site.yaml", "content/back-pain/index.md", "content/back-pain/keeping-moving-with-back-pain.md",
                 ".github/workflows/site.yml", ".gitignore"]
ARTICLE = "content/back-pain/keeping-moving-with-back-pain.md"
# Left behind when the repository is copied to build the wheel: what no build reads, and what a build leaves.
NOT_BUILT_FROM = {".git", "tests", "public", ".healthsite-cache", "build", "dist", ".pytest_cache", ".hypothesis",
                  ".benchmarks"}


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a command as a publisher would, with the build date fixed and nothing pointing into this repository."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH}
    env.pop("PYTHONPATH", None)
    return subprocess.run([str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def front_matter(path: Path) -> dict:
    """Read a Markdown file's front matter."""
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build healthsite's wheel with pip, as `pip install .` would, from a copy of the repository (a build writes
    build/ and *.egg-info beside the sources), and return its path."""
    source = tmp_path_factory.mktemp("source") / "healthsite"
    shutil.copytree(ROOT, source, ignore=lambda folder, names: [
        name for name in names if (Path(folder) == ROOT and name in NOT_BUILT_FROM)
        or name == "__pycache__" or name.endswith(".egg-info")])
    out = tmp_path_factory.mktemp("wheels")
    done = run(sys.executable, "-m", "pip", "wheel", source, "--no-deps", "-w", out, "-q", cwd=out)
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = out.glob("healthsite-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install the wheel without its dependencies into a fresh venv that reuses the ones installed here (no network
    needed), and return the venv's folder."""
    folder = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(folder)], check=True)
    if sys.prefix != sys.base_prefix:  # run in a venv: --system-site-packages alone would not see the venv's packages
        own = Path(sysconfig.get_path("purelib", vars={"base": str(folder)}))
        (own / "dependencies-of-the-tests.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    python = folder / "bin" / "python"
    done = run(python, "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", "-q", wheel, cwd=folder)
    assert done.returncode == 0, done.stdout + done.stderr
    return folder


@pytest.mark.slow
def test_wheel_carries_every_file_of_the_bundled_theme(wheel: Path) -> None:
    theme = {f"{folder}/{name}": data for folder in THEME_FOLDERS for name, data in files_below(ROOT / folder).items()}
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name.removeprefix("healthsite/theme/"): archive.read(name)
                   for name in archive.namelist() if name.startswith("healthsite/theme/")}
    assert sorted(shipped) == sorted(theme)
    assert shipped == theme


@pytest.mark.slow
def test_installed_wheel_starts_a_site_elsewhere_that_builds_and_passes_check_strict(installed: Path,
                                                                                      tmp_path: Path) -> None:
    healthsite = installed / "bin" / "healthsite"
    started = run(healthsite, "init", "mysite", cwd=tmp_path)
    assert started.returncode == 0, started.stdout + started.stderr
    site_folder = tmp_path / "mysite"
    assert sorted(files_below(site_folder)) == sorted(STARTER_FILES)
    where = run(installed / "bin" / "python", "-c", "import healthsite, healthsite.config as c; "
                "print(healthsite.__file__, c.THEME_DIR, sep='\\n')", cwd=site_folder).stdout.splitlines()
    package = Path(where[0]).parent
    assert package.is_relative_to(installed) and Path(where[1]) == package / "theme", "the wheel's own theme, in use"
    built = run(healthsite, "build", cwd=site_folder)
    assert built.returncode == 0, built.stdout + built.stderr
    assert (site_folder / "public" / "index.html").is_file()
    assert (site_folder / "public" / "back-pain" / "keeping-moving-with-back-pain" / "index.html").is_file()
    checked = run(healthsite, "check", "--strict", cwd=site_folder)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stderr.strip() == "Checked 1 article: 0 errors, 0 warnings."


def test_init_writes_a_starter_site_lists_it_and_says_what_to_run_next(tmp_path: Path) -> None:
    result = run_healthsite("init", "mysite", cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[:6] == ["Created a new site in mysite:", *[f"  {name}" for name in STARTER_FILES]]
    for command in ("cd mysite", "healthsite serve", "healthsite check --strict", "healthsite build"):
        assert f"\n  {command}" in result.out
    assert sorted(files_below(tmp_path / "mysite")) == sorted(STARTER_FILES)
    assert (tmp_path / "mysite" / ".gitignore").read_text(encoding="utf-8").splitlines()[1:] == [
        "public/", ".healthsite-cache/"]


def test_init_site_passes_check_strict_with_an_article_awaiting_review(tmp_path: Path) -> None:
    assert run_healthsite("init", "mysite", cwd=tmp_path).code == 0
    site_folder = tmp_path / "mysite"
    config = yaml.safe_load((site_folder / "site.yaml").read_text(encoding="utf-8"))
    assert {"title", "description", "base_url", "tags"} <= config.keys() and config["search"] is True
    article = front_matter(site_folder / ARTICLE)
    assert front_matter(site_folder / "content/back-pain/index.md")["kind"] == "pillar"
    assert not {"reviewed", "reviewer"} & article.keys()
    assert set(article["tags"]) <= config["tags"].keys()
    assert article["date"] == datetime.fromtimestamp(int(BUILD_EPOCH), tz=timezone.utc).date()  # the day it started
    assert all(source["url"].startswith("https://") for source in article["sources"])
    assert '!!! warning "When to get help"' in (site_folder / ARTICLE).read_text(encoding="utf-8")
    checked = run_healthsite("check", "--strict", "--report", cwd=site_folder)
    assert checked.code == 0, checked.out + checked.err
    assert checked.err.strip() == "Checked 1 article: 0 errors, 0 warnings."
    assert "awaiting review" in checked.out


def test_init_workflow_installs_a_pinned_healthsite_and_runs_the_repository_workflow_commands(tmp_path: Path) -> None:
    assert run_healthsite("init", "mysite", cwd=tmp_path).code == 0
    workflow_file = tmp_path / "mysite" / ".github" / "workflows" / "site.yml"
    for schema in ("vendor.github-workflows", "custom.github-workflows-require-timeout"):
        done = run(sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, workflow_file, cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
    workflow = yaml.safe_load(workflow_file.read_text(encoding="utf-8"))
    ours = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8"))
    runs = [step["run"] for step in workflow["jobs"]["build"]["steps"] if "run" in step]
    assert runs[0] == 'python -m pip install "$HEALTHSITE"'
    assert workflow["env"]["HEALTHSITE"].startswith("healthsite @ git+https://")
    assert workflow["env"]["HEALTHSITE"].endswith("@v" + metadata.version("healthsite"))
    assert runs[1:] == [step["run"] for step in ours["jobs"]["build"]["steps"]
                        if step.get("run", "").startswith("healthsite")]
    assert workflow["jobs"]["deploy"] == ours["jobs"]["deploy"]


@pytest.mark.parametrize("existing", ["notes.txt", ".git/HEAD"])
def test_init_refuses_a_folder_that_is_not_empty_and_leaves_it_alone(tmp_path: Path, existing: str) -> None:
    (tmp_path / "mysite" / existing).parent.mkdir(parents=True)
    (tmp_path / "mysite" / existing).write_text("mine\n", encoding="utf-8")
    result = run_healthsite("init", "mysite", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == ("healthsite init: mysite is not empty; init writes a new site only into a new or empty "
                          "folder\n")
    assert files_below(tmp_path / "mysite") == {existing: b"mine\n"}


def test_init_refuses_a_file_in_the_folder_place(tmp_path: Path) -> None:
    (tmp_path / "mysite").write_text("mine\n", encoding="utf-8")
    result = run_healthsite("init", "mysite", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == ("healthsite init: mysite is a file, not a folder; init writes a new site only into a new or "
                          "empty folder\n")
