import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones/index.js";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group/index.js";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log/index.js";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table/index.js";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association/index.js";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group/index.js";
import { Subnet } from "@cdktf/provider-aws/lib/subnet/index.js";
import { Vpc } from "@cdktf/provider-aws/lib/vpc/index.js";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint/index.js";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule/index.js";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule/index.js";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { policyDocument } from "../naming.ts";

/** Interface endpoints the private functions and Glue jobs reach AWS through (there is no NAT gateway:
 * nothing in this VPC talks to the internet). */
export const DEFAULT_INTERFACE_ENDPOINTS = [
  "glue",
  "secretsmanager",
  "athena",
  "sagemaker.api",
  "sagemaker.runtime",
  "logs",
  "rds-data",
  "kms",
  "sts",
  "events",
  "monitoring",
] as const;

export interface NetworkProps {
  readonly namePrefix: string;
  readonly account: string;
  readonly region: string;
  /** VPC CIDR; each private subnet is a /20 of it. */
  readonly cidr: string;
  /** Availability zones used (one private subnet each). Default 2. */
  readonly azCount?: number;
  /** Interface endpoint services. Default `DEFAULT_INTERFACE_ENDPOINTS`. */
  readonly interfaceEndpoints?: readonly string[];
  /** Flow log retention in days. Default 30. */
  readonly logRetentionDays?: number;
  /** KMS key ARN for the flow log group. */
  readonly logsKeyArn: string;
}

/** VPC with private subnets only, an S3 gateway endpoint and interface endpoints, flow logs, and the
 * security groups of the workloads that run inside it. */
export class Network extends Construct {
  public readonly vpc: Vpc;
  public readonly privateSubnetIds: string[];
  /** Lambda functions: egress to the endpoints and the database only. */
  public readonly functionsSecurityGroup: SecurityGroup;
  /** Glue jobs: Glue requires a self-referencing rule for its workers. */
  public readonly glueSecurityGroup: SecurityGroup;
  /** Aurora: PostgreSQL from the functions and Glue only. */
  public readonly databaseSecurityGroup: SecurityGroup;
  public readonly endpointsSecurityGroup: SecurityGroup;
  public readonly availabilityZones: string[];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const azCount = props.azCount ?? 2;
    const azs = new DataAwsAvailabilityZones(this, "azs", { state: "available" });
    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.namePrefix },
    });
    // The default security group is emptied so nothing can use it by accident (CIS 5.4).
    new DefaultSecurityGroup(this, "default-sg", { vpcId: this.vpc.id, ingress: [], egress: [] });

    const routes = new RouteTable(this, "private-routes", {
      vpcId: this.vpc.id,
      tags: { Name: `${props.namePrefix}-private` },
    });
    this.availabilityZones = [];
    this.privateSubnetIds = [];
    for (let i = 0; i < azCount; i++) {
      const az = Fn.element(azs.names, i);
      const subnet = new Subnet(this, `private-${i}`, {
        vpcId: this.vpc.id,
        cidrBlock: Fn.cidrsubnet(props.cidr, 4, i),
        availabilityZone: az,
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.namePrefix}-private-${i}` },
      });
      new RouteTableAssociation(this, `private-${i}-routes`, {
        subnetId: subnet.id,
        routeTableId: routes.id,
      });
      this.privateSubnetIds.push(subnet.id);
      this.availabilityZones.push(az);
    }

    const sg = (name: string, description: string) =>
      new SecurityGroup(this, name, {
        name: `${props.namePrefix}-${name}`,
        description,
        vpcId: this.vpc.id,
        revokeRulesOnDelete: true,
      });
    this.endpointsSecurityGroup = sg("endpoints", "Interface VPC endpoints: HTTPS from inside the VPC");
    this.functionsSecurityGroup = sg("functions", "Pipeline Lambda functions");
    this.glueSecurityGroup = sg("glue", "Glue ETL job workers");
    this.databaseSecurityGroup = sg("database", "Aurora PostgreSQL source database");
    const s3 = new VpcEndpoint(this, "s3", {
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${props.region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: [routes.id],
      tags: { Name: `${props.namePrefix}-s3` },
    });
    // Rules are separate resources: inline rules between groups that reference each other form a cycle.
    const rule = (
      name: string,
      direction: "in" | "out",
      group: SecurityGroup,
      description: string,
      port: [number, number],
      peer: { cidr?: string; group?: SecurityGroup; prefixList?: string },
    ) => {
      const args = {
        securityGroupId: group.id,
        description,
        ipProtocol: "tcp",
        fromPort: port[0],
        toPort: port[1],
        cidrIpv4: peer.cidr,
        referencedSecurityGroupId: peer.group?.id,
        prefixListId: peer.prefixList,
      };
      if (direction === "in") new VpcSecurityGroupIngressRule(this, name, args);
      else new VpcSecurityGroupEgressRule(this, name, args);
    };
    const https: [number, number] = [443, 443];
    const pg: [number, number] = [5432, 5432];
    const all: [number, number] = [0, 65535];
    rule("endpoints-https-in", "in", this.endpointsSecurityGroup, "HTTPS from the VPC", https, {
      cidr: props.cidr,
    });
    for (const [name, group] of [
      ["functions", this.functionsSecurityGroup],
      ["glue", this.glueSecurityGroup],
    ] as const) {
      rule(`${name}-endpoints-out`, "out", group, "HTTPS to interface endpoints", https, {
        cidr: props.cidr,
      });
      rule(`${name}-s3-out`, "out", group, "HTTPS to S3 (gateway endpoint)", https, {
        prefixList: s3.prefixListId,
      });
      rule(`${name}-database-out`, "out", group, "PostgreSQL to the source database", pg, {
        group: this.databaseSecurityGroup,
      });
      rule(`database-from-${name}`, "in", this.databaseSecurityGroup, `PostgreSQL from ${name}`, pg, {
        group,
      });
    }
    rule("glue-self-in", "in", this.glueSecurityGroup, "Glue workers talk to each other", all, {
      group: this.glueSecurityGroup,
    });
    rule("glue-self-out", "out", this.glueSecurityGroup, "Glue workers talk to each other", all, {
      group: this.glueSecurityGroup,
    });

    for (const service of props.interfaceEndpoints ?? DEFAULT_INTERFACE_ENDPOINTS) {
      new VpcEndpoint(this, `endpoint-${service.replaceAll(".", "-")}`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: this.privateSubnetIds,
        securityGroupIds: [this.endpointsSecurityGroup.id],
        tags: { Name: `${props.namePrefix}-${service}` },
      });
    }

    // Flow logs: rejected and accepted traffic, for incident forensics (checkov CKV2_AWS_11).
    const flowLogs = new CloudwatchLogGroup(this, "flow-logs", {
      name: `/vpc/${props.namePrefix}/flow-logs`,
      retentionInDays: props.logRetentionDays ?? 30,
      kmsKeyId: props.logsKeyArn,
    });
    const flowRole = new IamRole(this, "flow-logs-role", {
      name: `${props.namePrefix}-flow-logs`,
      assumeRolePolicy: policyDocument([
        {
          Effect: "Allow",
          Principal: { Service: "vpc-flow-logs.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": props.account } },
        },
      ]),
    });
    new IamRolePolicy(this, "flow-logs-policy", {
      role: flowRole.id,
      policy: policyDocument([
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: [flowLogs.arn, `${flowLogs.arn}:log-stream:*`],
        },
      ]),
    });
    new FlowLog(this, "flow-log", {
      vpcId: this.vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: flowLogs.arn,
      iamRoleArn: flowRole.arn,
    });
  }
}
