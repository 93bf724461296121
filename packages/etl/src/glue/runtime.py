# ---------------------------------------------------------------------------------------------------------
# Runtime of the generated Glue job: the same steps as the DuckDB runner (packages/etl/src/duckdb/runner.ts)
# over the same lake layout and the same table snapshot log (packages/lake/src/snapshots.ts), so readers,
# the crawler and Athena see one format whichever runner wrote it. The transform semantics are the portable
# SQL strings in JOBS, run unchanged by spark.sql.
# ---------------------------------------------------------------------------------------------------------
import datetime
import hashlib
import json
import re
import secrets
import sys
import time

import boto3
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from botocore.exceptions import ClientError
from pyspark.context import SparkContext
from pyspark.sql import Window
from pyspark.sql import functions as F

ARGS = getResolvedOptions(sys.argv, ["JOB_NAME"] + [a.lstrip("-") for a in JOB_ARGUMENTS])
FULL = ARGS.get("full", "false").lower() == "true"
SELECTED = [j for j in ARGS.get("jobs", "all").split(",") if j and j != "all"]

sc = SparkContext.getOrCreate()
glue = GlueContext(sc)
spark = glue.spark_session
spark.conf.set("spark.sql.session.timeZone", "UTC")
spark.conf.set("spark.sql.parquet.compression.codec", "zstd")
spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
job = Job(glue)
job.init(ARGS["JOB_NAME"], ARGS)
s3 = boto3.client("s3")
BUCKETS = {z: ARGS[z + "_bucket"] for z in ("raw", "processed", "curated", "rejected")}
# The run id of the pipeline run that started the job (`--run_id`), else a new one, plus a suffix per
# attempt: a retried attempt never writes the keys of an earlier one, which may have committed them.
_RUN = ARGS.get("run_id", "-")
if _RUN == "-":
    _RUN = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
elif not re.match(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,80}$", _RUN):
    raise ValueError("--run_id %r: letters, digits, '_', '.', '-' only (it names the run's files)" % _RUN)
RUN_ID = _RUN + "-" + secrets.token_hex(3)
# (zone, table) of every snapshot this run committed: what it publishes as manifests and vacuums.
COMMITTED = set()
TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


# --- table snapshot log (same protocol and JSON as packages/lake TableLog) ----------------------------------
def _get_json(bucket, key):
    try:
        return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except ClientError as e:
        if e.response["Error"]["Code"] in ("NoSuchKey", "404"):
            return None
        raise


def _exists(bucket, key):
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return True
    except ClientError:
        return False


def _version_key(table, v):
    return "_snapshots/%s/%010d.json" % (table, v)


def current(zone, table):
    bucket = BUCKETS[zone]
    v = (_get_json(bucket, "_snapshots/%s/_current" % table) or {}).get("version", 0)
    while _exists(bucket, _version_key(table, v + 1)):
        v += 1
    return _get_json(bucket, _version_key(table, v)) if v > 0 else None


def commit(zone, table, files, operation, watermark, expected_version, schema_hash):
    bucket = BUCKETS[zone]
    cur = current(zone, table)
    version = cur["version"] if cur else 0
    if version != expected_version:
        raise RuntimeError("%s.%s: expected version %d, found %d" % (zone, table, expected_version, version))
    before = cur["files"] if cur else []
    if operation == "append":
        files = before + files
    keys = set(f["key"] for f in files)
    snap = {
        "table": "%s.%s" % (zone, table),
        "version": version + 1,
        "runId": RUN_ID,
        "committedAt": datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z"),
        "schemaHash": schema_hash,
        "operation": operation,
        "files": files,
        # live rows: delta files (merge-on-read, written by the local runner) supersede base rows
        "rows": sum(f["rows"] - (f.get("supersedes", 0) if f.get("role") == "delta" else 0) for f in files),
        "added": len([f for f in files if f["key"] not in set(b["key"] for b in before)]),
        "removed": len([b for b in before if b["key"] not in keys]),
    }
    if watermark is not None:
        snap["watermark"] = watermark
    if any(f.get("role") == "delta" for f in files) and cur and cur.get("key"):
        snap["key"] = cur["key"]
    # Create-if-absent is the commit point (S3 conditional write), as in TableLog.commit.
    s3.put_object(Bucket=bucket, Key=_version_key(table, version + 1), Body=json.dumps(snap).encode(), IfNoneMatch="*")
    s3.put_object(Bucket=bucket, Key="_snapshots/%s/_current" % table, Body=json.dumps({"version": version + 1}).encode())
    COMMITTED.add((zone, table))
    return snap


