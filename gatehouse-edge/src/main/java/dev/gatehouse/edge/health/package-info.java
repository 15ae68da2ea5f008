/** Active checks of each node: a TCP connect, or an HTTP GET through the node that must answer 2xx. */
package dev.gatehouse.edge.health;
