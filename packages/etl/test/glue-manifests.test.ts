import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { awsLayout, type DataFile, LocalObjectStore, publishManifests, type Snapshot } from "@hotels/lake";
import { describe, expect, it } from "vitest";
import { GLUE_MANIFESTS_PATH } from "../src/index.ts";

/** One publication: a table's snapshot as the Glue job (or the crawler) publishes it. */
interface Step {
  readonly table: string;
  readonly names: readonly string[];
  readonly version: number;
  readonly files: readonly DataFile[];
  /** Python only: every manifest put of this step fails (a job that dies after its pending record). */
  readonly fail?: boolean;
}

const layout = awsLayout({ prefix: "hotels", env: "test" });
const BUCKET = layout.bucket("curated");
const ROOT = layout.uri("curated");
const AT = "2026-11-24T06:15:00.000Z";

/** Runs the Glue job's manifests.py (no Spark: plain /usr/bin/python3) over an in-memory S3 fake that pages
 * its listings two keys at a time; returns each step's result and S3 calls, and the objects left. */
const HARNESS = `
import io, json, sys
sys.path.insert(0, sys.argv[1])
import manifests

class NoSuchKey(Exception):
    response = {"Error": {"Code": "NoSuchKey"}}

class FakeS3:
    def __init__(self, bucket):
        self.bucket, self.objects, self.calls, self.fail = bucket, {}, [], False
    def _check(self, Bucket):
        assert Bucket == self.bucket, Bucket
    def get_object(self, Bucket, Key):
        self._check(Bucket)
        self.calls.append(["get", Key])
        if Key not in self.objects:
            raise NoSuchKey()
        return {"Body": io.BytesIO(self.objects[Key])}
    def put_object(self, Bucket, Key, Body):
        self._check(Bucket)
        self.calls.append(["put", Key])
        if self.fail and Key.endswith("/manifest"):
            raise RuntimeError("killed")
        self.objects[Key] = Body
    def delete_object(self, Bucket, Key):
        self._check(Bucket)
        self.calls.append(["delete", Key])
        self.objects.pop(Key, None)
    def get_paginator(self, name):
        assert name == "list_objects_v2"
        fake = self
        class Paginator:
            def paginate(self, Bucket, Prefix):
                fake._check(Bucket)
                fake.calls.append(["list", Prefix])
                keys = sorted(k for k in fake.objects if k.startswith(Prefix))
                for i in range(0, max(len(keys), 1), 2):
                    page = keys[i:i + 2]
                    yield {"Contents": [{"Key": k} for k in page]} if page else {}
        return Paginator()

task = json.load(sys.stdin)
s3 = FakeS3(task["bucket"])
steps = []
for step in task["steps"]:
    s3.calls, s3.fail = [], step.get("fail", False)
    snapshot = {"version": step["version"], "files": step["files"]}
    try:
        result = manifests.publish_manifests(s3, task["bucket"], task["root"], step["table"], step["names"], snapshot, now=lambda: task["at"])
    except RuntimeError as e:
        result = {"error": str(e)}
    steps.append({"result": result, "calls": s3.calls})
print(json.dumps({"steps": steps, "objects": {k: v.decode() for k, v in s3.objects.items()}}))
`;

interface PyRun {
  readonly steps: {
    result: { version: number; written: number; deleted: number } | { error: string };
    calls: string[][];
  }[];
  readonly objects: Record<string, string>;
}

