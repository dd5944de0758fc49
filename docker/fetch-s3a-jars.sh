#!/bin/sh
# Puts the two jars Spark's S3A connector needs into DEST as hadoop-aws.jar and
# aws-java-sdk-bundle.jar (the names FLIGHTLAKE_S3A_JARS gives the project), every byte checked.
# Run by the Dockerfile at build time; tests run it natively.
#
#   fetch-s3a-jars.sh DEST
#
# 1. Maven Central, the ordinary way: org.apache.hadoop:hadoop-aws:$HADOOP_AWS_VERSION and the
#    com.amazonaws:aws-java-sdk-bundle:$AWS_SDK_BUNDLE_VERSION it was built against, from
#    $MAVEN_REPO. Used only when HADOOP_AWS_SHA256 and AWS_SDK_BUNDLE_SHA256 pin the files.
# 2. Otherwise, or when that download fails or a checksum differs: the project's own route,
#    flightlake.local.stack.jars (the PyPI sdist sagemaker-pyspark, sha256-pinned in that module), the
#    same jars the embedded stack uses. S3A_JARS_CACHE may name a directory of already verified
#    jars (tests use the project's cache instead of downloading 180 MB again).
set -eu
dest=${1:?usage: fetch-s3a-jars.sh DEST}
python=${PYTHON:-python3}
: "${MAVEN_REPO:=https://repo1.maven.org/maven2}"
: "${HADOOP_AWS_VERSION:=3.3.4}"
: "${AWS_SDK_BUNDLE_VERSION:=1.12.262}"
mkdir -p "$dest"

# download URL FILE SHA256: fetch to FILE.part, check, then rename; non-zero on any failure.
download() {
  "$python" - "$1" "$2" "$3" <<'PY'
import hashlib, os, sys, urllib.request
url, target, expected = sys.argv[1:]
digest = hashlib.sha256()
try:
    with urllib.request.urlopen(url, timeout=60) as response, open(target + ".part", "wb") as out:
        for block in iter(lambda: response.read(1 << 20), b""):
            digest.update(block)
            out.write(block)
except OSError as error:
    sys.exit(f"fetch-s3a-jars: {url}: {error}")
if digest.hexdigest() != expected.lower():
    os.unlink(target + ".part")
    sys.exit(f"fetch-s3a-jars: {url}: sha256 {digest.hexdigest()} is not the pinned {expected}")
os.replace(target + ".part", target)
PY
}

from_maven() {
  if [ -z "${HADOOP_AWS_SHA256:-}" ] || [ -z "${AWS_SDK_BUNDLE_SHA256:-}" ]; then
    echo "fetch-s3a-jars: no sha256 pinned for the Maven Central jars; using the project's own route" >&2
    return 1
  fi
  download "$MAVEN_REPO/org/apache/hadoop/hadoop-aws/$HADOOP_AWS_VERSION/hadoop-aws-$HADOOP_AWS_VERSION.jar" \
    "$dest/hadoop-aws.jar" "$HADOOP_AWS_SHA256" &&
  download "$MAVEN_REPO/com/amazonaws/aws-java-sdk-bundle/$AWS_SDK_BUNDLE_VERSION/aws-java-sdk-bundle-$AWS_SDK_BUNDLE_VERSION.jar" \
    "$dest/aws-java-sdk-bundle.jar" "$AWS_SDK_BUNDLE_SHA256" &&
  echo "maven hadoop-aws-$HADOOP_AWS_VERSION aws-java-sdk-bundle-$AWS_SDK_BUNDLE_VERSION" > "$dest/SOURCE"
}

from_project() {
  # ensure_jars honours FLIGHTLAKE_S3A_JARS, which names the very files we are making: drop it.
  env -u FLIGHTLAKE_S3A_JARS "$python" - "$dest" "${S3A_JARS_CACHE:-$dest/cache}" <<'PY'
import shutil, sys
from pathlib import Path
from flightlake.local.stack.jars import JARS, ensure_jars, sha256
from flightlake.settings import load_settings
dest, cache = Path(sys.argv[1]), Path(sys.argv[2])
settings = load_settings({"FLIGHTLAKE_JARS_DIR": str(cache)})
hadoop_aws, sdk_bundle = sorted(ensure_jars(settings), key=lambda p: not p.name.startswith("hadoop-aws"))
for source, name in ((hadoop_aws, "hadoop-aws.jar"), (sdk_bundle, "aws-java-sdk-bundle.jar")):
    if sha256(source) != JARS[source.name]:  # a cache is trusted for nothing: check every byte
        sys.exit(f"fetch-s3a-jars: {source} does not match its pinned sha256")
    shutil.copyfile(source, dest / name)
(dest / "SOURCE").write_text(f"pypi {hadoop_aws.stem} {sdk_bundle.stem}\n")
PY
  if [ -z "${S3A_JARS_CACHE:-}" ]; then rm -rf "$dest/cache"; fi
}

rm -f "$dest/hadoop-aws.jar" "$dest/aws-java-sdk-bundle.jar" "$dest/SOURCE"
from_maven || from_project
echo "S3A jars in $dest: $(cat "$dest/SOURCE")"