def publish(zone, table):
    """Publishes the table's current snapshot as symlink manifests (manifests.py, what Athena reads through
    the catalog) when its zone is a manifest zone (`manifests` of its spec: SYMLINK_MANIFEST_ZONES of
    packages/schema)."""
    spec = TABLES["%s.%s" % (zone, table)]
    cur = current(zone, table)
    if not spec["manifests"] or not cur:
        return None
    return publish_manifests(s3, BUCKETS[zone], uri(zone), table, spec["partitions_names"], cur)


def vacuum(zone, table):
    """Deletes data files of `table` that predate the current snapshot and that neither it nor a version the
    symlink manifests publish lists (Athena reads those until a later publication), as TableLog.vacuum does;
    never the manifests."""
    bucket = BUCKETS[zone]
    cur = current(zone, table)
    if not cur:
        return
    live = set(f["key"] for f in cur["files"])
    for v in (read_published(s3, bucket, table) or {}).get("versions", []):
        if v != cur["version"]:
            live.update(f["key"] for f in (_get_json(bucket, _version_key(table, v)) or {}).get("files", []))
    cutoff = datetime.datetime.fromisoformat(cur["committedAt"].replace("Z", "+00:00"))
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=table + "/"):
        for o in page.get("Contents", []):
            if o["Key"].startswith(manifest_prefix(table)) or o["Key"] == published_key(table):
                continue
            if o["Key"] not in live and o["LastModified"] < cutoff:
                s3.delete_object(Bucket=bucket, Key=o["Key"])


# --- reading and writing lake files ----------------------------------------------------------------------
def uri(zone, key=""):
    return "s3://%s/%s" % (BUCKETS[zone], key)


def typed(df, columns):
    return df.select([F.col(c["name"]).cast(c["type"]).alias(c["name"]) for c in columns])


def base_files(files):
    return [f for f in files if f.get("role", "base") != "delta"]


def delta_files(files):
    return [f for f in files if f.get("role") == "delta"]


def scan_files(spec, files, hive=True):
    """Committed files read as they are, with exactly the table's columns (an empty frame when none). Base
    files take partition values from their Hive paths; delta files hold them as columns (hive=False)."""
    cols = spec["columns"] + spec["partitions"]
    uris = [uri(spec["zone"], f["key"]) for f in files]
    if not uris:
        schema = ", ".join("%s %s" % (c["name"], c["type"]) for c in cols)
        return spark.createDataFrame([], schema)
    reader = spark.read.option("basePath", uri(spec["zone"], spec["name"] + "/")) if hive else spark.read
    return typed(reader.parquet(*uris), cols)


def newest_delta(spec, files, key):
    """Each key's row of the newest delta layer that holds it (merge-on-read layers, higher `layer` = newer,
    packages/lake/src/merge-on-read.ts); None when there is no delta file."""
    deltas = delta_files(files)
    if not deltas:
        return None
    layers = sorted(set(f.get("layer", 0) for f in deltas))
    if len(layers) == 1:
        return scan_files(spec, deltas, hive=False)
    stacked = None
    for n in layers:
        layer = scan_files(spec, [f for f in deltas if f.get("layer", 0) == n], hive=False)
        layer = layer.withColumn("etl_layer", F.lit(n))
        stacked = layer if stacked is None else stacked.unionByName(layer)
    newest = Window.partitionBy(*key).orderBy(F.col("etl_layer").desc())
    return stacked.withColumn("etl_newest", F.row_number().over(newest)).where("etl_newest = 1").drop("etl_layer", "etl_newest")


def scan(spec, snap):
    """The live rows of a committed snapshot: base rows whose key no delta row holds, plus each key's newest
    delta row (merge-on-read, packages/lake/src/merge-on-read.ts); the base alone when there is no delta."""
    files = (snap or {}).get("files", [])
    base = scan_files(spec, base_files(files))
    delta = newest_delta(spec, files, (snap or {}).get("key", []))
    if delta is None:
        return base
    return base.join(delta.select(*snap["key"]), snap["key"], "left_anti").unionByName(delta)


def file_group(f, spec):
    if spec["placement"] == "hive":
        return "/".join("%s=%s" % (k, f["partition"][k]) for k in spec["partitions_names"])
    if spec["placement"] == "bucketed":
        m = re.search(r"-b([0-9A-Za-z_]+)-\d+\.parquet$", f["key"])
        return m.group(1) if m else "all"
    return "all"