function runPython(steps: readonly Step[]): PyRun {
  const out = execFileSync("/usr/bin/python3", ["-c", HARNESS, path.dirname(GLUE_MANIFESTS_PATH)], {
    input: JSON.stringify({ bucket: BUCKET, root: ROOT, at: AT, steps }),
    // no __pycache__ next to the source
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  return JSON.parse(out.toString()) as PyRun;
}

/** The same steps through packages/lake's publishManifests (the crawler's), over a local store laid out as
 * the AWS lake: every object left, with publishedAt pinned as the Python run pins it. */
async function runLake(steps: readonly Step[]) {
  const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), "glue-manifests-")));
  const results = [];
  for (const s of steps)
    results.push(
      await publishManifests({
        store,
        layout,
        zone: "curated",
        table: s.table,
        partitionNames: s.names,
        snapshot: { version: s.version, files: s.files } as unknown as Snapshot,
      }),
    );
  const objects: Record<string, string> = {};
  for await (const o of store.list(BUCKET)) {
    const text = new TextDecoder().decode(await store.get(BUCKET, o.key));
    objects[o.key] = o.key.endsWith("_symlink_published.json")
      ? `${JSON.stringify({ ...JSON.parse(text), publishedAt: AT })}\n`
      : text;
  }
  return { results, objects };
}

/** A call sequence with runs of the same kind collapsed (puts and deletes run 16 at a time). */
const phases = (calls: string[][]) =>
  calls
    .map(([op, key]) =>
      key!.endsWith("_symlink_published.json") ? `${op} record` : op === "list" ? "list" : `${op} manifest`,
    )
    .filter((k, i, all) => i === 0 || all[i - 1] !== k);

const DAILY = ["stay_year", "stay_month"];
const base = (key: string, partition?: Record<string, string>): DataFile => ({
  key,
  rows: 1,
  bytes: 10,
  ...(partition ? { partition } : {}),
});

