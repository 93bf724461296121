/** The part of @hotels/source a Lambda uses, re-exported so a dynamic import of it tree-shakes (a dynamic
 * import of the package itself would keep every export, PGlite and pg included). */
export { IngestFormatError, ingest, openDataApi } from "@hotels/source";
