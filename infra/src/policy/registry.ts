/** Every policy rule (one per file in rules/; a test checks none is left out). */
import { rule as athenaResultsEncrypted } from "./rules/athena-results-encrypted.ts";
import { rule as athenaWorkgroupEnforced } from "./rules/athena-workgroup-enforced.ts";
import { rule as glueCatalogEncryption } from "./rules/glue-catalog-encryption.ts";
import { rule as glueSecurityConfiguration } from "./rules/glue-security-configuration.ts";
import { rule as iamNoAdminPolicies } from "./rules/iam-no-admin-policies.ts";
import { rule as iamNoWildcardActions } from "./rules/iam-no-wildcard-actions.ts";
import { rule as iamNoWildcardResources } from "./rules/iam-no-wildcard-resources.ts";
import { rule as iamTrustConfusedDeputy } from "./rules/iam-trust-confused-deputy.ts";
import { rule as kmsRotation } from "./rules/kms-rotation.ts";
import { rule as lambdaDlq } from "./rules/lambda-dlq.ts";
import { rule as lambdaEnvEncrypted } from "./rules/lambda-env-encrypted.ts";
import { rule as lambdaInVpc } from "./rules/lambda-in-vpc.ts";
import { rule as lambdaSupportedRuntime } from "./rules/lambda-supported-runtime.ts";
import { rule as lambdaTracing } from "./rules/lambda-tracing.ts";
import { rule as lambdaUrlIamAuth } from "./rules/lambda-url-iam-auth.ts";
import { rule as logGroupKms } from "./rules/log-group-kms.ts";
import { rule as logRetention } from "./rules/log-retention.ts";
import { rule as rdsBackups } from "./rules/rds-backups.ts";
import { rule as rdsDeletionProtection } from "./rules/rds-deletion-protection.ts";
import { rule as rdsIamAuth } from "./rules/rds-iam-auth.ts";
import { rule as rdsLogExports } from "./rules/rds-log-exports.ts";
import { rule as rdsManagedCredentials } from "./rules/rds-managed-credentials.ts";
import { rule as rdsPrivate } from "./rules/rds-private.ts";
import { rule as rdsStorageEncrypted } from "./rules/rds-storage-encrypted.ts";
import { rule as s3AccessLogging } from "./rules/s3-access-logging.ts";
import { rule as s3KmsEncryption } from "./rules/s3-kms-encryption.ts";
import { rule as s3Lifecycle } from "./rules/s3-lifecycle.ts";
import { rule as s3PublicAccessBlock } from "./rules/s3-public-access-block.ts";
import { rule as s3TlsOnly } from "./rules/s3-tls-only.ts";
import { rule as s3Versioning } from "./rules/s3-versioning.ts";
import { rule as sagemakerEndpointKms } from "./rules/sagemaker-endpoint-kms.ts";
import { rule as sagemakerNetworkIsolation } from "./rules/sagemaker-network-isolation.ts";
import { rule as sgNoPublicIngress } from "./rules/sg-no-public-ingress.ts";
import { rule as snsEncrypted } from "./rules/sns-encrypted.ts";
import { rule as sqsEncrypted } from "./rules/sqs-encrypted.ts";
import { rule as vpcDefaultSgClosed } from "./rules/vpc-default-sg-closed.ts";
import { rule as vpcFlowLogs } from "./rules/vpc-flow-logs.ts";
import type { PolicyRule } from "./types.ts";

export const RULES: readonly PolicyRule[] = [
  athenaResultsEncrypted,
  athenaWorkgroupEnforced,
  glueCatalogEncryption,
  glueSecurityConfiguration,
  iamNoAdminPolicies,
  iamNoWildcardActions,
  iamNoWildcardResources,
  iamTrustConfusedDeputy,
  kmsRotation,
  lambdaDlq,
  lambdaEnvEncrypted,
  lambdaInVpc,
  lambdaSupportedRuntime,
  lambdaTracing,
  lambdaUrlIamAuth,
  logGroupKms,
  logRetention,
  rdsBackups,
  rdsDeletionProtection,
  rdsIamAuth,
  rdsLogExports,
  rdsManagedCredentials,
  rdsPrivate,
  rdsStorageEncrypted,
  s3AccessLogging,
  s3KmsEncryption,
  s3Lifecycle,
  s3PublicAccessBlock,
  s3TlsOnly,
  s3Versioning,
  sagemakerEndpointKms,
  sagemakerNetworkIsolation,
  sgNoPublicIngress,
  snsEncrypted,
  sqsEncrypted,
  vpcDefaultSgClosed,
  vpcFlowLogs,
];