def write(spec, df, run_id=None):
    """Writes df into a staging prefix, then copies each file to its run-unique key (as writeFiles does)."""
    run_id = run_id or RUN_ID
    zone, name, placement = spec["zone"], spec["name"], spec["placement"]
    stage = "_tmp/etl-%s/%s-%s" % (run_id, name, secrets.token_hex(3))
    writer = df.write.mode("overwrite").option("compression", "zstd")
    if placement == "hive":
        writer = writer.partitionBy(*spec["partitions_names"])
    elif placement == "bucketed":
        writer = writer.partitionBy("etl_bucket")
    writer.parquet(uri(zone, stage))
    counts = (
        spark.read.parquet(uri(zone, stage)).groupBy(F.input_file_name().alias("f")).count().collect()
    )
    rows = {r["f"].split(BUCKETS[zone] + "/", 1)[1]: r["count"] for r in counts}
    files, parts = [], {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKETS[zone], Prefix=stage + "/"):
        for o in page.get("Contents", []):
            if not o["Key"].endswith(".parquet") or rows.get(o["Key"], 0) == 0:
                continue
            rel = o["Key"][len(stage) + 1 :].split("/")
            values = dict(seg.split("=", 1) for seg in rel[:-1] if "=" in seg)
            group = values.get("etl_bucket", "all") if placement == "bucketed" else json.dumps(values, sort_keys=True)
            n = parts.get(group, 0)
            parts[group] = n + 1
            entry = {"rows": rows[o["Key"]]}
            if placement == "hive":
                part = {k: values[k] for k in spec["partitions_names"]}
                key = "%s/%s%s-%05d.parquet" % (name, "".join("%s=%s/" % (k, part[k]) for k in spec["partitions_names"]), run_id, n)
                entry["partition"] = part
            elif placement == "bucketed":
                key = "%s/%s-b%s-%05d.parquet" % (name, run_id, group, n)
            else:
                key = "%s/%s-%05d.parquet" % (name, run_id, n)
            s3.copy_object(Bucket=BUCKETS[zone], Key=key, CopySource={"Bucket": BUCKETS[zone], "Key": o["Key"]})
            entry["key"] = key
            entry["bytes"] = o["Size"]
            files.append(entry)
            s3.delete_object(Bucket=BUCKETS[zone], Key=o["Key"])
    return files


def merge(spec, key, delta, snap, bucket_sql):
    """Copy-on-write merge by key: rewrites only the buckets/partitions that receive or hold a delta key.
    The merge-on-read delta layers the local runner left are folded in too, so the result has base files only."""
    cols = [c["name"] for c in spec["columns"] + spec["partitions"]]

    def with_bucket(df):
        return df.selectExpr(*(cols + ([bucket_sql + " AS etl_bucket"] if spec["placement"] == "bucketed" else [])))

    existing = base_files((snap or {}).get("files", []))
    if FULL or not existing:
        return write(spec, with_bucket(delta)), [], "overwrite"
    previous = newest_delta(spec, snap["files"], snap.get("key") or key)
    if previous is not None:
        older = previous.join(delta.select(key), key, "left_anti")
        delta = older.unionByName(delta.select(*cols))
    d = with_bucket(delta)
    if spec["placement"] == "hive":
        groups = set("/".join("%s=%s" % (k, r[k]) for k in spec["partitions_names"]) for r in d.select(*spec["partitions_names"]).distinct().collect())
    elif spec["placement"] == "bucketed":
        groups = set(r["etl_bucket"] for r in d.select("etl_bucket").distinct().collect())
    else:
        groups = {"all"}
    holders = (
        scan_files(spec, existing).withColumn("f", F.input_file_name()).join(delta.select(key), key, "left_semi").select("f").distinct().collect()
    )
    by_uri = dict((uri(spec["zone"], f["key"]), f) for f in existing)
    for h in holders:
        f = by_uri.get(h["f"])
        if f:
            groups.add(file_group(f, spec))
    affected = [f for f in existing if file_group(f, spec) in groups]
    kept = [f for f in existing if file_group(f, spec) not in groups]
    old = scan(spec, {"files": affected}).join(delta.select(key), key, "left_anti")
    written = write(spec, with_bucket(old).unionByName(d))
    return written, kept, "replace-partitions"


def view(name, df):
    df.createOrReplaceTempView(name)