describe("the Glue job's symlink manifests (manifests.py) are the crawler's (publishManifests)", () => {
  const v1: Step = {
    table: "hotel_daily",
    names: DAILY,
    version: 1,
    files: [
      base("hotel_daily/stay_year=2017/stay_month=7/r1-00001.parquet", {
        stay_year: "2017",
        stay_month: "7",
      }),
      base("hotel_daily/stay_year=2017/stay_month=7/r1-00000.parquet", {
        stay_year: "2017",
        stay_month: "7",
      }),
      // no partition field: its values come from its Hive folders
      base("hotel_daily/stay_year=2017/stay_month=8/r1-00002.parquet"),
      // no value for stay_month: in no partition
      base("hotel_daily/stay_year=2017/r1-00003.parquet", { stay_year: "2017" }),
      // delta files are never listed
      {
        ...base("hotel_daily/_delta/r1-00004.parquet"),
        role: "delta",
        layer: 1,
        partitions: [{ stay_year: "2017", stay_month: "9" }],
      },
    ],
  };
  const v2: Step = {
    ...v1,
    version: 2,
    files: [
      base("hotel_daily/stay_year=2017/stay_month=7/r2-00000.parquet", {
        stay_year: "2017",
        stay_month: "7",
      }),
    ],
  };
  const escaped: Step = {
    table: "tricky",
    names: ["source"],
    version: 1,
    files: [
      base("tricky/source=Caf%C3%A9%20%26%20Co%2F1/r1-00000.parquet", { source: "Café & Co/1" }),
      base("tricky/source=Caf%C3%A9%20%26%20Co%2F1/r1-00001.parquet"),
      base("tricky/source=a(b)!~*'/r1-00002.parquet", { source: "a(b)!~*'" }),
    ],
  };
  const hotels: Step = {
    table: "hotels",
    names: [],
    version: 3,
    files: [base("hotels/r3-00001.parquet"), base("hotels/r3-00000.parquet")],
  };
  const empty: Step = { table: "empty", names: [], version: 1, files: [] };

  it("same objects, byte for byte, and the same results over a sequence of publications", async () => {
    // prepare
    const steps = [v1, v2, v2, escaped, hotels, empty];
    // act
    const py = runPython(steps);
    const ts = await runLake(steps);
    // assert
    expect(py.steps.map((s) => s.result)).toEqual(ts.results);
    expect(py.objects).toEqual(ts.objects);
    // what they agree on
    expect(ts.results).toEqual([
      { version: 1, written: 2, deleted: 0 },
      { version: 2, written: 1, deleted: 1 },
      { version: 2, written: 0, deleted: 0 },
      { version: 1, written: 2, deleted: 0 },
      { version: 3, written: 1, deleted: 0 },
      { version: 1, written: 1, deleted: 0 },
    ]);
    expect(Object.keys(py.objects).sort()).toEqual([
      "empty/_symlink_format_manifest/manifest",
      "empty/_symlink_published.json",
      "hotel_daily/_symlink_format_manifest/stay_year=2017/stay_month=7/manifest",
      "hotel_daily/_symlink_published.json",
      "hotels/_symlink_format_manifest/manifest",
      "hotels/_symlink_published.json",
      "tricky/_symlink_format_manifest/source=Caf%C3%A9%20%26%20Co%2F1/manifest",
      "tricky/_symlink_format_manifest/source=a(b)!~*'/manifest",
      "tricky/_symlink_published.json",
    ]);
    expect(py.objects["hotels/_symlink_format_manifest/manifest"]).toBe(
      "s3://hotels-test-curated/hotels/r3-00000.parquet\ns3://hotels-test-curated/hotels/r3-00001.parquet\n",
    );
    expect(py.objects["empty/_symlink_format_manifest/manifest"]).toBe("");
    expect(py.objects["hotel_daily/_symlink_published.json"]).toBe(
      `{"version":2,"versions":[2],"root":"s3://hotels-test-curated/","publishedAt":"${AT}","manifests":1}\n`,
    );
  });

  it("v1's July manifest lists its two base files sorted; August's comes from the Hive folders", () => {
    // act
    const py = runPython([v1]);
    // assert
    const m = (k: string) => py.objects[`hotel_daily/_symlink_format_manifest/${k}/manifest`];
    expect(m("stay_year=2017/stay_month=7")).toBe(
      [
        "s3://hotels-test-curated/hotel_daily/stay_year=2017/stay_month=7/r1-00000.parquet",
        "s3://hotels-test-curated/hotel_daily/stay_year=2017/stay_month=7/r1-00001.parquet",
        "",
      ].join("\n"),
    );
    expect(m("stay_year=2017/stay_month=8")).toBe(
      "s3://hotels-test-curated/hotel_daily/stay_year=2017/stay_month=8/r1-00002.parquet\n",
    );
    expect(m("stay_year=2017/stay_month=9")).toBeUndefined();
  });

  it("records the version as pending first, then manifests, then the stale deletes, then the version", () => {
    // act
    const py = runPython([v1, v2, v2]);
    // assert
    const [first, second, third] = py.steps;
    expect(phases(first!.calls)).toEqual(["get record", "put record", "put manifest", "list", "put record"]);
    expect(phases(second!.calls)).toEqual([
      "get record",
      "put record",
      "put manifest",
      "list",
      "delete manifest",
      "put record",
    ]);
    expect(second!.calls.filter(([op]) => op === "delete")).toEqual([
      ["delete", "hotel_daily/_symlink_format_manifest/stay_year=2017/stay_month=8/manifest"],
    ]);
    // an already published version: read only
    expect(third!.calls).toEqual([["get", "hotel_daily/_symlink_published.json"]]);
  });

  it("a publication that dies after its pending record leaves both versions listed; the next one completes it", () => {
    // act
    const py = runPython([v1, { ...v2, fail: true }, v2]);
    // assert
    const [, died, next] = py.steps;
    expect(died!.result).toEqual({ error: "killed" });
    expect(next!.result).toEqual({ version: 2, written: 1, deleted: 1 });
    // the record the dead publication left: still v1's, with v2 pending (what vacuum keeps)
    const pending = died!.calls.findIndex(([op, k]) => op === "put" && k!.endsWith("_published.json"));
    expect(pending).toBe(1);
    const rerun = runPython([v1, { ...v2, fail: true }]);
    expect(rerun.objects["hotel_daily/_symlink_published.json"]).toBe(
      `{"version":1,"versions":[1,2],"root":"s3://hotels-test-curated/","publishedAt":"${AT}","manifests":2}\n`,
    );
    expect(JSON.parse(py.objects["hotel_daily/_symlink_published.json"]!)).toMatchObject({
      version: 2,
      versions: [2],
      manifests: 1,
    });
  });
});
