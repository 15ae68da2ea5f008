/**
 * Edge mode ({@code gatehouse edge}): the gateway host's listeners relay each TCP connection, with a PROXY
 * protocol header naming the client, to one of the cluster's nodes (their NodePorts), chosen among the healthy
 * ones; a failed connect is retried at once on another node. {@code pool}: the nodes, their health and the
 * balancer; {@code relay}: the per-connection pipeline; {@code health}: active checks; {@code admin}: /ready,
 * /metrics, /nodes and the dashboard; {@code discovery}, {@code emit}, {@code gate}: Kubernetes discovery, the
 * NGINX/HAProxy configs and the optional L7 checks.
 */
package dev.gatehouse.edge;