def bind_processed(reads):
    for name, spec in TABLES.items():
        if spec["zone"] == "processed" and "processed_" + spec["name"] in reads:
            view("processed_" + spec["name"], scan(spec, current("processed", spec["name"])))


def count_and_max(df, column):
    r = df.agg(F.count(F.lit(1)).alias("n"), F.date_format(F.max(column), "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").alias("wm")).collect()[0]
    return r["n"], r["wm"]


# --- steps -----------------------------------------------------------------------------------------------
def extract(j):
    spec = TABLES["raw." + j["table"]]
    snap = current("raw", j["table"])
    wm = None if FULL or not snap else snap.get("watermark")
    sql = j["query"]
    if wm:
        if not TS.match(wm):
            raise ValueError("bad watermark %r in raw.%s" % (wm, j["table"]))
        sql += " WHERE %s > '%s'::timestamptz" % (j["version"], wm)
    conf = glue.extract_jdbc_conf(ARGS["connection_name"])
    df = (
        spark.read.format("jdbc")
        .option("url", conf["fullUrl"] if "fullUrl" in conf else conf["url"] + "/" + ARGS["database"])
        .option("user", conf["user"])
        .option("password", conf["password"])
        .option("query", sql)
        .option("fetchsize", "10000")
        .load()
    )
    df = typed(df, spec["columns"]).cache()
    n, new_wm = count_and_max(df, j["version"])
    if n == 0:
        return {"job": j["name"], "rowsIn": 0, "skipped": "no change in the source"}
    files = write(spec, df)
    s = commit("raw", j["table"], files, "overwrite" if FULL else "append", new_wm, snap["version"] if snap else 0, spec["hash"])
    return {"job": j["name"], "rowsIn": n, "rowsOut": n, "files": len(files), "version": s["version"]}


def transform(j):
    spec = TABLES["processed." + j["table"]]
    raw = current("raw", j["table"])
    snap = current("processed", j["table"])
    wm = None if FULL or not snap else snap.get("watermark")
    src = scan(TABLES["raw." + j["table"]], raw)
    if wm:
        src = src.where(F.col(j["version"]) > F.lit(wm).cast("timestamp"))
    n, in_wm = count_and_max(src, j["version"])
    if n == 0:
        return {"job": j["name"], "rowsIn": 0, "skipped": "no new raw rows"}
    bind_processed(j["reads"])
    t = j["table"]
    view(t + "_input", src)
    for part in ("latest", "clean", "rejects"):
        view(t + "_" + part, spark.sql(j["sql"][part]).cache())
    accepted = spark.sql(j["sql"]["accepted"]).cache()
    latest = spark.table(t + "_latest").count()
    rejected = spark.table(t + "_rejects").select("etl_key").distinct().count()
    if rejected > 0:
        rej_spec = TABLES["rejected.etl_rejects"]
        rej_snap = current("rejected", "etl_rejects")
        tag = t + "-" + hashlib.sha256(((wm or "full:%s" % (raw or {}).get("version")) + "|" + in_wm).encode()).hexdigest()[:16]
        if not any("/%s-" % tag in f["key"] for f in (rej_snap or {}).get("files", [])):
            record = F.to_json(F.struct(*[F.col("l." + c["name"]) for c in TABLES["raw." + t]["columns"]]))
            rej = (
                spark.table(t + "_rejects").alias("x")
                .join(spark.table(t + "_latest").alias("l"), F.col("l." + j["key"]) == F.col("x.etl_key"))
                .select(F.lit(RUN_ID).alias("run_id"), F.lit(t).alias("source_table"), "x.record_key", "x.rule", "x.field", "x.value",
                        record.alias("record"), F.current_timestamp().alias("rejected_at"))
                .coalesce(1)
            )
            files = write(rej_spec, rej, run_id=tag)
            commit("rejected", "etl_rejects", files, "append", None, rej_snap["version"] if rej_snap else 0, rej_spec["hash"])
    written, kept, op = merge(spec, j["key"], accepted.drop("etl_bucket"), snap, j["bucket"])
    s = commit("processed", t, kept + written, "overwrite", in_wm, snap["version"] if snap else 0, spec["hash"])
    return {"job": j["name"], "rowsIn": n, "rowsOut": accepted.count(), "rejected": rejected, "superseded": n - latest,
            "files": len(written), "version": s["version"], "operation": op}


