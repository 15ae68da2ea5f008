/**
 * What the Kubernetes API server would refuse (the Gateway API CRDs' OpenAPI schema and CEL rules), checked
 * in standalone mode where no API server stands between the operator's YAML and the translator. Any finding
 * is an ERROR that rejects the whole config, located by file, document, resource and field.
 */
package dev.gatehouse.translate.validate;
