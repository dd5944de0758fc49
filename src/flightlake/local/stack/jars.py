"""The two jars Spark's S3A connector needs, obtained offline-friendly and checked.

The pyspark wheel has no S3A connector, and Maven Central is out of reach here. The PyPI sdist
`sagemaker-pyspark==1.4.5` carries `hadoop-aws-3.3.1.jar` and `aws-java-sdk-bundle-1.11.901.jar`,
which work with PySpark 3.5 (Hadoop client 3.3.4). We download that sdist through pip (so any
configured index or mirror works), extract the two jars, check their sha256 and cache them in
the state directory. The package itself is never installed. `make setup`, the container image and
`flightlake up` call `ensure_jars`; the Spark session only looks for the files
(`flightlake.spark.session.s3a_jars`).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from flightlake.errors import FlightlakeError
from flightlake.settings import Settings
from flightlake.spark.session import S3A_JARS, s3a_jars

SDIST = "sagemaker-pyspark==1.4.5"
JARS: dict[str, str] = dict(
    zip(
        S3A_JARS,
        (
            "6be50ad8a8b445d2802381b085b2a3ede5c29d353450a6a21f16b2fefa962b6e",
            "b87175b32a16544cc1b37cf40390eb375833e62bed67f8ce6cde4b7ad6429ead",
        ),
        strict=True,
    )
)


class JarError(FlightlakeError):
    """The S3A jars could not be obtained or failed their checksum."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cached_jars(directory: Path) -> list[Path] | None:
    """The jar paths when both are cached (a checksum marker records they were verified)."""
    paths = [directory / name for name in JARS]
    marker = directory / "verified"
    if all(p.exists() for p in paths) and marker.exists():
        return paths
    return None


def ensure_jars(settings: Settings, verbose: bool = True) -> list[Path]:
    """The jars Spark will load: those FLIGHTLAKE_S3A_JARS names (checked to exist), the cached
    ones, or downloaded, extracted and verified once (about 180 MB)."""
    if settings.s3a_jars:
        return s3a_jars(settings)
    directory = settings.s3a_jars_dir
    cached = cached_jars(directory)
    if cached:
        return cached
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        if verbose:
            print(f"fetching the S3A jars from the PyPI sdist {SDIST} (once, ~180 MB) ...", flush=True)
        result = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-d", tmp, SDIST],
            capture_output=True,
            text=True,
            check=False,
        )
        archives = list(Path(tmp).glob("sagemaker_pyspark-*.tar.gz"))
        if result.returncode != 0 or not archives:
            raise JarError(
                f"could not download {SDIST} with pip (is PyPI reachable?):\n{result.stderr[-2000:]}\n"
                "Alternatively set FLIGHTLAKE_S3A_JARS="
                "/path/hadoop-aws-3.3.1.jar,/path/aws-java-sdk-bundle-1.11.901.jar"
            )
        with tarfile.open(archives[0]) as archive:
            for member in archive.getmembers():
                name = Path(member.name).name
                if name in JARS and member.isfile():
                    source = archive.extractfile(member)
                    assert source is not None
                    with open(directory / name, "wb") as target:
                        while block := source.read(1 << 20):
                            target.write(block)
    for name, expected in JARS.items():
        path = directory / name
        if not path.exists():
            raise JarError(f"{SDIST} did not contain {name}")
        actual = sha256(path)
        if actual != expected:
            path.unlink()
            raise JarError(f"{name}: sha256 {actual} does not match the expected {expected}; removed it.")
    (directory / "verified").write_text("\n".join(f"{h}  {n}" for n, h in JARS.items()) + "\n")
    if verbose:
        print(f"S3A jars verified and cached in {directory}", flush=True)
    return [directory / name for name in JARS]