def load(j):
    spec = TABLES["curated." + j["table"]]
    snap = current("curated", j["table"])
    inputs = dict((s["name"], current("processed", s["name"])) for s in TABLES.values() if s["zone"] == "processed")
    bind_processed(j["reads"])
    mode = j["mode"]["kind"]
    if mode == "rebuild":
        wm = dict(("processed." + r[len("processed_"):], str((inputs.get(r[len("processed_"):]) or {}).get("version", 0))) for r in j["reads"])
        if not FULL and snap and snap.get("watermark") == wm:
            return {"job": j["name"], "skipped": "inputs unchanged"}
        files = write(spec, spark.sql(j["sql"]).coalesce(1))
        s = commit("curated", j["table"], files, "overwrite", wm, snap["version"] if snap else 0, spec["hash"])
        return {"job": j["name"], "files": len(files), "version": s["version"]}
    if mode == "merge":
        v = j["mode"]["versionColumn"]
        prev = {} if FULL or not snap else (snap.get("watermark") or {})
        bookings = scan(TABLES["processed.bookings"], inputs.get("bookings"))
        changed = bookings
        if prev.get("bookings"):
            def since(df, t):
                return df.where(F.col(v) > F.lit(prev[t]).cast("timestamp")) if prev.get(t) else df
            hot = since(spark.table("processed_hotels"), "hotels").select("hotel_id")
            cus = since(spark.table("processed_customers"), "customers").select("customer_id")
            changed = (since(bookings, "bookings")
                       .unionByName(bookings.join(hot, "hotel_id", "left_semi"))
                       .unionByName(bookings.join(cus, "customer_id", "left_semi"))
                       .dropDuplicates([j["mode"]["key"]]))
        view("changed_bookings", changed)
        wm = {}
        for name, df in (("bookings", bookings), ("hotels", spark.table("processed_hotels")), ("customers", spark.table("processed_customers"))):
            m = count_and_max(df, v)[1]
            if m:
                wm[name] = m
        delta = spark.sql(j["sql"]).cache()
        if delta.count() == 0:
            return {"job": j["name"], "skipped": "no changed bookings"}
        written, kept, op = merge(spec, j["mode"]["key"], delta, snap, None)
        s = commit("curated", j["table"], kept + written, "overwrite", wm, snap["version"] if snap else 0, spec["hash"])
        return {"job": j["name"], "rowsOut": delta.count(), "files": len(written), "version": s["version"], "operation": op}
    # aggregate (hotel_daily): recomputed whole from curated.bookings when it changed (the local runner
    # maintains it by delta aggregation instead)
    source = j["mode"]["source"]
    bsnap = current(*source.split("."))
    wm = {source: str((bsnap or {}).get("version", 0))}
    if not FULL and snap and snap.get("watermark") == wm:
        return {"job": j["name"], "skipped": source + " unchanged"}
    b = scan(TABLES[source], bsnap)
    view("daily_bookings", b)
    max_nights = b.agg(F.max("nights")).collect()[0][0] or 1
    view("etl_night_offsets", spark.range(0, max_nights).select(F.col("id").cast("int").alias("i")))
    files = write(spec, spark.sql(j["sql"]))
    s = commit("curated", j["table"], files, "overwrite", wm, snap["version"] if snap else 0, spec["hash"])
    return {"job": j["name"], "files": len(files), "version": s["version"]}


def selected(j):
    return not SELECTED or any(n in (j["name"], j["kind"]) or j["name"].endswith("." + n) for n in SELECTED)


summary = []
published = {}
try:
    for j in JOBS:
        if not selected(j):
            continue
        t0 = time.time()
        step = {"extract": extract, "transform": transform, "load": load}[j["kind"]](j)
        step["seconds"] = round(time.time() - t0, 3)
        summary.append(step)
        print(json.dumps(step))
finally:
    # After the commits (also those made before a step that failed) and before vacuum, which keeps the files
    # of the versions published. Athena reads the new manifests of catalogued partitions at once; partitions
    # new to the catalog once the crawler (catalog targets) adds them.
    for zone, table in sorted(COMMITTED):
        r = publish(zone, table)
        if r:
            published["%s.%s" % (zone, table)] = r
            print(json.dumps({"manifests": "%s.%s" % (zone, table), **r}))
for zone, table in sorted(COMMITTED | {("rejected", "etl_rejects")}):
    vacuum(zone, table)
print(json.dumps({"runId": RUN_ID, "full": FULL, "steps": summary, "manifests": published}))
job.commit()
