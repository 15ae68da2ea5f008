/** The edge's admin listener: /ready, /metrics (Prometheus), /nodes (JSON) and a dashboard page of the nodes. */
package dev.gatehouse.edge.admin;
