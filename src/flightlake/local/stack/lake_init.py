"""Create the lake's buckets and Glue databases; safe to run any number of times.

The embedded stack and the containers both run this, through the hook script in
`localstack/init/ready.d/`, so a laptop and `docker compose up` start from the same lake.
"""

from __future__ import annotations

from flightlake.lake.aws import client
from flightlake.lake.catalog import ensure_database
from flightlake.settings import Settings, load_settings


def create_buckets(settings: Settings) -> list[str]:
    """Create each zone's bucket unless it exists; returns those created."""
    s3 = client("s3", settings)
    existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    created = []
    for zone in settings.zones.values():
        if zone.bucket in existing:
            continue
        kwargs = {}
        if settings.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": settings.region}
        s3.create_bucket(Bucket=zone.bucket, **kwargs)
        existing.add(zone.bucket)
        created.append(zone.bucket)
    return created


def create_databases(settings: Settings) -> list[str]:
    glue = client("glue", settings)
    return [name for name in settings.glue_databases.values() if ensure_database(glue, name)]


def init_lake(settings: Settings) -> dict[str, list[str]]:
    return {"buckets": create_buckets(settings), "glue_databases": create_databases(settings)}


def main() -> None:
    settings = load_settings()
    created = init_lake(settings)
    buckets = ", ".join(zone.bucket for zone in settings.zones.values())
    databases = ", ".join(settings.glue_databases.values())
    print(f"lake ready: buckets {buckets}; Glue databases {databases}")
    if created["buckets"] or created["glue_databases"]:
        print(f"created: {', '.join(created['buckets'] + created['glue_databases'])}")


if __name__ == "__main__":
    main()
