# ---------------------------------------------------------------------------------------------------------
# Symlink manifests of the generated Glue job: the same objects, content and version protocol as
# publishManifests / published.ts of packages/lake, so Athena reads a table the Glue job committed exactly as
# one the local crawler published. Pure functions over a boto3-like S3 client (get_object, put_object,
# delete_object, get_paginator("list_objects_v2")): no Spark, so test/glue-manifests.test.ts runs them.
# ---------------------------------------------------------------------------------------------------------
import concurrent.futures
import datetime
import json
import urllib.parse

# SYMLINK_MANIFEST_FOLDER of packages/schema: under the table's data folder, never a data file.
MANIFEST_FOLDER = "_symlink_format_manifest/"
MANIFEST_NAME = "manifest"
# Concurrent puts/deletes of one publication, as in symlink-manifests.ts.
MANIFEST_PARALLEL = 16


def manifest_prefix(table):
    return "%s/%s" % (table, MANIFEST_FOLDER)


def published_key(table):
    # Beside the manifest folder, not in it (published.ts): the folder is a catalog location.
    return "%s/_symlink_published.json" % table


def partition_path(partition, names):
    """`k1=v1/k2=v2/` in `names` order, values escaped as encodeURIComponent does (partitionPath)."""
    return "".join("%s=%s/" % (k, urllib.parse.quote(partition[k], safe="-_.!~*'()")) for k in names)


def parse_partition(key):
    """Hive partition values of a key's `k=v` folder segments (parsePartition)."""
    out = {}
    for seg in key.split("/")[:-1]:
        i = seg.find("=")
        if i > 0:
            out[seg[:i]] = urllib.parse.unquote(seg[i + 1 :])
    return out


def manifest_folder(table, partition, names):
    return manifest_prefix(table) + (partition_path(partition, names) if names else "")


def snapshot_manifests(snapshot, table, names, uri):
    """Manifest key -> sorted URIs of the snapshot's BASE files in that partition (snapshotManifests): delta
    files are left out, so are base files without a value for every partition key; an unpartitioned table
    always has its one manifest."""
    out = {}
    if not names:
        out[manifest_folder(table, {}, names) + MANIFEST_NAME] = []
    for f in snapshot.get("files", []):
        if f.get("role") == "delta":
            continue
        p = f["partition"] if f.get("partition") is not None else parse_partition(f["key"])
        if any(k not in p for k in names):
            continue
        out.setdefault(manifest_folder(table, p, names) + MANIFEST_NAME, []).append(uri(f["key"]))
    for uris in out.values():
        uris.sort()
    return out


def _missing(e):
    return getattr(e, "response", {}).get("Error", {}).get("Code") in ("NoSuchKey", "404")


def read_published(s3, bucket, table):
    """The table's publication record (readPublished); None when never published."""
    try:
        p = json.loads(s3.get_object(Bucket=bucket, Key=published_key(table))["Body"].read())
    except Exception as e:  # botocore's ClientError; the runtime's tests have no botocore
        if _missing(e):
            return None
        raise
    p.setdefault("versions", [p["version"]])
    return p


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _write_published(s3, bucket, table, record):
    # JSON.stringify's bytes: no spaces, non-ASCII kept, one trailing newline.
    body = json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"
    s3.put_object(Bucket=bucket, Key=published_key(table), Body=body.encode())


def _each_parallel(items, f):
    if not items:
        return
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(MANIFEST_PARALLEL, len(items))) as pool:
        list(pool.map(f, items))  # list(): re-raises the first failure


def publish_manifests(s3, bucket, root, table, names, snapshot, now=_now):
    """Publishes `snapshot` as symlink manifests under `root` (`s3://bucket/`), as publishManifests does:
    records the version as pending beside the published ones (vacuum keeps the files of both), puts one
    manifest per partition, deletes the manifests of partitions no longer live, then records the version as
    published. Nothing is written when that version is already published under the same root."""
    version = snapshot["version"]
    before = read_published(s3, bucket, table)
    if before and before["version"] == version and len(before["versions"]) == 1 and before.get("root") == root:
        return {"version": version, "written": 0, "deleted": 0}
    manifests = snapshot_manifests(snapshot, table, names, lambda key: root + key)
    pending = list(dict.fromkeys((before or {}).get("versions", []) + [version]))
    _write_published(s3, bucket, table, {
        "version": (before or {}).get("version", 0),
        "versions": pending,
        "root": root,
        "publishedAt": now(),
        "manifests": (before or {}).get("manifests", 0),
    })
    _each_parallel(
        list(manifests.items()),
        lambda kv: s3.put_object(Bucket=bucket, Key=kv[0], Body="".join(u + "\n" for u in kv[1]).encode()),
    )
    stale = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=manifest_prefix(table)):
        for o in page.get("Contents", []):
            if o["Key"].split("/")[-1] == MANIFEST_NAME and o["Key"] not in manifests:
                stale.append(o["Key"])
    _each_parallel(stale, lambda key: s3.delete_object(Bucket=bucket, Key=key))
    _write_published(s3, bucket, table, {
        "version": version,
        "versions": [version],
        "root": root,
        "publishedAt": now(),
        "manifests": len(manifests),
    })
    return {"version": version, "written": len(manifests), "deleted": len(stale)}
