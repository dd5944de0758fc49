"""The lake: where every dataset lives, how it is catalogued, and how raw files get in.

    schemas      column lists of every dataset (one source for Spark, Arrow, Glue and the warehouse)
    tables       the lake's tables: zone, folder, partition keys
    aws          boto3 clients and pyarrow's S3 filesystem, pointed where the settings say
    catalog      Glue Data Catalog tables and year partitions (no crawlers)
    manifests    the completion record of a year's write
    provenance   which raw file each year's derived tables came from
    publish      finishing a step: manifest plus catalog partition, one call for every writer
    arrow_io     a year's partition read and written with pyarrow (the non-Spark steps)
    raw_contract what a raw year file must be, and the one rule for year file names
    raw_sniff    what a file that is not a Kaggle CSV is instead (compressed, UTF-16, ';', dates), and the fix
    raw_rows     a year file's rows counted the way raw_to_stage reads them; its first valid row
    ingest_sources  what ingest is given, expanded into year files (folders, zips, .csv.gz, .csv.bz2)
    ingest       checking files against the contract and uploading them to the raw zone
    raw_upload   the upload of a checked file: what was checked is what the lake stores, provably

Imported by the Spark jobs on AWS Glue: `schemas`, `tables`, `aws`, `catalog`, `manifests` and
`publish` use the standard library, boto3 and pyspark only.
"""
