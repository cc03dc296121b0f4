"""deploy/Dockerfile builds userstream the way CI does natively (scripts/setup.sh):
the same Debian library packages and the same `swift build` of the same product;
and it passes hadolint."""
import re
import shlex
import subprocess
import sys
from pathlib import Path

from deploy_env import DEPLOY, ROOT

SETUP = ROOT / "scripts" / "setup.sh"
DOCKERFILE = DEPLOY / "Dockerfile"
# Debian 12's runtime package for each -dev package the build needs.
RUNTIME_OF = {"liblz4-dev": "liblz4-1", "libsnappy-dev": "libsnappy1v5", "libzstd-dev": "libzstd1",
              "zlib1g-dev": "zlib1g", "libsqlite3-dev": "libsqlite3-0"}


def setup_packages() -> set[str]:
    match = re.search(r"^apt_packages=\(([^)]*)\)", SETUP.read_text(), re.M)
    assert match, "scripts/setup.sh has no apt_packages=(...) line"
    return set(match.group(1).split())


def setup_build_command() -> list[str]:
    lines = [line.strip() for line in SETUP.read_text().splitlines() if line.strip().startswith("swift build")]
    assert len(lines) == 1, lines
    return shlex.split(lines[0].split("2>&1")[0])


def stages() -> dict[str, str]:
    """Each Dockerfile stage's text by its name, with continuation lines joined."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    found = {}
    for block in re.split(r"^(?=FROM )", text, flags=re.M)[1:]:
        name = re.match(r"FROM \S+ AS (\S+)", block).group(1)
        found[name] = block
    return found


def installed(stage: str) -> set[str]:
    packages = set()
    for match in re.finditer(r"apt-get install ((?:[^&])*)", stage):
        packages |= {w for w in match.group(1).split() if not w.startswith("-")}
    return packages


def test_build_stage_installs_the_library_packages_setup_installs():
    build_deps = {p for p in setup_packages() if p.endswith("-dev")}
    assert build_deps == set(RUNTIME_OF), f"setup.sh's -dev packages changed: {sorted(build_deps)}"
    assert installed(stages()["build"]) == build_deps


def test_runtime_stages_install_the_matching_runtime_libraries():
    for name in ("userstream", "airflow"):
        missing = set(RUNTIME_OF.values()) - installed(stages()[name])
        assert not missing, f"stage {name} lacks {sorted(missing)}"


def test_build_stage_runs_the_same_build_as_ci_in_release_mode():
    native = setup_build_command()
    runs = re.findall(r"RUN (swift build [^&]*)", stages()["build"])
    assert runs, "the build stage runs no swift build"
    docker = shlex.split(runs[0])
    assert docker[docker.index("-c") + 1] == "release"
    del docker[docker.index("-c"):docker.index("-c") + 2]
    assert docker == native


def test_build_image_carries_the_toolchain_the_package_needs():
    tools = re.search(r"swift-tools-version:\s*(\d+)\.(\d+)", (ROOT / "Package.swift").read_text())
    image = re.search(r"FROM swift:(\d+)\.(\d+)", stages()["build"])
    assert image and tools
    assert (int(image[1]), int(image[2])) >= (int(tools[1]), int(tools[2]))


def hadolint(path: Path) -> subprocess.CompletedProcess:
    linter = Path(sys.executable).parent / "hadolint"
    assert linter.exists(), f"{linter} is missing — run scripts/setup-airflow.sh"
    return subprocess.run([str(linter), "--no-color", "--config", str(DEPLOY / "hadolint.yaml"), str(path)],
                          capture_output=True, text=True)


def test_dockerfile_passes_hadolint():
    result = hadolint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_check_rejects_a_careless_dockerfile(tmp_path):
    """The check above is only worth something if it fails on a bad file."""
    careless = tmp_path / "Dockerfile"
    careless.write_text("FROM debian:latest\nRUN cd /tmp && apt-get install curl\n")
    assert hadolint(careless).returncode != 0


def test_build_stage_copies_every_folder_the_package_names():
    copied = {line.split()[1].rstrip("/") for line in stages()["build"].splitlines() if line.startswith("COPY ")}
    package = (ROOT / "Package.swift").read_text()
    folders = {"Sources", "Tests"} | {p.split("/")[0] for p in re.findall(r'path:\s*"([^"]+)"', package)}
    assert {"Package.swift"} | folders <= copied, f"the build stage copies {sorted(copied)}"
