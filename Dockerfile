# syntax=docker/dockerfile:1
#
# flightlake: ONE image for every Airflow 3.3.1 component, the Spark 3.5.9 standalone master,
# worker and driver, the S3 + Glue emulator (moto) and the `flightlake` CLI.
#
# It installs exactly what the embedded default runs: requirements/bootstrap.txt (uv) and
# requirements/lock.txt, hash-checked, then the project itself with --no-deps. The DAGs, the
# Spark jobs and src/ are bind-mounted by docker-compose.yml, so edits show up without a rebuild;
# src/ is also copied here so the image works on its own (the editable install points at it).
#
#   docker build -t flightlake:local .
#   docker build --build-arg HADOOP_AWS_SHA256=... --build-arg AWS_SDK_BUNDLE_SHA256=... .
#       (S3A jars from Maven Central instead of the project's PyPI route; see docs/compose.md)

ARG PYTHON_IMAGE=python:3.12-slim-bookworm

# --- runtime base: Python 3.12 and a Java 17 runtime for Spark --------------------------------
FROM ${PYTHON_IMAGE} AS runtime-base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LANG=C.UTF-8
# man1 must exist for the JRE's postinst on slim images.
RUN mkdir -p /usr/share/man/man1 \
 && apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/*

# --- build: the pinned virtualenv, the project, the S3A jars ----------------------------------
FROM runtime-base AS build
ENV VIRTUAL_ENV=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy
WORKDIR /opt/flightlake
COPY requirements/bootstrap.txt requirements/lock.txt requirements/
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --require-hashes --no-deps -r requirements/bootstrap.txt \
 && /opt/venv/bin/uv pip install --no-cache --require-hashes -r requirements/lock.txt
COPY pyproject.toml README.md ./
COPY src ./src
RUN /opt/venv/bin/uv pip install --no-cache --no-deps -e . \
 && rm -rf src/*.egg-info

# S3A connector jars. Maven Central when both sha256 are pinned (and the download and check
# succeed), else the project's own, sha256-pinned extraction from PyPI (flightlake.local.stack.jars).
ARG MAVEN_REPO=https://repo1.maven.org/maven2
ARG HADOOP_AWS_VERSION=3.3.4
ARG AWS_SDK_BUNDLE_VERSION=1.12.262
ARG HADOOP_AWS_SHA256=
ARG AWS_SDK_BUNDLE_SHA256=
COPY docker/fetch-s3a-jars.sh /usr/local/bin/fetch-s3a-jars.sh
RUN PATH=/opt/venv/bin:$PATH \
    MAVEN_REPO=$MAVEN_REPO HADOOP_AWS_VERSION=$HADOOP_AWS_VERSION AWS_SDK_BUNDLE_VERSION=$AWS_SDK_BUNDLE_VERSION \
    HADOOP_AWS_SHA256=$HADOOP_AWS_SHA256 AWS_SDK_BUNDLE_SHA256=$AWS_SDK_BUNDLE_SHA256 \
    sh /usr/local/bin/fetch-s3a-jars.sh /opt/flightlake/jars

# --- runtime: non-root, no compilers, no caches ------------------------------------------------
FROM runtime-base AS runtime
ARG FLIGHTLAKE_UID=50000
RUN groupadd --gid "$FLIGHTLAKE_UID" flightlake \
 && useradd --uid "$FLIGHTLAKE_UID" --gid flightlake --create-home --shell /bin/bash flightlake \
 && mkdir -p /opt/airflow /data /tmp/spark-work \
 && chown flightlake:flightlake /opt/airflow /data /tmp/spark-work
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/flightlake /opt/flightlake
# Entry points of every service (the same scripts the embedded stack and the tests run).
COPY scripts/services /opt/flightlake/scripts/services
COPY localstack /opt/flightlake/localstack

ENV PATH=/opt/venv/bin:$PATH \
    VIRTUAL_ENV=/opt/venv \
    SPARK_HOME=/opt/venv/lib/python3.12/site-packages/pyspark \
    PYSPARK_PYTHON=/opt/venv/bin/python \
    AIRFLOW_HOME=/opt/airflow \
    FLIGHTLAKE_PROJECT_DIR=/opt/flightlake \
    FLIGHTLAKE_STATE_DIR=/tmp/flightlake \
    FLIGHTLAKE_S3A_JARS=/opt/flightlake/jars/hadoop-aws.jar,/opt/flightlake/jars/aws-java-sdk-bundle.jar

USER flightlake
WORKDIR /opt/flightlake
CMD ["flightlake", "--help"]
