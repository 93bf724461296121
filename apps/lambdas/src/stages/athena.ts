import { type AthenaClient, GetQueryResultsCommand } from "@aws-sdk/client-athena";

/** Rows an INSERT INTO / CTAS wrote: `UpdateCount` of GetQueryResults (the AthenaQueryEngine returns the
 * query id, not this count). */
export const athenaUpdateCount =
  (client: AthenaClient) =>
  async (queryId: string): Promise<number | undefined> => {
    const r = await client.send(new GetQueryResultsCommand({ QueryExecutionId: queryId, MaxResults: 1 }));
    return r.UpdateCount;
  };
