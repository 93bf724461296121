/** The schedule starts a run exactly as a file dropped in `raw/incoming/` does: ingest, then the Glue ETL. */
export { compose, type Deps } from "./incoming.ts";
