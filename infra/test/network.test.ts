import { FlowLog } from "@cdktf/provider-aws/lib/flow-log/index.js";
import { Subnet } from "@cdktf/provider-aws/lib/subnet/index.js";
import { Vpc } from "@cdktf/provider-aws/lib/vpc/index.js";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint/index.js";
import { describe, expect, it } from "vitest";
import { DEFAULT_INTERFACE_ENDPOINTS, Network } from "../src/constructs/network.ts";
import { ENV, KEY, resources, synth } from "./helpers.ts";

describe("Network", () => {
  const { json, doc } = synth(
    (s) => new Network(s, "net", { ...ENV, cidr: "10.1.0.0/16", azCount: 3, logsKeyArn: KEY }),
  );

  it("has a VPC with one private subnet per AZ and no public IPs", () => {
    expect(json).toHaveResourceWithProperties(Vpc, { cidr_block: "10.1.0.0/16", enable_dns_hostnames: true });
    expect(resources(doc, "aws_subnet")).toHaveLength(3);
    expect(json).toHaveResourceWithProperties(Subnet, { map_public_ip_on_launch: false });
    expect(doc.resource?.aws_internet_gateway).toBeUndefined();
    expect(doc.resource?.aws_nat_gateway).toBeUndefined();
  });

  it("has the S3 gateway endpoint and every interface endpoint the issue lists", () => {
    expect(json).toHaveResourceWithProperties(VpcEndpoint, {
      service_name: "com.amazonaws.eu-west-1.s3",
      vpc_endpoint_type: "Gateway",
    });
    const services = resources(doc, "aws_vpc_endpoint").map((e) => e.service_name);
    for (const s of ["glue", "secretsmanager", "athena", "sagemaker.runtime", "logs"])
      expect(services).toContain(`com.amazonaws.eu-west-1.${s}`);
    expect(services).toHaveLength(DEFAULT_INTERFACE_ENDPOINTS.length + 1);
    for (const e of resources(doc, "aws_vpc_endpoint").filter((x) => x.vpc_endpoint_type === "Interface"))
      expect(e.private_dns_enabled).toBe(true);
  });

  it("lets only functions and Glue reach PostgreSQL, and opens nothing to the internet", () => {
    const ingress = resources(doc, "aws_vpc_security_group_ingress_rule");
    const pg = ingress.filter((r) => r.from_port === 5432);
    expect(pg).toHaveLength(2);
    for (const r of pg) expect(String(r.referenced_security_group_id)).toMatch(/aws_security_group\./);
    for (const r of ingress) expect(r.cidr_ipv4 ?? "").not.toBe("0.0.0.0/0");
  });

  it("logs all traffic to an encrypted log group", () => {
    expect(json).toHaveResourceWithProperties(FlowLog, { traffic_type: "ALL" });
    expect(resources(doc, "aws_cloudwatch_log_group")[0]).toMatchObject({
      kms_key_id: KEY,
      retention_in_days: 30,
    });
  });
});
